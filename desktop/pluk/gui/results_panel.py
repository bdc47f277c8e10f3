"""The results table with its filter bar: status, a field, and a text to look for; the table
sorts by any column and keeps the selected record in the detail pane. The Reading column
(split, OCR, grouped, warnings) comes in when the first record that needs it arrives."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QStackedWidget, QTableView, QVBoxLayout,
                               QWidget)

from pluk.core.runs.records import Record
from pluk.core.runs.reviews import Review, ReviewLog, latest_reviews
from pluk.core.tasks import TaskDefinition
from pluk.gui.i18n import task_title
from pluk.gui.results_model import (READING_COLUMN, RECORD_ROLE, ResultsFilter, ResultsModel,
                                    status_word)
from pluk.gui.widgets import ElidedLabel, Notice

READING_WIDTH = 190  # "split in 4 · OCR 93% · 3 documents"; the rest is in its tooltip


class ResultsPanel(QWidget):
    record_selected = Signal(object)  # Record | None
    export_requested = Signal()
    review_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.run_dir: Path | None = None
        self.model = ResultsModel(self)
        self.proxy = ResultsFilter(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        # "Results · task · run folder": elided, so a long title never widens the window.
        self.title = ElidedLabel()
        self.title.set_full_text("", bold_prefix=self.tr("Results"))
        bar.addWidget(self.title, 1)
        self.status_combo = QComboBox()
        self.status_combo.addItem(self.tr("All statuses"), None)
        for value in ("ok", "invalid", "error"):
            self.status_combo.addItem(status_word(value), value)
        self.field_combo = QComboBox()
        self.field_combo.setMinimumContentsLength(10)
        self.field_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Filter by value…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(110)
        self.search.setMaximumWidth(220)
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self.export_requested)
        self.review_button = QPushButton(self.tr("Review…"))
        self.review_button.setToolTip(
            self.tr("Check the values report by report, most uncertain first"))
        self.review_button.setEnabled(False)
        self.review_button.clicked.connect(self.review_requested)
        for widget in (self.status_combo, self.field_combo, self.search, self.review_button,
                       self.export_button):
            bar.addWidget(widget)
        layout.addLayout(bar)
        self.notice = Notice()
        layout.addWidget(self.notice)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # arrival order until asked
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The last column keeps its width; spare room stays empty rather than one wide column.
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setWordWrap(False)
        # Tab leaves the table (arrows move between cells): Tab took ~80 presses to reach Start.
        self.table.setTabKeyNavigation(False)
        self.empty = QLabel(self.tr("Results appear here, one row per report, as each report "
                                    "is finished.\nPrevious runs can be opened from the "
                                    "Previous runs tab."))
        self.empty.setWordWrap(True)
        self.empty.setObjectName("emptyHint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.table)
        layout.addWidget(self.stack, 1)
        self.field_combo.hide()
        self.count = QLabel("")
        self.count.setObjectName("muted")
        layout.addWidget(self.count)

        self.status_combo.currentIndexChanged.connect(self._apply_filter)
        self.field_combo.currentIndexChanged.connect(self._apply_filter)
        self.search.textChanged.connect(self._apply_filter)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        for signal in (self.model.rowsInserted, self.model.modelReset, self.model.dataChanged):
            signal.connect(self._update_count)
        self.model.columnsInserted.connect(self._on_reading_shown)

    def show_run(self, run_dir: Path, task: TaskDefinition, records: list[Record]) -> None:
        self.run_dir = Path(run_dir)
        self.notice.hide()
        # The run's reviews, as the Review tab reads them; a review stored later comes by
        # show_review.
        self.model.reset(task, records, latest_reviews(ReviewLog(run_dir, task).read(), records))
        self.title.set_full_text(f"· {task_title(task)} · {self.run_dir.name}",
                                 bold_prefix=self.tr("Results"))
        self._fill_field_combo(keep=False)
        self.field_combo.show()
        self.stack.setCurrentWidget(self.table)
        self._apply_filter()
        widths = [80, 170] + ([READING_WIDTH] if self.model.reading_shown else []) + [
            max(90, min(180, 9 * len(c))) for c in self.model.field_columns]
        for column, width in enumerate(widths):
            self.table.setColumnWidth(column, width)
        self.record_selected.emit(None)

    def _fill_field_combo(self, keep: bool = True) -> None:
        """One entry per column; with `keep`, the chosen column stays chosen (the Reading
        column coming in moves the fields one to the right)."""
        chosen = self.field_combo.currentText() if keep else ""
        self.field_combo.blockSignals(True)
        self.field_combo.clear()
        self.field_combo.addItem(self.tr("in any column"), None)
        for column, header in enumerate(self.model.headers()):
            self.field_combo.addItem(self.tr("in {column}").format(column=header), column)
        self.field_combo.setCurrentIndex(max(0, self.field_combo.findText(chosen)))
        self.field_combo.blockSignals(False)

    def _on_reading_shown(self, *_args) -> None:
        self._fill_field_combo()
        self.table.setColumnWidth(READING_COLUMN, READING_WIDTH)
        self._apply_filter()

    def show_review(self, review: Review) -> None:
        self.model.set_review(review)

    def add_record(self, record: Record) -> None:
        self.model.add(record)

    def select_record(self, record_id: str) -> bool:
        """Select a record's row (clearing a filter that hides it); False if it is not here."""
        row = self.model.row_of(record_id)
        if row is None:
            return False
        source = self.model.index(row, 0)
        if not self.proxy.mapFromSource(source).isValid():
            self.status_combo.setCurrentIndex(0)
            self.search.clear()
        self.table.setCurrentIndex(self.proxy.mapFromSource(source))
        self.table.scrollTo(self.table.currentIndex())
        return True

    def set_exportable(self, exportable: bool) -> None:
        self.export_button.setEnabled(exportable)
        self.review_button.setEnabled(exportable)

    def _apply_filter(self) -> None:
        self.proxy.set_filter(self.status_combo.currentData(), self.field_combo.currentData(),
                              self.search.text())
        self._update_count()

    def _update_count(self, *_args) -> None:
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        counts = {s: 0 for s in ("ok", "invalid", "error")}
        for record in self.model.records:
            counts[record.status] += 1
        text = self.tr("%n record(s)", "", total) + " · " + self.tr(
            "ok {ok} · invalid {invalid} · error {error}").format(
            ok=counts["ok"], invalid=counts["invalid"], error=counts["error"])
        if shown != total:
            text += " · " + self.tr("%n shown", "", shown)
        self.count.setText(text)

    def _on_current(self, current, _previous) -> None:
        self.record_selected.emit(current.data(RECORD_ROLE) if current.isValid() else None)
