"""The tables of the Validation tab: read-only cells, and the view of one field's comparison:
the confusion matrix of a yes/no or choice field, shown whole (every row, "—/null" included,
without a scroll bar where the tab has room), or, for a number field, its counts in words with
no empty matrix beside them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from pluk.core.validation.result import FieldResult
from pluk.gui.widgets import fit_label, muted, short_number

# The core's metric names (validation.report.SUMMARY_METRICS), marked for translation: the
# Validation tab translates them in its own context.
METRIC_NAMES = (QT_TRANSLATE_NOOP("ValidationPanel", "Accuracy"),
                QT_TRANSLATE_NOOP("ValidationPanel", "Kappa"),
                QT_TRANSLATE_NOOP("ValidationPanel", "Macro F1"),
                QT_TRANSLATE_NOOP("ValidationPanel", "MAE"),
                QT_TRANSLATE_NOOP("ValidationPanel", "Within tolerance"),
                QT_TRANSLATE_NOOP("ValidationPanel", "ECE"))
AGREE_COLOR = QColor("#dcfce7")
DISAGREE_COLOR = QColor("#fee2e2")


def metric_text(metric: Any, digits: int = 3) -> str:
    """The core's format_metric in the window's language: numbers with the locale's decimal
    mark ("0,812 (0,750–0,870)" in Dutch), "n/a" in words."""
    from PySide6.QtCore import QCoreApplication, QLocale

    if metric is None or metric.value is None:
        return QCoreApplication.translate("ValidationPanel", "n/a")
    locale = QLocale()
    text = locale.toString(float(metric.value), "f", digits)
    if metric.ci_low is not None and metric.ci_high is not None:
        text += (f" ({locale.toString(float(metric.ci_low), 'f', digits)}–"
                 f"{locale.toString(float(metric.ci_high), 'f', digits)})")
    return text


def item(text: Any, tooltip: str | None = None) -> QTableWidgetItem:
    cell = QTableWidgetItem("" if text is None else str(text))
    cell.setFlags(cell.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if tooltip:
        cell.setToolTip(tooltip)
    return cell


def table(headers: list[str]) -> QTableWidget:
    """A read-only, single-row-selection table whose headers are never cut."""
    view = QTableWidget(0, len(headers))
    view.setHorizontalHeaderLabels(headers)
    for column, header in enumerate(headers):
        view.horizontalHeaderItem(column).setToolTip(header)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().setVisible(False)
    view.setTabKeyNavigation(False)  # Tab moves on; arrows move between cells
    view.verticalHeader().setDefaultSectionSize(24)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setMinimumSectionSize(40)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    return view


def fit_columns(view: QTableWidget) -> None:
    """Every column at least as wide as its header and its cells."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    metrics = header.fontMetrics()
    for column in range(view.columnCount()):
        title = view.horizontalHeaderItem(column)
        needed = metrics.horizontalAdvance(title.text()) * 12 // 10 + 28 if title else 0
        view.setColumnWidth(column, max(view.columnWidth(column), needed))


def split_items(value: str) -> list[str] | None:
    """'psa=PSA waarde, volume' -> ['psa=PSA waarde', 'volume']; empty -> None."""
    parts = [p.strip() for p in value.replace(";", ",").split(",")]
    return [p for p in parts if p] or None


class ConfusionView(QWidget):
    """One field's comparison; `cell_clicked(row, column)` from the matrix."""

    cell_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = fit_label(muted())
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.cellClicked.connect(self.cell_clicked)
        layout.addWidget(self.label)
        layout.addWidget(self.table, 1)
        layout.addStretch(0)

    def clear(self) -> None:
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.label.setText("")

    def show_field(self, field: FieldResult | None) -> None:
        self.clear()
        self.table.setVisible(field is not None and field.confusion is not None)
        if field is None:
            return
        if field.confusion is not None:
            self._matrix(field)
        elif field.kind == "numeric" and field.counts is not None:
            c, metrics = field.counts, field.metrics
            within = metrics.tolerance_accuracy
            tol = within.tolerance if within is not None and within.tolerance is not None else 0
            unit = f" ({field.unit})" if field.unit else ""
            self.label.setText(self.tr(
                "<b>{field}</b>{unit}: both numbers {both}, both empty {empty}, only the "
                "reference empty {truth_only}, only the prediction empty {prediction_only}. "
                "Mean error (prediction − reference) {mean}. Tolerance {tol}.").format(
                field=field.field, unit=unit, both=c.both_numbers, empty=c.both_null,
                truth_only=c.truth_null_only, prediction_only=c.prediction_null_only,
                mean=metric_text(metrics.mean_error), tol=short_number(tol)))
        else:
            self.label.setText(f"<b>{field.field}</b>: {field.comparison or ''}.")

    def _matrix(self, field: FieldResult) -> None:
        labels, matrix = field.confusion.labels, field.confusion.matrix
        view = self.table
        view.setRowCount(len(labels))
        view.setColumnCount(len(labels))
        view.setHorizontalHeaderLabels(labels)
        view.setVerticalHeaderLabels(labels)
        for i, counts in enumerate(matrix):
            for j, count in enumerate(counts):
                cell = item(count, self.tr("reference {truth}, prediction {prediction}: "
                                           "{n}").format(truth=labels[i], prediction=labels[j],
                                                         n=count))
                cell.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if count:
                    cell.setBackground(QBrush(AGREE_COLOR if i == j else DISAGREE_COLOR))
                view.setItem(i, j, cell)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Tall enough for every row (a hidden "—/null" row would hide missing answers), up to
        # eight: a longer list of labels scrolls rather than pushing the window off the screen.
        rows = sum(view.rowHeight(r) for r in range(min(view.rowCount(), 8)))
        view.setMinimumHeight(rows + view.horizontalHeader().height() + 2 * view.frameWidth()
                              + 2)
        self.label.setText(self.tr("<b>{field}</b>: rows are the reference, columns the "
                                   "prediction. Click a cell to list its reports.").format(
            field=field.field))
