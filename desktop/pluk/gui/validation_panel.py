"""The Validation tab: the open run compared with a labelled reference table.

The user picks the table (CSV or XLSX) and its id column, optionally the fields to compare and
the numeric tolerances (the same syntax as `pluk evaluate`), and presses Validate. The core's
`validate_run` does the work off the GUI thread; this panel shows its result: per-field metrics
with 95% intervals, the confusion matrix of the chosen field with its calibration (ECE and
reliability diagram, `validation_calibration`), and its disagreements. Selecting a disagreement
shows that record (report text beside the values) in the panel's own detail pane, so the user
can step through them with the arrow keys; a click on a confusion-matrix cell keeps only that
cell's disagreements. "Save report…" writes validation.md and validation.json (and the
reliability diagrams), the same files as the CLI; the window confirms where they went. While
Validate cannot be pressed, its tooltip and the line under the form say what is missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (QComboBox, QFileDialog, QGridLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QSplitter, QVBoxLayout, QWidget)

from pluk.core.errors import PlukError
from pluk.core.validation.evaluate import ValidationError, read_table, validate_run, write_report
from pluk.core.validation.report import SUMMARY_METRICS
from pluk.core.validation.result import Disagreement, FieldResult, ValidationReport
from pluk.core.validation.truth import find_column
from pluk.gui.background import BackgroundCall
from pluk.gui.detail_pane import DetailPane
from pluk.gui.i18n import current_language
from pluk.gui.validation_calibration import ReliabilityView
from pluk.gui.validation_tables import (ConfusionView, fit_columns, metric_text, split_items,
                                        table)
from pluk.gui.validation_tables import item as _item
from pluk.gui.widgets import Notice, breakable, fit_label, keep_rows

ID_GUESSES = ("id", "report id", "report", "uid", "filename", "file")


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
        # Shown, not typed: grey (theme) and out of the Tab order; Choose… picks the table.
        self.truth_edit.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.truth_edit.setToolTip(self.tr("Press Choose… to pick the reference table"))
        self.truth_edit.setPlaceholderText(self.tr("A CSV or XLSX table with one row per "
                                                   "report"))
        self.choose_button = QPushButton(self.tr("Choose…"))
        self.choose_button.clicked.connect(self.choose_table)
        self.id_combo = QComboBox()
        self.id_combo.setMinimumContentsLength(14)
        self.columns_edit = QLineEdit()
        self.columns_edit.setPlaceholderText(self.tr("every field with a like-named column, "
                                                     "or field=column, …"))
        self.tolerance_edit = QLineEdit()
        self.tolerance_edit.setPlaceholderText(self.tr("0, or e.g. 0.5 or psa=0.1, volume=2"))
        self.validate_button = QPushButton(self.tr("Validate"))
        self.validate_button.setObjectName("primary")
        self.validate_button.clicked.connect(self.validate)
        self.save_button = QPushButton(self.tr("Save report…"))
        self.save_button.clicked.connect(self.choose_report_folder)
        # Two rows, so the tables below keep five rows each at 1280x720.
        form.addWidget(QLabel(self.tr("Reference table")), 0, 0)
        form.addWidget(self.truth_edit, 0, 1, 1, 3)
        form.addWidget(self.choose_button, 0, 4)
        form.addWidget(QLabel(self.tr("Id column")), 0, 5)
        form.addWidget(self.id_combo, 0, 6)
        form.addWidget(QLabel(self.tr("Fields")), 1, 0)
        form.addWidget(self.columns_edit, 1, 1)
        form.addWidget(QLabel(self.tr("Tolerance")), 1, 2)
        form.addWidget(self.tolerance_edit, 1, 3)
        buttons = QHBoxLayout()
        buttons.addWidget(self.validate_button)
        buttons.addWidget(self.save_button)
        form.addLayout(buttons, 1, 4, 1, 3)
        form.setColumnStretch(1, 2)
        form.setColumnStretch(3, 1)

        self.status = QLabel(self.tr("Open or finish a run, then choose the reference table "
                                     "to compare it with."))
        self.status.setObjectName("muted")
        fit_label(self.status)
        self.notice = Notice()
        self.summary = table([self.tr("Field"), self.tr("Type"), "n",
                              *(QCoreApplication.translate("ValidationPanel", name)
                                for name in SUMMARY_METRICS.values()),
                              self.tr("Disagreements")])
        self.summary.currentCellChanged.connect(lambda row, *_: self._show_field(row))
        self.confusion_view = ConfusionView()
        self.confusion_view.cell_clicked.connect(self._cell_clicked)
        self.confusion, self.confusion_label = self.confusion_view.table, self.confusion_view.label
        self.reliability = ReliabilityView()
        self.disagreements = table([self.tr("Report"), self.tr("Reference"),
                                    self.tr("Prediction"), self.tr("Reason")])
        self.disagreements.currentCellChanged.connect(
            lambda row, *_: self._disagreement_chosen(row))
        self.disagreements.cellDoubleClicked.connect(
            lambda row, _col: self._emit_row(self.show_in_results, row))
        self.disagreement_label = fit_label(QLabel())
        self.disagreement_label.setObjectName("muted")
        self.show_all_button = QPushButton(self.tr("Show all"))
        self.show_all_button.clicked.connect(lambda: self._set_cell(None))
        self.detail = DetailPane()

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.confusion_view, 1)
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
        middle.addWidget(self.reliability)
        middle.addWidget(right)
        middle.setSizes([330, 250, 480])
        keep_rows(self.summary)
        keep_rows(self.disagreements)
        # The record's detail gives way first on a short screen (its splitter handle gives
        # it back); the two tables keep five rows.
        self.detail.setMinimumHeight(60)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.summary)
        split.addWidget(middle)
        split.addWidget(self.detail)
        split.setSizes([130, 200, 260])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(self.notice)
        layout.addWidget(split, 1)
        self._clear_result()
        self._update_buttons()

    # -- what the window tells the panel -----------------------------------------------------

    def show_run(self, run_dir: Path, *_args) -> None:
        """A run was opened or started: earlier results belong to another run."""
        self.run_dir = Path(run_dir)
        self._clear_result()
        self.notice.hide()
        self._say(self.tr("Compare {run} with a reference table: choose it, check the id "
                          "column, press Validate.").format(run=breakable(self.run_dir.name)))
        self._update_buttons()

    def set_running(self, running: bool) -> None:
        self._running = running
        self._update_buttons()

    # -- the reference table -----------------------------------------------------------------

    def choose_table(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Reference table"), str(Path.home()),
            self.tr("Reference tables (*.csv *.tsv *.txt *.xlsx *.xlsm);;All files (*)"))
        if path:
            self.set_truth_table(Path(path))

    def set_truth_table(self, path: Path) -> None:
        """Read the table's header off the GUI thread and offer its columns as the id column."""
        self.truth_edit.setText(str(path))
        self.id_combo.clear()
        self._say(self.tr("Reading {name}…").format(name=path.name))
        self._start(lambda: read_table(path)[0], self._on_columns)

    def _on_columns(self, columns: list[str]) -> None:
        self.id_combo.addItems(columns)
        guess = next((c for g in ID_GUESSES if (c := find_column(columns, g))), None)
        if guess:
            self.id_combo.setCurrentText(guess)
        self._say(self.tr("%n column(s). Check the id column (it must hold the run's report "
                          "ids), then press Validate.", "", len(columns)))

    # -- validating and saving ---------------------------------------------------------------

    def validate(self) -> None:
        if self.run_dir is None or not self.truth_edit.text() or not self.id_combo.currentText():
            return
        run_dir, truth = self.run_dir, Path(self.truth_edit.text())
        id_column, columns = self.id_combo.currentText(), split_items(self.columns_edit.text())
        tolerance = split_items(self.tolerance_edit.text())
        self._clear_result()
        self.notice.hide()
        self._say(self.tr("Validating (bootstrap intervals take a few seconds on large "
                          "runs)…"))
        self._start(lambda: validate_run(run_dir, truth, id_column, columns=columns,
                                         tolerance=tolerance), self.show_report)

    def show_report(self, report: ValidationReport) -> None:
        self.report = report
        cov = report.coverage
        text = self.tr("{n} of {total} reference rows have a record").format(
            n=cov.with_record, total=cov.truth_rows)
        if cov.without_record:
            text += self.tr("; {n} without a record are not scored").format(
                n=cov.without_record)
        if cov.records_not_in_truth:
            text += self.tr("; {n} records are not in the table").format(
                n=cov.records_not_in_truth)
        if report.skipped:
            text += self.tr(". Not compared: ") + "; ".join(f"{s.field} ({s.reason})"
                                                            for s in report.skipped)
        self._say(text + self.tr(". Estimates with 95% bootstrap intervals."))
        self.notice.show_message(self.tr("Validated %n field(s) of {run} against {table}.", "",
                                         len(report.fields)).format(
            run=self.run_dir.name if self.run_dir else "", table=Path(
                self.truth_edit.text()).name))
        self.summary.setRowCount(0)
        for row, field in enumerate(report.fields):
            self.summary.insertRow(row)
            cells = [field.field, field.type, field.n]
            cells += [metric_text(field.metrics.get(name)) for name in SUMMARY_METRICS]
            cells.append(field.disagreement_count)
            for column, value in enumerate(cells):
                self.summary.setItem(row, column, _item(value))
        fit_columns(self.summary)
        self._update_buttons()
        if report.fields:
            self.summary.setCurrentCell(0, 0)

    def choose_report_folder(self) -> None:
        if self.report is None or self.run_dir is None:
            return
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Folder for the validation report"), str(self.run_dir))
        if folder:
            self.save_report(Path(folder))

    def save_report(self, folder: Path) -> tuple[Path, Path] | None:
        try:
            md, js = write_report(self.report, folder, current_language())
        except ValidationError as exc:
            self._say(str(exc), error=True)
            return None
        self._say(self.tr("Wrote {md} and {json}.").format(md=md, json=js.name))
        self.notice.show_message(self.tr("Saved the validation report: {md} and {json}.").format(
            md=md, json=js.name), md)
        return md, js

    # -- one field ----------------------------------------------------------------------------

    def current_field(self) -> FieldResult | None:
        row = self.summary.currentRow()
        if self.report is None or not 0 <= row < len(self.report.fields):
            return None
        return self.report.fields[row]

    def _show_field(self, row: int) -> None:
        self._cell = None
        self.confusion_view.show_field(self.current_field())
        self.reliability.show_field(self.current_field())
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
        view = self.disagreements
        view.setRowCount(0)
        for row, item in enumerate(rows):
            view.insertRow(row)
            reason = item.reason or ""
            for column, value in enumerate((item.id, item.truth, item.prediction, reason)):
                view.setItem(row, column, _item(value, str(value) if column == 3 else None))
        fit_columns(view)
        total = field.disagreement_count if field else 0
        if field is None:
            text = ""
        elif self._cell is not None:
            text = self.tr("{n} of {total} disagreements: reference {truth}, prediction "
                           "{prediction}").format(n=len(rows), total=total,
                                                  truth=self._cell[0],
                                                  prediction=self._cell[1])
        else:
            text = (self.tr("%n disagreement(s)", "", total) if total
                    else self.tr("No disagreements: every report agrees"))
        self.disagreement_label.setText(text)
        self.show_all_button.setVisible(self._cell is not None)
        if rows:
            view.setCurrentCell(0, 0)
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
        self.confusion_view.clear()
        self.reliability.clear()
        self.disagreements.setRowCount(0)
        self.disagreement_label.setText("")
        self.show_all_button.hide()
        self.detail.show_record(None, None, None)
        self._update_buttons()

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #991b1b;" if error else "")

    def _update_buttons(self) -> None:
        idle = not self.busy
        self.choose_button.setEnabled(idle)
        missing = self.validate_missing()
        self.validate_button.setEnabled(missing is None)
        self.validate_button.setToolTip(missing or self.tr(
            "Compare the run with the reference table"))
        self.save_button.setEnabled(idle and self.report is not None)
        self.save_button.setToolTip(self.tr("Write validation.md and validation.json")
                                    if self.report is not None
                                    else self.tr("Validate first"))

    def validate_missing(self) -> str | None:
        """Why Validate cannot be pressed now, in words; None when it can."""
        if self.busy:
            return self.tr("Wait: the table is being read or the run compared")
        if self._running:
            return self.tr("A run is going on: validate when it has finished")
        if self.run_dir is None:
            return self.tr("Open a run (Previous runs) or finish one first")
        if not self.truth_edit.text():
            return self.tr("Choose the reference table first")
        if self.id_combo.count() == 0:
            return self.tr("The reference table has no columns to match")
        return None

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
