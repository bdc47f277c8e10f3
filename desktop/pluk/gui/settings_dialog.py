"""Preferences: CPU threads, GPU layers, context cap, temperature, where runs are saved and the
default CSV delimiter; edits a copy of the settings model and returns it on OK."""

from __future__ import annotations


from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from pluk.core import paths
from pluk.core.models.hardware import default_threads
from pluk.core.options import (ContextOptions, DecodingOptions, HardwareOptions, RunOptions,
                               bounds)
from pluk.core.settings import Settings
from pluk.gui.widgets import muted


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self._settings = settings.model_copy(deep=True)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.threads = QSpinBox()
        # 0 shows as the physical cores: the model's None.
        self.threads.setRange(0, int(bounds(HardwareOptions, "n_threads")[1]))
        self.threads.setSpecialValueText(f"physical cores ({default_threads()})")
        run = settings.run
        self.threads.setValue(run.hardware.n_threads or 0)
        self.gpu_layers = QSpinBox()
        self.gpu_layers.setRange(int(bounds(HardwareOptions, "n_gpu_layers")[0]), 999)
        self.gpu_layers.setSpecialValueText("all layers")
        self.gpu_layers.setValue(run.hardware.n_gpu_layers)
        self.ctx_cap = QSpinBox()
        self.ctx_cap.setRange(*(int(b) for b in bounds(ContextOptions, "ctx_cap")))
        self.ctx_cap.setSingleStep(1024)
        self.ctx_cap.setSuffix(" tokens")
        self.ctx_cap.setValue(run.context.ctx_cap)
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(*bounds(DecodingOptions, "temperature"))
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(run.decoding.temperature)
        self.output_dir = QLineEdit(settings.output_dir or "")
        self.output_dir.setPlaceholderText(str(paths.runs_dir()))
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.output_dir, 1)
        out_row.addWidget(browse)
        self.delimiter = QComboBox()
        for label, value in ((", comma", ","), ("; semicolon (Dutch Excel)", ";"),
                             ("tab", "\t")):
            self.delimiter.addItem(label, value)
        self.delimiter.setCurrentIndex(max(self.delimiter.findData(settings.csv_delimiter), 0))
        form.addRow("CPU threads", self.threads)
        form.addRow("GPU layers", self.gpu_layers)
        form.addRow("Context limit", self.ctx_cap)
        form.addRow("Temperature", self.temperature)
        form.addRow("Save runs in", out_row)
        form.addRow("CSV delimiter", self.delimiter)
        layout.addLayout(form)
        layout.addWidget(muted("Temperature 0 gives the same answer every time; the context is "
                               "fitted to the longest report, up to the limit."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Save runs in")
        if folder:
            self.output_dir.setText(folder)

    def settings(self) -> Settings:
        run = self._settings.run
        # Validated as a whole: what the spin boxes allow is checked against RunOptions' bounds.
        run = RunOptions.model_validate(run.model_dump() | {
            "hardware": run.hardware.model_dump() | {
                "n_threads": self.threads.value() or None,
                "n_gpu_layers": self.gpu_layers.value()},
            "context": {"ctx_cap": self.ctx_cap.value()},
            "decoding": run.decoding.model_dump() | {
                "temperature": round(self.temperature.value(), 2)},
        })
        return self._settings.model_copy(update={
            "run": run,
            "output_dir": self.output_dir.text().strip() or None,
            "csv_delimiter": self.delimiter.currentData(),
        })
