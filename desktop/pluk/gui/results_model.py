"""The results as a Qt table model: one row per record, one column per field (the same columns,
flattened the same way, as the CSV export), filled in as records arrive; and the proxy that sorts
numbers as numbers and filters by status and by field value.

After Status and Report, a Reading column says which reports were split, read by OCR, grouped
from several documents or have warnings (see reading_info); it is there only once a record of
the run has something to say, so a plain run keeps the export's columns.

A value a person reviewed shows as reviewed (reviews.jsonl, the latest per field of the very
text the record was made from): the correction, the accepted value, or the model's value struck
through when rejected; each with a mark and colour for its review status and a tooltip with the
model's value. Sorting and the filter use the reviewed value, as the `:reviewed` export column."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QModelIndex,
                            QSortFilterProxyModel, QT_TRANSLATE_NOOP, Qt)
from PySide6.QtGui import QColor, QFont

from pluk.core.runs import export
from pluk.core.runs.records import Record
from pluk.core.runs.reviews import Review, review_fields, reviewed_value
from pluk.core.tasks import TaskDefinition
from pluk.gui.core_messages import translated
from pluk.gui.reading_info import ReadingWords, has_reading
from pluk.gui.theme import status_colors

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
RECORD_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_COLUMN, ID_COLUMN, READING_COLUMN = 0, 1, 2


STATUS_WORDS = {"ok": QT_TRANSLATE_NOOP("ResultsModel", "ok"),
                "invalid": QT_TRANSLATE_NOOP("ResultsModel", "invalid"),
                "error": QT_TRANSLATE_NOOP("ResultsModel", "error")}


# The review statuses' colours and marks, shared with the Review tab.
REVIEW_COLORS = {"accepted": "#166534", "corrected": "#1e40af", "rejected": "#991b1b"}
REVIEW_MARKS = {"accepted": "\u2713", "corrected": "\u270e", "rejected": "\u2717"}
VERDICT_WORDS = {"accepted": QT_TRANSLATE_NOOP("ReviewPanel", "accepted"),
                 "corrected": QT_TRANSLATE_NOOP("ReviewPanel", "corrected"),
                 "rejected": QT_TRANSLATE_NOOP("ReviewPanel", "rejected")}


def _tr(text: str) -> str:
    return QCoreApplication.translate("ResultsModel", text)


def status_word(status: str) -> str:
    """A record's status in the window's language (the data keeps ok / invalid / error)."""
    return _tr(STATUS_WORDS[status]) if status in STATUS_WORDS else status


def display(value: Any) -> str:
    """A value as the window shows it: yes/no in words, numbers with the locale's decimal
    mark, the shortest form that gives the number back ("9.7", not "9.699999")."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return (QCoreApplication.translate("ResultsModel", "yes") if value
                else QCoreApplication.translate("ResultsModel", "no"))
    if isinstance(value, float):
        from pluk.gui.widgets import short_number

        return short_number(value)
    return str(value)


class ResultsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.task: TaskDefinition | None = None
        self.field_columns: list[str] = []
        self.records: list[Record] = []
        self._rows: list[dict[str, Any]] = []
        self._row_of: dict[str, int] = {}
        self.reading_shown = False  # whether the Reading column is there
        self._reading = ReadingWords(self)
        self.reviews: dict[tuple[str, str], Review] = {}  # (record id, path): the latest
        self._review_paths: set[str] = set()

    def reset(self, task: TaskDefinition | None, records: list[Record],
              reviews: dict[tuple[str, str], Review] | None = None) -> None:
        self.beginResetModel()
        self.task = task
        self.field_columns = export.columns(task)[len(export.BASE_COLUMNS):] if task else []
        self.reviews = dict(reviews or {})
        self._review_paths = {p for p, _ in review_fields(task)} if task else set()
        self.records, self._rows, self._row_of = [], [], {}
        for record in records:
            self._store(record)
        self.reading_shown = any(has_reading(r) for r in records)
        self.endResetModel()

    def _store(self, record: Record) -> None:
        self._row_of[record.id] = len(self.records)
        self.records.append(record)
        self._rows.append(export.record_row(self.task, record))

    def add(self, record: Record) -> None:
        """A record for a report already shown (a resumed run redoing it) replaces its row."""
        if self.task is None:
            return
        if not self.reading_shown and has_reading(record):
            self.beginInsertColumns(QModelIndex(), READING_COLUMN, READING_COLUMN)
            self.reading_shown = True
            self.endInsertColumns()
        row = self._row_of.get(record.id)
        if row is not None:
            self.records[row] = record
            self._rows[row] = export.record_row(self.task, record)
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
            return
        position = len(self.records)
        self.beginInsertRows(QModelIndex(), position, position)
        self._store(record)
        self.endInsertRows()

    def set_review(self, review: Review) -> None:
        """A review just stored: its row shows the reviewed value from now on."""
        self.reviews[(review.record_id, review.field)] = review
        row = self.row_of(review.record_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def review_at(self, row: int, column: int) -> Review | None:
        """The review that holds for a cell: of its field, of this very report text."""
        field = self.field_at(column)
        if field is None or field not in self._review_paths:
            return None
        record = self.records[row]
        review = self.reviews.get((record.id, field))
        return review if review is not None and review.sha256 == record.sha256 else None

    def record_by_id(self, record_id: str) -> Record | None:
        row = self.row_of(record_id)
        return self.records[row] if row is not None else None

    def row_of(self, record_id: str) -> int | None:
        return self._row_of.get(record_id)

    @property
    def first_field(self) -> int:
        """The column of the first field: after Status, Report and Reading (when shown)."""
        return READING_COLUMN + 1 if self.reading_shown else READING_COLUMN

    def field_at(self, column: int) -> str | None:
        """The field (its flattened column name) a column shows; None for the others."""
        index = column - self.first_field
        return self.field_columns[index] if 0 <= index < len(self.field_columns) else None

    def headers(self) -> list[str]:
        headers = [QCoreApplication.translate("ResultsModel", "Status"),
                   QCoreApplication.translate("ResultsModel", "Report")]
        if self.reading_shown:
            headers.append(QCoreApplication.translate("ResultsModel", "Reading"))
        return headers + self.field_columns

    # -- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.records)

    def columnCount(self, parent=QModelIndex()) -> int:
        if parent.isValid() or self.task is None:
            return 0
        return self.first_field + len(self.field_columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            headers = self.headers()
            return headers[section] if section < len(headers) else None
        return None

    def value(self, row: int, column: int) -> Any:
        if column == STATUS_COLUMN:
            return self.records[row].status
        if column == ID_COLUMN:
            return self.records[row].id
        if self.reading_shown and column == READING_COLUMN:
            return self._reading.summary(self.records[row])
        review = self.review_at(row, column)
        if review is not None:
            return review.value
        return self._rows[row].get(self.field_at(column))

    def _review_data(self, review: Review, row: int, column: int, role: int) -> Any:
        """What a reviewed cell shows for `role`; None for the roles it leaves alone."""
        if role == Qt.ItemDataRole.DisplayRole:
            model_value = self._rows[row].get(self.field_at(column))
            shown = display(model_value if review.verdict == "rejected" else review.value)
            return f"{shown} {REVIEW_MARKS[review.verdict]}".strip()
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor(REVIEW_COLORS[review.verdict])
        if role == Qt.ItemDataRole.FontRole and review.verdict == "rejected":
            font = QFont()
            font.setStrikeOut(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            status, _ = reviewed_value(self.records[row], review.field, review)
            verdict = QCoreApplication.translate("ReviewPanel", VERDICT_WORDS[status])
            model_value = display(self._rows[row].get(self.field_at(column))) or "\u2014"
            return QCoreApplication.translate(
                "ResultsModel", "{verdict} by {reviewer}; the model's value: {value}").format(
                verdict=verdict, reviewer=review.reviewer or "?", value=model_value)
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        record = self.records[row]
        review = self.review_at(row, column)
        if review is not None and role in (
                Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole,
                Qt.ItemDataRole.FontRole, Qt.ItemDataRole.ToolTipRole):
            return self._review_data(review, row, column, role)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == STATUS_COLUMN:
                return status_word(record.status)
            return display(self.value(row, column))
        if role == SORT_ROLE:
            return self.value(row, column)
        if role == RECORD_ROLE:
            return record
        if column == STATUS_COLUMN and role in (Qt.ItemDataRole.ForegroundRole,
                                                Qt.ItemDataRole.BackgroundRole):
            fg, bg = status_colors(record.status)
            return fg if role == Qt.ItemDataRole.ForegroundRole else bg
        if role == Qt.ItemDataRole.ToolTipRole:
            field = self.field_at(column)
            if field is not None:
                reason = record.field_errors.get(field.split(".")[0])
                if reason:
                    return translated(reason)
            elif column == READING_COLUMN and self.reading_shown:
                return self._reading.tooltip(record)
            return translated(record.error) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(
                self.value(row, column), (int, float)) and not isinstance(
                self.value(row, column), bool):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _sort_key(value: Any) -> tuple:
    # Empty cells after values when ascending; numbers compare as numbers, so 9 < 10.
    if value is None or value == "":
        return (2, 0, "")
    if isinstance(value, (int, float)):
        return (0, float(value), "")
    return (1, 0, str(value).lower())


class ResultsFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.status: str | None = None
        self.column: int | None = None  # None: any column
        self.text = ""
        self.setSortRole(SORT_ROLE)

    def set_filter(self, status: str | None, column: int | None, text: str) -> None:
        # begin/endFilterChange replace invalidateFilter from Qt 6.10 on.
        changing = hasattr(self, "beginFilterChange")
        if changing:
            self.beginFilterChange()
        self.status, self.column, self.text = status, column, text.strip().lower()
        if changing:
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        model: ResultsModel = self.sourceModel()
        if self.status and model.records[source_row].status != self.status:
            return False
        if not self.text:
            return True
        columns = [self.column] if self.column is not None else range(model.columnCount())
        return any(self.text in display(model.value(source_row, c)).lower() for c in columns)

    def lessThan(self, left, right) -> bool:
        model: ResultsModel = self.sourceModel()
        a = model.value(left.row(), left.column())
        b = model.value(right.row(), right.column())
        return _sort_key(a) < _sort_key(b)
