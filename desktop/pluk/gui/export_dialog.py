"""Export of a run folder through a save dialog: CSV (with the delimiter, decimal mark and
nesting options Excel needs, by default what a spreadsheet in this locale reads), JSON, XLSX or
a self-contained HTML page with the evidence highlighted, with the reviewed values beside the
model's (or those alone), or, for a task imported from a data dictionary, REDCap's or Castor's
import CSV; written by the very function `pluk export` uses, so the file is the same whichever
way it was made."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QLabel, QVBoxLayout, QWidget)

from pluk.core.extraction import run_export
from pluk.gui.i18n import current_language

_C = "ExportDialog"
FORMATS = [(QT_TRANSLATE_NOOP("ExportDialog", "CSV"), "csv"),
           (QT_TRANSLATE_NOOP("ExportDialog", "Excel workbook (.xlsx)"), "xlsx"),
           (QT_TRANSLATE_NOOP("ExportDialog", "JSON"), "json"),
           (QT_TRANSLATE_NOOP("ExportDialog",
                              "Web page with the evidence highlighted (.html)"), "html"),
           (QT_TRANSLATE_NOOP("ExportDialog", "REDCap import file (.csv)"), "redcap"),
           (QT_TRANSLATE_NOOP("ExportDialog", "Castor EDC import file (.csv)"), "castor")]
EDC_FORMATS = ("redcap", "castor")
DELIMITERS = [(QT_TRANSLATE_NOOP("ExportDialog", "comma ,"), ","),
              (QT_TRANSLATE_NOOP("ExportDialog",
                                 "semicolon ; (Excel with a Dutch or German locale)"), ";"),
              (QT_TRANSLATE_NOOP("ExportDialog", "tab"), "\t")]
DECIMALS = [(QT_TRANSLATE_NOOP("ExportDialog", "point: 9.7"), "."),
            (QT_TRANSLATE_NOOP("ExportDialog",
                               "comma: 9,7 (Excel with a Dutch or German locale)"), ",")]
NESTED = [(QT_TRANSLATE_NOOP("ExportDialog", "flatten objects into dotted columns"), "flatten"),
          (QT_TRANSLATE_NOOP("ExportDialog", "objects as JSON text"), "json")]


def export_run(run_dir: Path, path: Path, fmt: str, *, delimiter: str = ",",
               nested: str = "flatten", reviewed_only: bool = False, decimal: str = ".",
               booleans: tuple[str, str] = ("yes", "no"),
               notes: list[str] | None = None) -> tuple[Path, int]:
    """The file written and how many records it holds; `notes` gains what a REDCap or Castor
    import file left out."""
    return run_export.export_run(run_dir, path, fmt, delimiter=delimiter, nested=nested,
                                 reviewed_only=reviewed_only, decimal=decimal,
                                 booleans=booleans, notes=notes, language=current_language())


class ExportDialog(QDialog):
    def __init__(self, run_dir: Path, csv: dict | None = None, parent: QWidget | None = None):
        """`csv`: the defaults of gui.i18n.csv_format (delimiter, decimal, booleans)."""
        super().__init__(parent)
        self.run_dir = Path(run_dir)
        csv = csv or {"delimiter": ",", "decimal": ".", "booleans": ("yes", "no")}
        self.booleans = tuple(csv.get("booleans", ("yes", "no")))
        self.notes: list[str] = []  # what the last REDCap or Castor file left out
        self.setWindowTitle(self.tr("Export results"))
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("Export the records of <b>{run}</b>").format(
            run=self.run_dir.name))
        title.setWordWrap(True)
        layout.addWidget(title)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.format_combo = _combo(FORMATS, "csv")
        self.delimiter_combo = _combo(DELIMITERS, csv["delimiter"])
        self.decimal_combo = _combo(DECIMALS, csv["decimal"])
        self.nested_combo = _combo(NESTED, "flatten")
        form.addRow(self.tr("Format"), self.format_combo)
        form.addRow(self.tr("CSV delimiter"), self.delimiter_combo)
        form.addRow(self.tr("Decimal mark"), self.decimal_combo)
        form.addRow(self.tr("Nested fields"), self.nested_combo)
        self.reviewed_only = QCheckBox(self.tr("Reviewed values only (the reports a person "
                                               "reviewed)"))
        form.addRow(self.tr("Reviews"), self.reviewed_only)
        layout.addLayout(form)
        self.note = QLabel(self.tr("Yes/no fields are written as “{yes}” and “{no}”, as "
                                   "the window shows them.").format(
            yes=self.booleans[0], no=self.booleans[1]))
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.format_combo.currentIndexChanged.connect(self._sync)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._sync()

    def _sync(self) -> None:
        fmt = self.format_combo.currentData()
        self.delimiter_combo.setEnabled(fmt == "csv")
        self.decimal_combo.setEnabled(fmt == "csv")
        self.note.setVisible(fmt == "csv")
        self.nested_combo.setEnabled(fmt not in ("json", "html", *EDC_FORMATS))

    def choice(self) -> tuple[str, str, str]:
        return (self.format_combo.currentData(), self.delimiter_combo.currentData(),
                self.nested_combo.currentData())

    def ask_and_write(self) -> tuple[Path, int] | None:
        """Show the options, then the save dialog; write the file. None when cancelled."""
        if not self.exec():
            return None
        fmt, delimiter, nested = self.choice()
        reviewed_only = self.reviewed_only.isChecked()
        ext = "csv" if fmt in EDC_FORMATS else fmt
        stem = self.run_dir.name + (f"-{fmt}" if fmt in EDC_FORMATS else "")
        suggested = str(Path.home() / f"{stem}.{ext}")
        name, _ = QFileDialog.getSaveFileName(
            self.parentWidget(), self.tr("Save the results"), suggested,
            self.tr("{kind} files (*.{ext})").format(kind=ext.upper(), ext=ext))
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() != f".{ext}":
            path = path.with_name(path.name + f".{ext}")
        self.notes = []
        return export_run(self.run_dir, path, fmt, delimiter=delimiter, nested=nested,
                          reviewed_only=reviewed_only,
                          decimal=self.decimal_combo.currentData(), booleans=self.booleans,
                          notes=self.notes)


def _combo(items, current) -> QComboBox:
    combo = QComboBox()
    for label, value in items:
        combo.addItem(QCoreApplication.translate(_C, label), value)
    index = combo.findData(current)
    combo.setCurrentIndex(max(index, 0))
    return combo
