"""The Review tab: a person checks a run's values report by report, beside the report text with
each value's evidence highlighted, and accepts, corrects or rejects every field.

Records come in the order the reviewer picks, by default the most uncertain first (the core's
review_order). Everything is keyboard driven: A accepts the chosen field, Shift+A (or
Ctrl+Enter) accepts every field of the report not reviewed yet, C (or F2) opens the typed
editor and Enter stores the correction (a value outside the field's bounds is refused with the
reason), R rejects with the chosen reason, N and P (or Page Down and Page Up) go to the next and
previous report. Each decision is appended to the run's reviews.jsonl at once; records.jsonl is
never touched.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QPushButton, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from pluk.core.readers.reports import Report
from pluk.core.runs.folder import now_iso
from pluk.core.runs.records import Record
from pluk.core.runs.review_order import ORDERS, review_order
from pluk.core.runs.reviews import (REASONS, Review, ReviewError, ReviewLog, field_error,
                                    is_reviewed, latest_reviews, review_fields, value_at)
from pluk.core.tasks import TaskDefinition
from pluk.gui.detail_pane import EvidenceText, evidence_label, ungrounded_text, usable_evidence
from pluk.gui.core_messages import translated
from pluk.gui.i18n import task_title
from pluk.gui.review_editor import ValueEditor
from pluk.gui.review_words import (COL_EVIDENCE, COL_FIELD, COL_STATUS, ORDER_LABELS,
                                   REASON_WORDS, STATUS_COLORS, VERDICT_WORDS, CONTEXT, shown,
                                   word)
from pluk.gui.widgets import ElidedLabel, fit_label

class ReviewPanel(QWidget):
    reviewer_changed = Signal(str)
    review_stored = Signal(object)  # Review

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.run_dir: Path | None = None
        self.task: TaskDefinition | None = None
        self.records: list[Record] = []
        self.order: list[Record] = []
        self.index = -1
        self.latest: dict[tuple[str, str], Review] = {}
        self.paths: list[tuple[str, Any]] = []
        self._editing: tuple[str, str] | None = None  # the (record id, field) in the editor
        self.evidence: dict = {}
        self.running = False
        self.report_for: Callable[[str], Report | None] = lambda _id: None
        self._build()
        self._shortcuts()
        self._enable(False)

    # -- layout ---------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.title = ElidedLabel()
        self.title.set_full_text("", bold_prefix=self.tr("Review"))
        self.order_combo = QComboBox()
        for order in ORDERS:
            self.order_combo.addItem(QCoreApplication.translate(CONTEXT, ORDER_LABELS[order]), order)
        self.order_combo.currentIndexChanged.connect(lambda _i: self.set_order(
            self.order_combo.currentData()))
        self.reviewer_edit = QLineEdit(_login_name())
        self.reviewer_edit.setPlaceholderText(self.tr("Your name"))
        self.reviewer_edit.setMaximumWidth(180)
        self.reviewer_edit.setMinimumWidth(90)
        self.reviewer_edit.editingFinished.connect(
            lambda: self.reviewer_changed.emit(self.reviewer_edit.text().strip()))
        self.progress = QLabel("")
        self.progress.setObjectName("muted")
        bar.addWidget(self.title, 1)
        bar.addWidget(self.progress)
        bar.addWidget(QLabel(self.tr("Order")))
        bar.addWidget(self.order_combo)
        bar.addWidget(QLabel(self.tr("Reviewer")))
        bar.addWidget(self.reviewer_edit)
        layout.addLayout(bar)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.record_list = QListWidget()
        self.record_list.currentRowChanged.connect(self._on_record_row)
        self.text = EvidenceText()
        self.fields = QTableWidget(0, 5)
        self.fields.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Model value"),
                                               self.tr("Evidence"), self.tr("Review"),
                                               self.tr("Reviewed value")])
        self.fields.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.fields.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.fields.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fields.verticalHeader().setVisible(False)
        self.fields.setTabKeyNavigation(False)  # Tab goes on to the buttons
        self.fields.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.fields.horizontalHeader().setStretchLastSection(True)
        self.fields.currentCellChanged.connect(lambda row, *_: self._on_field_row(row))
        for widget in (self.record_list, self.text, self.fields):
            split.addWidget(widget)
        split.setSizes([170, 420, 430])
        layout.addWidget(split, 1)

        # Three short rows (moving, deciding, correcting) keep the tab narrow in any language.
        moving, actions, correcting = QHBoxLayout(), QHBoxLayout(), QHBoxLayout()
        self.prev_button = QPushButton(self.tr("◀ Previous (P)"))
        self.next_button = QPushButton(self.tr("Next (N) ▶"))
        self.accept_button = QPushButton(self.tr("Accept (A)"))
        self.accept_all_button = QPushButton(self.tr("Accept all (Shift+A)"))
        self.editor = ValueEditor()
        self.editor.submitted.connect(self.save_correction)
        self.correct_button = QPushButton(self.tr("Save correction (Enter)"))
        self.reason_combo = QComboBox()
        for reason in REASONS:
            self.reason_combo.addItem(QCoreApplication.translate(CONTEXT, REASON_WORDS.get(
                reason, reason)), reason)
        self.reject_button = QPushButton(self.tr("Reject (R)"))
        self.prev_button.clicked.connect(self.previous_record)
        self.next_button.clicked.connect(self.next_record)
        self.accept_button.clicked.connect(self.accept)
        self.accept_all_button.clicked.connect(self.accept_all)
        self.correct_button.clicked.connect(self.save_correction)
        self.reject_button.clicked.connect(lambda: self.reject())
        moving.addWidget(self.prev_button)
        moving.addWidget(self.next_button)
        moving.addStretch(1)
        for widget in (self.accept_button, self.accept_all_button):
            actions.addWidget(widget)
        actions.addStretch(1)
        actions.addWidget(self.reason_combo)
        actions.addWidget(self.reject_button)
        correcting.addWidget(QLabel(self.tr("Correct (C):")))
        correcting.addWidget(self.editor, 1)
        correcting.addWidget(self.correct_button)
        for row in (moving, actions, correcting):
            layout.addLayout(row)
        self.message = QLabel(self.tr("Open or finish a run to review its records."))
        self.message.setObjectName("muted")
        fit_label(self.message)
        layout.addWidget(self.message)

    def _shortcuts(self) -> None:
        context = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for keys, slot in ((("A",), self.accept), (("Shift+A", "Ctrl+Return"), self.accept_all),
                           (("N", "PgDown"), self.next_record),
                           (("P", "PgUp"), self.previous_record),
                           (("C", "F2"), self.start_correction), (("R",), self.reject)):
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self, context=context)
                shortcut.activated.connect(slot)

    def _enable(self, enabled: bool) -> None:
        for widget in (self.prev_button, self.next_button, self.accept_button,
                       self.accept_all_button, self.correct_button, self.reject_button,
                       self.editor, self.reason_combo, self.fields):
            widget.setEnabled(enabled)

    # -- the run --------------------------------------------------------------------------------

    def set_reviewer(self, name: str) -> None:
        if name:
            self.reviewer_edit.setText(name)

    def reviewer(self) -> str:
        return self.reviewer_edit.text().strip() or "unknown"

    def show_run(self, run_dir: Path, task: TaskDefinition, records: list[Record]) -> None:
        self.run_dir, self.task = Path(run_dir), task
        self.records = list(records)
        self.paths = review_fields(task)
        self.latest = latest_reviews(ReviewLog(self.run_dir).read(), self.records)
        self.title.set_full_text(f"· {task_title(task)} · {self.run_dir.name}",
                                 bold_prefix=self.tr("Review"))
        self.set_order(self.order_combo.currentData())

    def add_record(self, record: Record) -> None:
        """A record arriving during a run goes to the end of the list."""
        self.records = [r for r in self.records if r.id != record.id] + [record]
        self.order = [r for r in self.order if r.id != record.id] + [record]
        self._fill_list(keep=self.index)

    def refresh(self, *_args) -> None:
        """Show the current report again (its text may have been read meanwhile)."""
        if self.current_record() is not None:
            row = self.fields.currentRow()
            self._show_record()
            if row >= 0:
                self._choose_field(row)

    def set_running(self, running: bool) -> None:
        was_running, self.running = self.running, running
        if running:
            self._enable(False)
            self.message.setText(self.tr("A run is going on: review when it has finished."))
        elif was_running and self.task is not None:
            self.set_order(self.order_combo.currentData())  # the run's records, sorted now
        else:
            self._enable(bool(self.order))

    def set_order(self, order: str) -> None:
        if self.task is None:
            return
        self.order = review_order(self.task, self.records, order)
        self._fill_list(keep=0)

    def _fill_list(self, keep: int) -> None:
        self.record_list.blockSignals(True)
        self.record_list.clear()
        for record in self.order:
            self.record_list.addItem(QListWidgetItem(self._list_text(record)))
        self.record_list.blockSignals(False)
        self._enable(bool(self.order) and not self.running)
        self._update_progress()
        if self.order:
            self.go(min(max(keep, 0), len(self.order) - 1))
        else:
            self.index = -1
            self.message.setText(self.tr("This run has no records to review."))

    def _list_text(self, record: Record) -> str:
        done = sum((record.id, p) in self.latest for p, _ in self.paths)
        mark = "✓" if done == len(self.paths) else "◐" if done else "•"
        return f"{mark} {record.id}"

    def _update_progress(self) -> None:
        self.progress.setText(self.progress_text())

    def progress_text(self) -> str:
        if self.task is None:
            return ""
        done = sum(1 for r in self.records if is_reviewed(self.task, r, self.latest))
        return self.tr("{done} of {total} reviewed").format(done=done,
                                                             total=len(self.records))

    # -- moving ---------------------------------------------------------------------------------

    def current_record(self) -> Record | None:
        return self.order[self.index] if 0 <= self.index < len(self.order) else None

    def current_path(self) -> str | None:
        row = self.fields.currentRow()
        return self.paths[row][0] if 0 <= row < len(self.paths) else None

    def go(self, index: int) -> None:
        if not (0 <= index < len(self.order)):
            return
        self.index = index
        if self.record_list.currentRow() != index:
            self.record_list.blockSignals(True)
            self.record_list.setCurrentRow(index)
            self.record_list.blockSignals(False)
        self._show_record()

    def next_record(self) -> None:
        self.go(self.index + 1)

    def previous_record(self) -> None:
        self.go(self.index - 1)

    def _on_record_row(self, row: int) -> None:
        if row != self.index:
            self.go(row)

    def _show_record(self) -> None:
        record = self.current_record()
        report = self.report_for(record.id)
        text = report.text if report is not None else None
        self.evidence = usable_evidence(record, text, self.task)
        self.text.show_text(text, self.evidence, report.error if report is not None and
                            report.error else self.tr("The report text is not available (its "
                                                      "input is no longer loaded)."))
        self.fields.setRowCount(len(self.paths))
        for row, (path, _spec) in enumerate(self.paths):
            self._fill_row(row)
        # Every column at least as wide as its header, so no header is cut (issue 26).
        bold = self.fields.horizontalHeader().font()
        bold.setBold(True)  # the theme's headers are bold
        metrics = QFontMetrics(bold)
        for column in range(self.fields.columnCount()):
            self.fields.resizeColumnToContents(column)
            title = self.fields.horizontalHeaderItem(column).text()
            self.fields.setColumnWidth(column, max(self.fields.columnWidth(column),
                                                   metrics.horizontalAdvance(title) + 24))
        self.message.setText(self.tr("Report {n} of {total}: {id}").format(
            n=self.index + 1, total=len(self.order), id=record.id))
        self._choose_field(self._first_open_row())
        self.fields.setFocus()

    def _choose_field(self, row: int) -> None:
        """Make `row` current and load it into the editor, also when Qt sees no change (a new
        report on the last one's row left the last report's value in the editor)."""
        self.fields.setCurrentCell(row, COL_FIELD)
        self._on_field_row(self.fields.currentRow())

    def _first_open_row(self) -> int:
        record = self.current_record()
        return next((row for row, (path, _) in enumerate(self.paths)
                     if (record.id, path) not in self.latest), 0)

    def _evidence_of(self, path: str) -> str:
        direct = self.evidence.get(path)
        if direct is not None:
            return evidence_label(direct)
        inner = [e for p, e in self.evidence.items() if p.startswith(path + "[")
                 or p.startswith(path + ".")]
        if not inner:
            return ""
        missing = sum(e.status in ("not_found", "weak") for e in inner)
        return self.tr("{found} of {total} grounded").format(found=len(inner) - missing,
                                                              total=len(inner))

    def _fill_row(self, row: int) -> None:
        record = self.current_record()
        path, _spec = self.paths[row]
        value = value_at(record.fields, path)
        failed = field_error(record, path)
        review = self.latest.get((record.id, path))
        cells = [path, f"— ({failed})" if failed and value is None else shown(value),
                 self._evidence_of(path), word(VERDICT_WORDS, review.verdict) if review
                 else "", "" if review is None else (
                     word(REASON_WORDS, review.reason) if review.verdict == "rejected"
                     else shown(review.value))]
        for column, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            if column == COL_EVIDENCE and text == ungrounded_text():
                item.setForeground(QBrush(QColor("#991b1b")))
            if column == COL_STATUS and review is not None:
                item.setForeground(QBrush(QColor(STATUS_COLORS[review.verdict])))
            self.fields.setItem(row, column, item)

    def _on_field_row(self, row: int) -> None:
        record = self.current_record()
        if record is None or not (0 <= row < len(self.paths)):
            return
        path, spec = self.paths[row]
        if not self.text.choose(path):
            inner = next((p for p in self.evidence if p.startswith(path + "[")), None)
            self.text.choose(inner)
        review = self.latest.get((record.id, path))
        start = review.value if review is not None and review.verdict == "corrected" else \
            value_at(record.fields, path)
        self.editor.set_field(spec, start)
        self._editing = (record.id, path)

    # -- deciding -------------------------------------------------------------------------------

    def _store(self, path: str, verdict: str, value: Any = None, reason: str | None = None
               ) -> bool:
        record = self.current_record()
        if record is None or self.run_dir is None:
            return False
        review = Review(record_id=record.id, sha256=record.sha256, field=path, verdict=verdict,
                        model_value=value_at(record.fields, path), value=value, reason=reason,
                        reviewer=self.reviewer(), time=now_iso())
        try:
            ReviewLog(self.run_dir).append(review)
        except ReviewError as exc:
            self.message.setText(translated(str(exc)))
            return False
        self.latest[(record.id, path)] = review
        self._fill_row(next(i for i, (p, _) in enumerate(self.paths) if p == path))
        self.record_list.item(self.index).setText(self._list_text(record))
        self._update_progress()
        self.review_stored.emit(review)
        return True

    def _advance_field(self) -> None:
        row = self.fields.currentRow()
        if row + 1 < len(self.paths):
            self.fields.setCurrentCell(row + 1, COL_FIELD)

    def accept(self) -> None:
        path = self.current_path()
        if path is None or not self.fields.isEnabled():
            return
        if self._store(path, "accepted", value_at(self.current_record().fields, path)):
            self.message.setText(self.tr("Accepted {field}.").format(field=path))
            self._advance_field()

    def accept_all(self) -> None:
        """Accept every field of this report that has no review yet, then go on."""
        record = self.current_record()
        if record is None or not self.fields.isEnabled():
            return
        open_paths = [p for p, _ in self.paths if (record.id, p) not in self.latest]
        for path in open_paths:
            if not self._store(path, "accepted", value_at(record.fields, path)):
                return
        self.message.setText(self.tr("Accepted %n field(s) of {id}.", "",
                                     len(open_paths)).format(id=record.id))
        self.next_record()

    def start_correction(self) -> None:
        if self.current_path() is not None and self.fields.isEnabled():
            self.editor.focus()

    def save_correction(self) -> None:
        path = self.current_path()
        if path is None or not self.fields.isEnabled():
            return
        record = self.current_record()
        if self._editing != (record.id, path):  # another report's or field's value: never here
            self._on_field_row(self.fields.currentRow())
            return self.message.setText(self.tr("Not stored: the editor showed another field; "
                                                "it now shows {field} of {id}.").format(
                                                    field=path, id=record.id))
        try:
            value = self.editor.value()
        except ReviewError as exc:
            self.message.setText(self.tr("Not stored: {reason}.").format(
                reason=translated(str(exc))))
            self.message.setObjectName("problem")
            self.message.style().polish(self.message)
            return
        self.message.setObjectName("muted")
        self.message.style().polish(self.message)
        if self._store(path, "corrected", value):
            self.message.setText(self.tr("Corrected {field} to {value}.").format(
                field=path, value=shown(value)))
            self._advance_field()
            self.fields.setFocus()

    def reject(self, reason: str | None = None) -> None:
        path = self.current_path()
        if path is None or not self.fields.isEnabled():
            return
        reason = reason or self.reason_combo.currentData()
        if self._store(path, "rejected", None, reason):
            self.message.setText(self.tr("Rejected {field}: {reason}.").format(
                field=path, reason=word(REASON_WORDS, reason)))
            self._advance_field()


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some frozen or service set-ups
        return ""
