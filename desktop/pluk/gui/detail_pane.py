"""The detail of one record: the report text on the left with the evidence of every value
highlighted at its offsets, and on the right the values with their evidence status, the
model's raw output, any error, and how the report was read (split, OCR, grouped documents,
warnings: reading_info). Selecting a value scrolls the text to its evidence; a value
with no evidence in the report is marked "ungrounded" in red, never hidden.

A record from before evidence existed gets it here, found in the text as a run would find it.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPlainTextEdit, QSplitter, QTabWidget,
                               QTextEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from pluk.core.extraction.evidence import find_evidence
from pluk.core.runs.records import Evidence, Record
from pluk.core.readers.reports import Report
from pluk.core.tasks import TaskDefinition
from pluk.gui.core_messages import translated
from pluk.gui.reading_info import ReadingView
from pluk.gui.results_model import display, status_word
from pluk.gui.widgets import fit_label, number
from pluk.gui.theme import status_chip_css

EVIDENCE_COLOR = QColor("#fde68a")
FUZZY_COLOR = QColor("#fef3c7")
WEAK_COLOR = QColor("#fee2e2")  # a number that only coincides with the value: look twice
CHOSEN_COLOR = QColor("#fdba74")
UNGROUNDED = QColor("#991b1b")
PATH_ROLE = Qt.ItemDataRole.UserRole + 1
EVIDENCE_COLUMN = 2


def ungrounded_text() -> str:
    return QCoreApplication.translate("DetailPane", "ungrounded")


def evidence_label(evidence: Evidence | None) -> str:
    """How a value's passage was found, in words: exact, fuzzy 0.93, or ungrounded (none)."""
    if evidence is None:
        return ""
    if evidence.status == "fuzzy":
        fuzzy = QCoreApplication.translate("DetailPane", "fuzzy")
        return (f"{fuzzy} {QLocale().toString(evidence.score, 'f', 2)}"
                if evidence.score is not None else fuzzy)
    if evidence.status == "not_found":
        return ungrounded_text()
    if evidence.status == "weak":
        return QCoreApplication.translate("DetailPane", "weak")
    return QCoreApplication.translate("DetailPane", "exact")


def qt_offsets(text: str) -> list[int]:
    """Qt's document position of each Python index of `text` (and of its end): Qt counts UTF-16
    units and reads "\\r\\n" as one line break."""
    out = [0]
    for index, char in enumerate(text):
        if char == "\r" and text[index + 1:index + 2] == "\n":
            width = 0
        else:
            width = 2 if ord(char) > 0xFFFF else 1
        out.append(out[-1] + width)
    return out


def usable_evidence(record: Record, text: str | None, task: TaskDefinition | None
                    ) -> dict[str, Evidence]:
    """The record's evidence, found now if the record predates it, for this text."""
    if text is None:
        return {}
    evidence = record.evidence
    if not evidence and task is not None and record.fields and record.status != "error":
        evidence = find_evidence(task, record.fields, text)
    return {path: e for path, e in evidence.items()
            if e.status == "not_found" or text[e.start:e.end] == e.quote}


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return display(value)


class EvidenceText(QTextEdit):
    """A report's text with the evidence of each value highlighted at its offsets; `choose`
    marks one value's passage and scrolls to it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setPlaceholderText(self.tr("The report text appears here."))
        self.evidence: dict[str, Evidence] = {}
        self.chosen: str | None = None
        self._offsets: list[int] = [0]

    def show_text(self, text: str | None, evidence: dict[str, Evidence],
                  missing: str = "") -> None:
        self.evidence = evidence if text is not None else {}
        self.chosen = None
        if text is None:
            self.setPlainText(missing)
            self._offsets = [0]
        else:
            self.setPlainText(text)
            self._offsets = qt_offsets(text)
        self._paint()

    def _shown(self, evidence: Evidence | None) -> bool:
        return (evidence is not None and evidence.status != "not_found"
                and evidence.end < len(self._offsets))

    def highlighted_paths(self) -> list[str]:
        return [p for p, e in self.evidence.items() if self._shown(e)]

    def _cursor(self, evidence: Evidence) -> QTextCursor:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._offsets[evidence.start])
        cursor.setPosition(self._offsets[evidence.end], QTextCursor.MoveMode.KeepAnchor)
        return cursor

    def _paint(self) -> None:
        selections = []
        # The chosen passage last, so it shows above a longer one around it.
        for path in sorted(self.highlighted_paths(), key=lambda p: p == self.chosen):
            evidence = self.evidence[path]
            fmt = QTextCharFormat()
            fmt.setBackground(CHOSEN_COLOR if path == self.chosen else (
                FUZZY_COLOR if evidence.status == "fuzzy" else WEAK_COLOR
                if evidence.status == "weak" else EVIDENCE_COLOR))
            if evidence.status in ("fuzzy", "weak"):
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            fmt.setToolTip(path)
            selection = QTextEdit.ExtraSelection()
            selection.cursor = self._cursor(evidence)
            selection.format = fmt
            selections.append(selection)
        self.setExtraSelections(selections)

    def choose(self, path: str | None) -> bool:
        """Mark this value's passage and scroll to it; False when it has none to show."""
        self.chosen = path
        self._paint()
        evidence = self.evidence.get(path) if path else None
        if not self._shown(evidence):
            return False
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._offsets[evidence.start])
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        return True

    def cursor_offset(self) -> int:
        """The Python offset of the text cursor (to check where a scroll went)."""
        return self._offsets.index(self.textCursor().position())


class DetailPane(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.evidence: dict[str, Evidence] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.heading = QLabel(self.select_text())
        self.heading.setObjectName("muted")
        fit_label(self.heading)
        self.chip = QLabel()
        self.chip.hide()
        header.addWidget(self.chip)
        header.addWidget(self.heading, 1)
        layout.addLayout(header)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.text = EvidenceText()
        splitter.addWidget(self.text)
        self.tabs = QTabWidget()
        self.values = QTreeWidget()
        self.values.setHeaderLabels([self.tr("Field"), self.tr("Value"), self.tr("Evidence"),
                                     self.tr("Note")])
        self.values.setAlternatingRowColors(True)
        self.values.currentItemChanged.connect(self._on_value_chosen)
        self.raw = QPlainTextEdit(readOnly=True)
        self.problems = QPlainTextEdit(readOnly=True)
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.raw.setFont(mono)
        self.tabs.addTab(self.values, self.tr("Values"))
        self.tabs.addTab(self.raw, self.tr("Raw output"))
        self.tabs.addTab(self.problems, self.tr("Problems"))
        self.reading = ReadingView()
        self.tabs.addTab(self.reading, self.tr("Reading"))
        splitter.addWidget(self.tabs)
        splitter.setSizes([520, 420])
        layout.addWidget(splitter, 1)

    def select_text(self) -> str:
        return self.tr("Select a record to see the report beside its values.")

    def show_record(self, record: Record | None, report: Report | None,
                    task: TaskDefinition | None) -> None:
        self.values.clear()
        self.evidence = {}
        self.reading.show_record(record)
        if record is None:
            self.chip.hide()
            self.heading.setText(self.select_text())
            self.text.clear()
            self.raw.clear()
            self.problems.clear()
            return
        self.chip.setText(status_word(record.status))
        self.chip.setStyleSheet(status_chip_css(record.status))
        self.chip.show()
        facts = [f"<b>{record.id}</b>"]
        if record.seconds:
            facts.append(f"{number(record.seconds)} s")
        if record.tokens_prompt:
            facts.append(self.tr("{n} prompt tokens").format(n=record.tokens_prompt))
        text = report.text if report is not None else None
        self.evidence = usable_evidence(record, text, task)
        ungrounded = sum(1 for e in self.evidence.values() if e.status == "not_found")
        if ungrounded:
            facts.append("<span style='color:#991b1b'>{}</span>".format(
                self.tr("%n ungrounded", "", ungrounded)))
        weak = sum(1 for e in self.evidence.values() if e.status == "weak")
        if weak:
            facts.append("<span style='color:#991b1b'>{}</span>".format(
                self.tr("%n weak", "", weak)))
        self.heading.setText(" · ".join(facts))
        self.heading.setToolTip(record.source)
        self._show_values(record, task)
        raw = record.raw or self.tr("(the model gave no output for this report)")
        thinking = record.thinking
        if thinking is not None:
            # A thinking model's reasoning, for review here only (never logged or exported).
            said = self.tr("Thinking: %n token(s) of a {budget}-token budget", "",
                           thinking.tokens).format(budget=thinking.budget)
            if thinking.budget_hit:
                said += " · " + self.tr("the budget closed it")
            raw = "\n\n".join([said, record.thinking_text or "", self.tr("Answer:"), raw])
        self.raw.setPlainText(raw)
        problems = []
        if record.error:
            problems.append(translated(record.error))
        problems += [f"{name}: {translated(reason)}"
                     for name, reason in record.field_errors.items()]
        problems += [self.tr("warning: {text}").format(text=w) for w in record.warnings]
        self.problems.setPlainText("\n\n".join(problems) or self.tr("No problems."))
        self.tabs.setTabText(2, self.tr("Problems ({n})").format(n=len(problems)) if problems
                             else self.tr("Problems"))
        reason = report.error if report is not None and report.error else self.tr(
            "The report text is not available (its input is no longer loaded).")
        self.text.show_text(text, self.evidence, reason)

    # -- values ---------------------------------------------------------------------------------

    def _item(self, path: str, label: str, value: Any, note: str = "") -> QTreeWidgetItem:
        shown = _shown(value)
        evidence = self.evidence.get(path)
        item = QTreeWidgetItem([label, shown, evidence_label(evidence), note])
        item.setData(0, PATH_ROLE, path)
        item.setToolTip(1, shown)
        if evidence is not None:
            if evidence.status == "not_found":
                item.setForeground(EVIDENCE_COLUMN, QBrush(UNGROUNDED))
                item.setToolTip(EVIDENCE_COLUMN, self.tr("No passage of the report supports "
                                                         "this value: check it against the "
                                                         "text"))
            elif evidence.status == "weak":
                item.setForeground(EVIDENCE_COLUMN, QBrush(UNGROUNDED))
                item.setToolTip(EVIDENCE_COLUMN, self.tr(
                    "Only a number that is not next to this field's words matches: \"{quote}\". "
                    "Check the value against the text").format(quote=evidence.quote))
            else:
                item.setToolTip(EVIDENCE_COLUMN, evidence.quote)
        if note:
            item.setForeground(3, QBrush(UNGROUNDED))
            item.setToolTip(3, note)
        return item

    def _children(self, parent: QTreeWidgetItem, value: Any, path: str) -> None:
        entries = (value.items() if isinstance(value, dict)
                   else ((f"[{i}]", v) for i, v in enumerate(value)))
        for key, item_value in entries:
            child_path = f"{path}{key}" if key.startswith("[") else f"{path}.{key}"
            child = self._item(child_path, key, item_value)
            parent.addChild(child)
            if isinstance(item_value, (dict, list)) and item_value:
                self._children(child, item_value, child_path)

    def _show_values(self, record: Record, task: TaskDefinition | None) -> None:
        fields = record.fields or {}
        names = [spec.name for spec in task.fields] if task else list(fields)
        for name in names:
            value = fields.get(name)
            note = translated(record.field_errors.get(name, ""))
            agreed = (record.agreement or {}).get(name)
            if not note and record.passes and agreed is not None and agreed < record.passes:
                note = self.tr("{k} of {n} answers gave this value").format(
                    k=agreed, n=record.passes)
            item = self._item(name, name, value, note)
            self.values.addTopLevelItem(item)
            if isinstance(value, (dict, list)) and value:
                self._children(item, value, name)
        self.values.expandAll()
        for column in range(self.values.columnCount() - 1):  # the last one stretches
            self.values.resizeColumnToContents(column)

    def item_for(self, path: str) -> QTreeWidgetItem | None:
        for item in _walk(self.values.invisibleRootItem()):
            if item.data(0, PATH_ROLE) == path:
                return item
        return None

    def select_field(self, path: str) -> bool:
        """Choose a value in the list, and so scroll the text to its evidence."""
        item = self.item_for(path)
        if item is None:
            return False
        self.values.setCurrentItem(item)
        return True

    def _on_value_chosen(self, current: QTreeWidgetItem | None, _previous) -> None:
        self.text.choose(current.data(0, PATH_ROLE) if current is not None else None)


def _walk(root: QTreeWidgetItem):
    for index in range(root.childCount()):
        child = root.child(index)
        yield child
        yield from _walk(child)
