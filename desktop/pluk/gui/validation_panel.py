"""The Validation tab: the open run compared with a labelled reference table.

The user picks the table (CSV or XLSX) and its id column, optionally the fields to compare and
the numeric tolerances (the same syntax as `pluk evaluate`), and presses Validate. The core's
`validate_run` does the work off the GUI thread; this panel shows its result: per-field metrics
with 95% intervals, the confusion matrix of the chosen field, and its disagreements. Selecting a
disagreement shows that record (report text beside the values) in the panel's own detail pane,
so the user can step through them with the arrow keys; a click on a confusion-matrix cell keeps
only that cell's disagreements. "Save report…" writes validation.md and validation.json, the
same files as the CLI.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QGridLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from pluk.core.errors import PlukError
from pluk.core.validation.evaluate import ValidationError, read_table, validate_run, write_report
from pluk.core.validation.report import SUMMARY_METRICS, format_metric
from pluk.core.validation.result import Disagreement, FieldResult, ValidationReport
from pluk.core.validation.truth import find_column
from pluk.gui.background import BackgroundCall
from pluk.gui.detail_pane import DetailPane

TABLE_FILTER = "Reference tables (*.csv *.tsv *.txt *.xlsx *.xlsm);;All files (*)"
AGREE_COLOR = QColor("#dcfce7")
DISAGREE_COLOR = QColor("#fee2e2")
ID_GUESSES = ("id", "report id", "report", "uid", "filename", "file")


def _item(text: Any, tooltip: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem("" if text is None else str(text))
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)
    table.horizontalHeader().setStretchLastSection(True)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    return table


def _items(value: str) -> list[str] | None:
    """'psa=PSA waarde, volume' -> ['psa=PSA waarde', 'volume']; empty -> None."""
    parts = [p.strip() for p in value.replace(";", ",").split(",")]
    return [p for p in parts if p] or None


class ValidationPanel(QWidget):
    disagreement_selected = Signal(str)   # a record id; the window fills self.detail
    show_in_results = Signal(str)         # a record id, on double-click

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.run_dir: Path | None = None
        self.report: ValidationReport | None = None
        self.busy = False
        self._running = False
        self._call: BackgroundCall | None = None
        self._on_success = None
        self._cell: tuple[str, str] | None = None  # the confusion cell the list is cut to

        form = QGridLayout()
        self.truth_edit = QLineEdit()
        self.truth_edit.setReadOnly(True)
        self.truth_edit.setPlaceholderText("A CSV or XLSX table with one row per report")
        self.choose_button = QPushButton("Choose…")
        self.choose_button.clicked.connect(self.choose_table)
        self.id_combo = QComboBox()
        self.id_combo.setMinimumContentsLength(14)
        self.columns_edit = QLineEdit()
        self.columns_edit.setPlaceholderText("every field with a like-named column, or "
                                             "field=column, …")
        self.tolerance_edit = QLineEdit()
        self.tolerance_edit.setPlaceholderText("0, or e.g. 0.5 or psa=0.1, volume=2")
        self.validate_button = QPushButton("Validate")
        self.validate_button.setObjectName("primary")
        self.validate_button.clicked.connect(self.validate)
        self.save_button = QPushButton("Save report…")
        self.save_button.clicked.connect(self.choose_report_folder)
        form.addWidget(QLabel("Reference table"), 0, 0)
        form.addWidget(self.truth_edit, 0, 1, 1, 3)
        form.addWidget(self.choose_button, 0, 4)
        form.addWidget(QLabel("Id column"), 1, 0)
        form.addWidget(self.id_combo, 1, 1)
        form.addWidget(QLabel("Fields"), 1, 2)
        form.addWidget(self.columns_edit, 1, 3, 1, 2)
        form.addWidget(QLabel("Tolerance"), 2, 0)
        form.addWidget(self.tolerance_edit, 2, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.validate_button)
        buttons.addWidget(self.save_button)
        form.addLayout(buttons, 2, 2, 1, 3)
        form.setColumnStretch(3, 1)

        self.status = QLabel("Open or finish a run, then choose the reference table to compare "
                             "it with.")
        self.status.setObjectName("muted")
        self.status.setWordWrap(True)
        self.summary = _table(["Field", "Type", "n", *SUMMARY_METRICS.values(),
                               "Disagreements"])
        self.summary.currentCellChanged.connect(lambda row, *_: self._show_field(row))
        self.confusion = QTableWidget()
        self.confusion.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.confusion.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.confusion.cellClicked.connect(self._cell_clicked)
        self.confusion_label = QLabel()
        self.confusion_label.setObjectName("muted")
        self.confusion_label.setWordWrap(True)
        self.disagreements = _table(["Report", "Reference", "Prediction", "Reason"])
        self.disagreements.currentCellChanged.connect(
            lambda row, *_: self._disagreement_chosen(row))
        self.disagreements.cellDoubleClicked.connect(
            lambda row, _col: self._emit_row(self.show_in_results, row))
        self.disagreement_label = QLabel()
        self.disagreement_label.setObjectName("muted")
        self.show_all_button = QPushButton("Show all")
        self.show_all_button.clicked.connect(lambda: self._set_cell(None))
        self.detail = DetailPane()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.confusion_label)
        left_layout.addWidget(self.confusion, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        bar.addWidget(self.disagreement_label, 1)
        bar.addWidget(self.show_all_button)
        right_layout.addLayout(bar)
        right_layout.addWidget(self.disagreements, 1)
        middle = QSplitter(Qt.Orientation.Horizontal)
        middle.addWidget(left)
        middle.addWidget(right)
        middle.setSizes([360, 520])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.summary)
        split.addWidget(middle)
        split.addWidget(self.detail)
        split.setSizes([130, 200, 260])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        self._clear_result()
        self._update_buttons()

    # -- what the window tells the panel -----------------------------------------------------

    def show_run(self, run_dir: Path, *_args) -> None:
        """A run was opened or started: earlier results belong to another run."""
        self.run_dir = Path(run_dir)
        self._clear_result()
        self._say(f"Compare {self.run_dir.name} with a reference table: choose it, check the "
                  "id column, press Validate.")
        self._update_buttons()

    def set_running(self, running: bool) -> None:
        self._running = running
        self._update_buttons()

    # -- the reference table -----------------------------------------------------------------

    def choose_table(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Reference table", str(Path.home()),
                                              TABLE_FILTER)
        if path:
            self.set_truth_table(Path(path))

    def set_truth_table(self, path: Path) -> None:
        """Read the table's header off the GUI thread and offer its columns as the id column."""
        self.truth_edit.setText(str(path))
        self.id_combo.clear()
        self._say(f"Reading {path.name}…")
        self._start(lambda: read_table(path)[0], self._on_columns)

    def _on_columns(self, columns: list[str]) -> None:
        self.id_combo.addItems(columns)
        guess = next((c for g in ID_GUESSES if (c := find_column(columns, g))), None)
        if guess:
            self.id_combo.setCurrentText(guess)
        self._say(f"{len(columns)} columns. Check the id column (it must hold the run's report "
                  "ids), then press Validate.")

    # -- validating and saving ---------------------------------------------------------------

    def validate(self) -> None:
        if self.run_dir is None or not self.truth_edit.text() or not self.id_combo.currentText():
            return
        run_dir, truth = self.run_dir, Path(self.truth_edit.text())
        id_column, columns = self.id_combo.currentText(), _items(self.columns_edit.text())
        tolerance = _items(self.tolerance_edit.text())
        self._clear_result()
        self._say("Validating (bootstrap intervals take a few seconds on large runs)…")
        self._start(lambda: validate_run(run_dir, truth, id_column, columns=columns,
                                         tolerance=tolerance), self.show_report)

    def show_report(self, report: ValidationReport) -> None:
        self.report = report
        cov = report.coverage
        text = f"{cov.with_record} of {cov.truth_rows} reference rows have a record"
        if cov.without_record:
            text += f"; {cov.without_record} without a record are not scored"
        if cov.records_not_in_truth:
            text += f"; {cov.records_not_in_truth} records are not in the table"
        if report.skipped:
            text += ". Not compared: " + "; ".join(f"{s.field} ({s.reason})"
                                                   for s in report.skipped)
        self._say(text + ". Estimates with 95% bootstrap intervals.")
        self.summary.setRowCount(0)
        for row, field in enumerate(report.fields):
            self.summary.insertRow(row)
            cells = [field.field, field.type, field.n]
            cells += [format_metric(field.metrics.get(name)) for name in SUMMARY_METRICS]
            cells.append(field.disagreement_count)
            for column, value in enumerate(cells):
                self.summary.setItem(row, column, _item(value))
        self.summary.resizeColumnsToContents()
        self._update_buttons()
        if report.fields:
            self.summary.setCurrentCell(0, 0)

    def choose_report_folder(self) -> None:
        if self.report is None or self.run_dir is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "Folder for the validation report",
                                                  str(self.run_dir))
        if folder:
            self.save_report(Path(folder))

    def save_report(self, folder: Path) -> tuple[Path, Path] | None:
        try:
            md, js = write_report(self.report, folder)
        except ValidationError as exc:
            self._say(str(exc), error=True)
            return None
        self._say(f"Wrote {md} and {js.name}.")
        return md, js

    # -- one field ----------------------------------------------------------------------------

    def current_field(self) -> FieldResult | None:
        row = self.summary.currentRow()
        if self.report is None or not 0 <= row < len(self.report.fields):
            return None
        return self.report.fields[row]

    def _show_field(self, row: int) -> None:
        self._cell = None
        field = self.current_field()
        self._clear_confusion()
        if field is None:
            self.confusion_label.setText("")
            self._fill_disagreements()
            return
        if field.confusion is not None:
            labels, matrix = field.confusion.labels, field.confusion.matrix
            self.confusion.setRowCount(len(labels))
            self.confusion.setColumnCount(len(labels))
            self.confusion.setHorizontalHeaderLabels(labels)
            self.confusion.setVerticalHeaderLabels(labels)
            for i, counts in enumerate(matrix):
                for j, count in enumerate(counts):
                    item = _item(count, f"reference {labels[i]}, prediction {labels[j]}: "
                                        f"{count}")
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    if count:
                        item.setBackground(QBrush(AGREE_COLOR if i == j else DISAGREE_COLOR))
                    self.confusion.setItem(i, j, item)
            self.confusion.horizontalHeader().setSectionResizeMode(
                QHeaderView.ResizeMode.ResizeToContents)
            self.confusion_label.setText(f"<b>{field.field}</b>: rows are the reference, "
                                         "columns the prediction. Click a cell to list its "
                                         "reports.")
        elif field.kind == "numeric" and field.counts is not None:
            c, metrics = field.counts, field.metrics
            within = metrics.tolerance_accuracy
            tol = within.tolerance if within is not None and within.tolerance is not None else 0
            self.confusion_label.setText(
                f"<b>{field.field}</b>{' (' + field.unit + ')' if field.unit else ''}"
                f": both numbers {c.both_numbers}, both empty {c.both_null}, only the "
                f"reference empty {c.truth_null_only}, only the prediction empty "
                f"{c.prediction_null_only}. Mean error (prediction − reference) "
                f"{format_metric(metrics.mean_error)}. Tolerance {tol:g}.")
        else:
            self.confusion_label.setText(f"<b>{field.field}</b>: {field.comparison or ''}.")
        self._fill_disagreements()

    def _cell_clicked(self, row: int, column: int) -> None:
        field = self.current_field()
        if field is None or field.confusion is None:
            return
        labels = field.confusion.labels
        self._set_cell(None if row == column else (labels[row], labels[column]))

    def _set_cell(self, cell: tuple[str, str] | None) -> None:
        self._cell = cell
        self._fill_disagreements()

    def shown_disagreements(self) -> list[Disagreement]:
        field = self.current_field()
        if field is None:
            return []
        rows = field.disagreements
        if self._cell is not None:
            rows = [d for d in rows if (str(d.truth), str(d.prediction)) == self._cell]
        return rows

    def _fill_disagreements(self) -> None:
        rows = self.shown_disagreements()
        field = self.current_field()
        table = self.disagreements
        table.setRowCount(0)
        for row, item in enumerate(rows):
            table.insertRow(row)
            reason = item.reason or ""
            for column, value in enumerate((item.id, item.truth, item.prediction, reason)):
                table.setItem(row, column, _item(value, str(value) if column == 3 else None))
        table.resizeColumnsToContents()
        total = field.disagreement_count if field else 0
        if field is None:
            text = ""
        elif self._cell is not None:
            text = (f"{len(rows)} of {total} disagreements: reference {self._cell[0]}, "
                    f"prediction {self._cell[1]}")
        else:
            text = f"{total} disagreements" + ("" if total else " — every report agrees")
        self.disagreement_label.setText(text)
        self.show_all_button.setVisible(self._cell is not None)
        if rows:
            table.setCurrentCell(0, 0)
        else:
            self.detail.show_record(None, None, None)

    def _disagreement_chosen(self, row: int) -> None:
        self._emit_row(self.disagreement_selected, row)

    def _emit_row(self, signal, row: int) -> None:
        rows = self.shown_disagreements()
        if 0 <= row < len(rows):
            signal.emit(rows[row].id)

    # -- small helpers ------------------------------------------------------------------------

    def _clear_result(self) -> None:
        self.report = None
        self._cell = None
        self.summary.setRowCount(0)
        self._clear_confusion()
        self.confusion_label.setText("")
        self.disagreements.setRowCount(0)
        self.disagreement_label.setText("")
        self.show_all_button.hide()
        self.detail.show_record(None, None, None)
        self._update_buttons()

    def _clear_confusion(self) -> None:
        self.confusion.clear()
        self.confusion.setRowCount(0)
        self.confusion.setColumnCount(0)

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #991b1b;" if error else "")

    def _update_buttons(self) -> None:
        idle = not self.busy
        self.choose_button.setEnabled(idle)
        self.validate_button.setEnabled(idle and not self._running and self.run_dir is not None
                                        and self.id_combo.count() > 0)
        self.save_button.setEnabled(idle and self.report is not None)

    def _start(self, fn, on_success) -> None:
        """One background call at a time; its result comes back through the slots below."""
        self._call = BackgroundCall(fn, self)
        self._on_success = on_success
        self._call.succeeded.connect(self._call_succeeded)
        self._call.failed.connect(self._call_failed)
        self.busy = True
        self._update_buttons()
        self._call.start()

    def _finish_call(self) -> bool:
        if self.sender() is not self._call:
            return False
        self._call.deleteLater()
        self._call = None
        self.busy = False
        return True

    @Slot(object)
    def _call_succeeded(self, result: Any) -> None:
        if self._finish_call():
            self._on_success(result)
            self._update_buttons()

    @Slot(object)
    def _call_failed(self, exc: Exception) -> None:
        if self._finish_call():
            if not self.id_combo.count():
                self.truth_edit.clear()  # the table could not be read: nothing is chosen
            # A PlukError's message is written for the user; anything else is a bug, shown
            # with its type so that it can be reported.
            self._say(str(exc) if isinstance(exc, (PlukError, OSError))
                      else f"{type(exc).__name__}: {exc}", error=True)
            self._update_buttons()
