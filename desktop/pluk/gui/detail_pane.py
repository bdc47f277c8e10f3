"""The detail of one record: the report text on the left with the extracted values found in it
highlighted (the evidence), and on the right the values, the model's raw output and any error."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPlainTextEdit, QSplitter, QTabWidget,
                               QTextEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from pluk.core.runs.records import Record
from pluk.core.readers.reports import Report
from pluk.core.tasks import TaskDefinition
from pluk.gui.results_model import display
from pluk.gui.theme import status_chip_css

EVIDENCE_COLOR = QColor("#fde68a")
MIN_EVIDENCE_CHARS = 3


def evidence_strings(value: Any) -> list[str]:
    """The text values of a record that could be quoted from the report."""
    if isinstance(value, str):
        return [value] if len(value.strip()) >= MIN_EVIDENCE_CHARS else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in evidence_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in evidence_strings(v)]
    return []


class DetailPane(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.heading = QLabel("Select a record to see the report beside its values.")
        self.heading.setObjectName("muted")
        self.chip = QLabel()
        self.chip.hide()
        header.addWidget(self.chip)
        header.addWidget(self.heading, 1)
        layout.addLayout(header)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.text = QTextEdit(readOnly=True)
        self.text.setPlaceholderText("The report text appears here.")
        splitter.addWidget(self.text)
        self.tabs = QTabWidget()
        self.values = QTreeWidget()
        self.values.setHeaderLabels(["Field", "Value", "Note"])
        self.values.setAlternatingRowColors(True)
        self.values.setRootIsDecorated(False)
        self.raw = QPlainTextEdit(readOnly=True)
        self.problems = QPlainTextEdit(readOnly=True)
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.raw.setFont(mono)
        self.tabs.addTab(self.values, "Values")
        self.tabs.addTab(self.raw, "Raw output")
        self.tabs.addTab(self.problems, "Problems")
        splitter.addWidget(self.tabs)
        splitter.setSizes([520, 420])
        layout.addWidget(splitter, 1)

    def show_record(self, record: Record | None, report: Report | None,
                    task: TaskDefinition | None) -> None:
        self.values.clear()
        if record is None:
            self.chip.hide()
            self.heading.setText("Select a record to see the report beside its values.")
            self.text.clear()
            self.raw.clear()
            self.problems.clear()
            return
        self.chip.setText(record.status)
        self.chip.setStyleSheet(status_chip_css(record.status))
        self.chip.show()
        facts = [f"<b>{record.id}</b>"]
        if record.seconds:
            facts.append(f"{record.seconds:.1f} s")
        if record.tokens_prompt:
            facts.append(f"{record.tokens_prompt} prompt tokens")
        self.heading.setText(" · ".join(facts))
        self.heading.setToolTip(record.source)
        self._show_values(record, task)
        self.raw.setPlainText(record.raw or "(the model gave no output for this report)")
        problems = []
        if record.error:
            problems.append(record.error)
        problems += [f"{name}: {reason}" for name, reason in record.field_errors.items()]
        problems += [f"warning: {w}" for w in record.warnings]
        self.problems.setPlainText("\n\n".join(problems) or "No problems.")
        self.tabs.setTabText(2, f"Problems ({len(problems)})" if problems else "Problems")
        if report is not None and report.text is not None:
            self._show_text(report.text, evidence_strings(record.fields or {}))
        else:
            reason = report.error if report is not None and report.error else (
                "The report text is not available (its input is no longer loaded).")
            self.text.setPlainText(reason)

    def _show_values(self, record: Record, task: TaskDefinition | None) -> None:
        fields = record.fields or {}
        names = [spec.name for spec in task.fields] if task else list(fields)
        red = QBrush(QColor("#991b1b"))
        for name in names:
            value = fields.get(name)
            shown = json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) \
                else display(value)
            reason = record.field_errors.get(name, "")
            item = QTreeWidgetItem([name, shown if value is not None else "—", reason])
            item.setToolTip(1, shown)
            if reason:
                item.setForeground(2, red)
                item.setToolTip(2, reason)
            self.values.addTopLevelItem(item)
        self.values.resizeColumnToContents(0)

    def _show_text(self, text: str, evidence: list[str]) -> None:
        self.text.setPlainText(text)
        document = self.text.document()
        fmt = QTextCharFormat()
        fmt.setBackground(EVIDENCE_COLOR)
        selections = []
        for needle in dict.fromkeys(evidence):
            cursor = QTextCursor(document)
            while True:
                cursor = document.find(needle, cursor, QTextDocument.FindFlag(0))
                if cursor.isNull():
                    break
                selection = QTextEdit.ExtraSelection()
                selection.cursor = cursor
                selection.format = fmt
                selections.append(selection)
        self.text.setExtraSelections(selections)
