"""Asks which columns of a table file (CSV, XLSX, JSONL, JSON) hold the report id and text."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QVBoxLayout, QWidget)

from pluk.core.readers import TableOptions
from pluk.core.readers.tables import ID_GUESSES, TEXT_GUESSES

_NONE = QT_TRANSLATE_NOOP("TableColumnsDialog",
                          "(automatic: a column named id, else row numbers)")


def _guess(columns: list[str], guesses: tuple[str, ...]) -> str | None:
    keys = {c.lower().replace(" ", "_").replace("-", "_"): c for c in columns}
    for guess in guesses:
        if guess in keys:
            return keys[guess]
    return None


class TableColumnsDialog(QDialog):
    def __init__(self, path: Path, columns: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Which columns hold the reports?"))
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("<b>{name}</b> is a table with %n column(s). Choose the column "
                               "with each report's id and the one with its text.", "",
                               len(columns)).format(name=path.name))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.id_combo = QComboBox()
        self.id_combo.addItem(QCoreApplication.translate("TableColumnsDialog", _NONE), None)
        self.text_combo = QComboBox()
        for column in columns:
            self.id_combo.addItem(column, column)
            self.text_combo.addItem(column, column)
        id_guess, text_guess = _guess(columns, ID_GUESSES), _guess(columns, TEXT_GUESSES)
        if id_guess:
            self.id_combo.setCurrentIndex(self.id_combo.findData(id_guess))
        if text_guess:
            self.text_combo.setCurrentIndex(self.text_combo.findData(text_guess))
        form.addRow(self.tr("Report id column"), self.id_combo)
        form.addRow(self.tr("Report text column"), self.text_combo)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def options(self) -> TableOptions:
        return TableOptions(id_column=self.id_combo.currentData(),
                            text_column=self.text_combo.currentData())
