"""Export of a run folder through a save dialog: CSV (with the delimiter and nesting options
Excel needs), JSON, XLSX or a self-contained HTML page with the evidence highlighted, with the
reviewed values beside the model's (or those alone), written by the very function `pluk export`
uses, so the file is the same whichever way it was made."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QLabel, QVBoxLayout, QWidget)

from pluk.core.extraction import run_export

FORMATS = [("CSV", "csv"), ("Excel workbook (.xlsx)", "xlsx"), ("JSON", "json"),
           ("Web page with the evidence highlighted (.html)", "html")]
DELIMITERS = [("comma ,", ","), ("semicolon ; (Excel with a Dutch or German locale)", ";"),
              ("tab", "\t")]
NESTED = [("flatten objects into dotted columns", "flatten"), ("objects as JSON text", "json")]


def export_run(run_dir: Path, path: Path, fmt: str, *, delimiter: str = ",",
               nested: str = "flatten", reviewed_only: bool = False) -> Path:
    return run_export.export_run(run_dir, path, fmt, delimiter=delimiter, nested=nested,
                                 reviewed_only=reviewed_only)[0]


class ExportDialog(QDialog):
    def __init__(self, run_dir: Path, default_delimiter: str = ",",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.run_dir = Path(run_dir)
        self.setWindowTitle("Export results")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Export the records of <b>{self.run_dir.name}</b>"))
        form = QFormLayout()
        self.format_combo = _combo(FORMATS, "csv")
        self.delimiter_combo = _combo(DELIMITERS, default_delimiter)
        self.nested_combo = _combo(NESTED, "flatten")
        form.addRow("Format", self.format_combo)
        form.addRow("CSV delimiter", self.delimiter_combo)
        form.addRow("Nested fields", self.nested_combo)
        self.reviewed_only = QCheckBox("Reviewed values only (the reports a person reviewed)")
        form.addRow("Reviews", self.reviewed_only)
        layout.addLayout(form)
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
        self.nested_combo.setEnabled(fmt not in ("json", "html"))

    def choice(self) -> tuple[str, str, str]:
        return (self.format_combo.currentData(), self.delimiter_combo.currentData(),
                self.nested_combo.currentData())

    def ask_and_write(self) -> Path | None:
        """Show the options, then the save dialog; write the file. None when cancelled."""
        if not self.exec():
            return None
        fmt, delimiter, nested = self.choice()
        reviewed_only = self.reviewed_only.isChecked()
        suggested = str(Path.home() / f"{self.run_dir.name}.{fmt}")
        name, _ = QFileDialog.getSaveFileName(self.parentWidget(), "Save the results",
                                              suggested, f"{fmt.upper()} files (*.{fmt})")
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() != f".{fmt}":
            path = path.with_name(path.name + f".{fmt}")
        return export_run(self.run_dir, path, fmt, delimiter=delimiter, nested=nested,
                          reviewed_only=reviewed_only)


def _combo(items, current) -> QComboBox:
    combo = QComboBox()
    for label, value in items:
        combo.addItem(label, value)
    index = combo.findData(current)
    combo.setCurrentIndex(max(index, 0))
    return combo
