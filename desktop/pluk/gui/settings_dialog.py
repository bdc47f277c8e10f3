"""Preferences: CPU threads, GPU layers, context cap, temperature, where runs are saved, the
CSV delimiter and decimal mark (by default what a spreadsheet in this locale reads) and the
window's language, and the engine (this computer or an inference server, server_settings.py);
edits a copy of the settings model and returns it on OK."""

from __future__ import annotations


from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from pluk.core import paths
from pluk.core.models.hardware import default_parallel, default_threads
from pluk.core.options import (ContextOptions, DecodingOptions, HardwareOptions, RunOptions,
                               bounds)
from pluk.core.settings import Settings
from pluk.gui.i18n import LANGUAGE_NAMES, csv_format, system_language
from pluk.gui.server_settings import EngineBox
from pluk.gui.widgets import muted


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self._settings = settings.model_copy(deep=True)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.threads = QSpinBox()
        # 0 shows as the machine's choice: the model's None.
        self.threads.setRange(0, int(bounds(HardwareOptions, "n_threads")[1]))
        self.threads.setSpecialValueText(self.tr("automatic ({n})").format(
            n=default_threads()))
        run = settings.run
        self.threads.setValue(run.hardware.n_threads or 0)
        self.parallel = QSpinBox()
        self.parallel.setRange(0, int(bounds(HardwareOptions, "parallel")[1]))
        self.parallel.setSpecialValueText(self.tr("automatic ({n})").format(
            n=default_parallel(run.hardware.n_gpu_layers)))
        self.parallel.setValue(run.hardware.parallel or 0)
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(int(bounds(HardwareOptions, "n_gpu_layers")[0]), 999)
        self.gpu_layers.setSpecialValueText(self.tr("all layers"))
        self.gpu_layers.setValue(run.hardware.n_gpu_layers)
        self.ctx_cap = QSpinBox()
        self.ctx_cap.setRange(*(int(b) for b in bounds(ContextOptions, "ctx_cap")))
        self.ctx_cap.setSingleStep(1024)
        self.ctx_cap.setSuffix(" " + self.tr("tokens"))
        self.ctx_cap.setValue(run.context.ctx_cap)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(*bounds(DecodingOptions, "temperature"))
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(run.decoding.temperature)
        # -1 shows as automatic (the option's None); 0 is no thinking.
        self.thinking = QSpinBox()
        self.thinking.setRange(-1, int(bounds(DecodingOptions, "thinking_budget")[1]))
        self.thinking.setSingleStep(256)
        self.thinking.setSpecialValueText(self.tr("automatic"))
        self.thinking.setSuffix(" " + self.tr("tokens"))
        self.thinking.setToolTip(self.tr("How long a thinking model may reason before its "
                                         "answer; 0: no thinking"))
        budget = run.decoding.thinking_budget
        self.thinking.setValue(-1 if budget is None else budget)
        self.passes = QSpinBox()
        self.passes.setRange(*(int(b) for b in bounds(DecodingOptions, "passes")))
        self.passes.setSuffix(" " + self.tr("answers per report"))
        self.passes.setToolTip(self.tr("Answer each report several times and keep per field "
                                       "the value most answers gave; how many agreed is shown "
                                       "and sorts the review. Costs time per extra answer"))
        self.passes.setValue(run.decoding.passes)
        for box, tip in (
                (self.threads, self.tr("CPU cores the model computes with; automatic leaves "
                                       "one free for the window")),
                (self.parallel, self.tr("Reports the model reads at the same time: more is "
                                        "faster on a GPU and uses more memory")),
                (self.gpu_layers, self.tr("Model layers put on the graphics card: 0 runs on the "
                                          "CPU alone, all layers is fastest when they fit")),
                (self.ctx_cap, self.tr("The most text the model reads at once; a longer report "
                                       "is read in sections. More uses more memory")),
                (self.temperature, self.tr("0 gives the same answer every time (best for "
                                           "extraction); higher values vary the answers"))):
            box.setToolTip(tip)
        self.output_dir = QLineEdit(settings.output_dir or "")
        self.output_dir.setPlaceholderText(str(paths.runs_dir()))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.output_dir, 1)
        out_row.addWidget(browse)
        self.delimiter = QComboBox()
        self.delimiter.addItem(self.tr("as this computer's spreadsheets expect ({mark})").format(
            mark=csv_format(settings.model_copy(update={"csv_delimiter": None}))["delimiter"]),
            None)
        for label, value in ((self.tr(", comma"), ","), (self.tr("; semicolon"), ";"),
                             (self.tr("tab"), "\t")):
            self.delimiter.addItem(label, value)
        self.delimiter.setCurrentIndex(max(self.delimiter.findData(settings.csv_delimiter), 0))
        self.decimal = QComboBox()
        self.decimal.addItem(self.tr("as this computer writes numbers ({mark})").format(
            mark=csv_format(settings.model_copy(update={"csv_decimal": None}))["decimal"]), None)
        self.decimal.addItem(self.tr("point: 9.7"), ".")
        self.decimal.addItem(self.tr("comma: 9,7"), ",")
        self.decimal.setCurrentIndex(max(self.decimal.findData(settings.csv_decimal), 0))
        self.language = QComboBox()
        for label, value in ((self.tr("as the system ({language})").format(
                language=LANGUAGE_NAMES[system_language()]), "auto"),
                ("English", "en"), ("Nederlands", "nl")):
            self.language.addItem(label, value)
        self.language.setCurrentIndex(max(self.language.findData(settings.language), 0))
        form.addRow(self.tr("CPU threads"), self.threads)
        form.addRow(self.tr("Reports at once"), self.parallel)
        form.addRow(self.tr("GPU layers"), self.gpu_layers)
        form.addRow(self.tr("Context limit"), self.ctx_cap)
        form.addRow(self.tr("Temperature"), self.temperature)
        form.addRow(self.tr("Thinking budget"), self.thinking)
        form.addRow(self.tr("Passes"), self.passes)
        # Checked by default with a server (the reports leave the machine); unchecking it
        # there is recorded in the run's manifest.
        self.pseudonymise = QCheckBox(self.tr("Replace names, places, dates and other "
                                              "identifiers before the model sees a report"))
        self.pseudonymise.setChecked(run.pseudonymises())
        form.addRow(self.tr("Pseudonymise"), self.pseudonymise)
        form.addRow(self.tr("Save runs in"), out_row)
        form.addRow(self.tr("CSV delimiter"), self.delimiter)
        form.addRow(self.tr("CSV decimal mark"), self.decimal)
        form.addRow(self.tr("Language"), self.language)
        # Labels wrap rather than being cut when a translation is longer.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(form)
        self.engine = EngineBox(run.server, self)
        layout.addWidget(self.engine)
        layout.addWidget(muted(self.tr("Temperature 0 gives the same answer every time; the "
                                       "context is fitted to the longest report, up to the "
                                       "limit. A new language is used from the next start.")))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        try:
            self.engine.server_options()
        except ValueError as exc:  # an unusable server URL: say so, keep the dialog open
            self.engine.result.setText(str(exc))
            return
        self.accept()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Save runs in"))
        if folder:
            self.output_dir.setText(folder)

    def settings(self) -> Settings:
        run = self._settings.run
        server = self.engine.server_options()
        checked = self.pseudonymise.isChecked()
        # None (the default for the engine chosen) unless the box says otherwise.
        pseudonymise = None if checked == (server is not None) else checked
        # Validated as a whole: what the spin boxes allow is checked against RunOptions' bounds.
        run = RunOptions.model_validate(run.model_dump() | {
            "hardware": run.hardware.model_dump() | {
                "n_threads": self.threads.value() or None,
                "parallel": self.parallel.value() or None,
                "n_gpu_layers": self.gpu_layers.value()},
            "context": {"ctx_cap": self.ctx_cap.value()},
            "decoding": run.decoding.model_dump() | {
                "temperature": round(self.temperature.value(), 2),
                "passes": self.passes.value(),
                "thinking_budget": None if self.thinking.value() < 0 else self.thinking.value()},
            "server": server,
            "privacy": {"pseudonymise": pseudonymise},
        })
        return self._settings.model_copy(update={
            "run": run,
            "output_dir": self.output_dir.text().strip() or None,
            "csv_delimiter": self.delimiter.currentData(),
            "csv_decimal": self.decimal.currentData(),
            "language": self.language.currentData(),
        })
