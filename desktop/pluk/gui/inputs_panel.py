"""Step 1, the reports: Add folder / Add files, the drop hint, and the list of reports found.

Each report shows its id, format and size; a report that could not be read shows why, in red,
in the same list (it becomes an error record in the run, never a silent gap). Table files given
directly ask which columns hold the id and the text before they are read; their columns are
listed off the GUI thread (listing parses the table), one request after the other, in the order
they came.

"Group documents" makes the documents of one patient or case one report, as `pluk extract
--group-by` does: one report per folder, per value of a table column, or per match of a
file-name pattern; a grouped report is listed with how many documents it holds, and a rule
that cannot work is named below the control (the session checks it).
"""

from __future__ import annotations

import re

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMessageBox, QPushButton, QStackedWidget, QTreeWidget,
                               QTreeWidgetItem, QWidget)

from pluk.core.errors import PlukError
from pluk.core.readers import SUPPORTED_SUFFIXES, GroupOptions, TableOptions, table_columns
from pluk.core.readers.formats import is_table
from pluk.core.readers.reports import Report
from pluk.gui.background import BackgroundCall
from pluk.gui.core_messages import translated
from pluk.gui.table_columns_dialog import TableColumnsDialog
from pluk.gui.widgets import Card, fit_label, human_size, keep_rows, muted

DROP_HINT = QT_TRANSLATE_NOOP("InputsPanel", "Drop a folder of reports here\n\ntxt · md · "
                              "rtf · docx · pdf, or a table (csv · xlsx · jsonl · json)")
# readers/scans.py's progress lines, shown in the window's language.
_OCR_PAGE = re.compile(r"OCR of (.+): page ([\d,]+) of ([\d,]+)")
_OCR_START = re.compile(r"OCR of (.+): ([\d,]+) scanned pages")


class InputsPanel(Card):
    paths_chosen = Signal(list, object)  # paths, TableOptions | None
    cleared = Signal()
    grouping_chosen = Signal(object)     # GroupOptions

    def __init__(self, parent: QWidget | None = None):
        super().__init__("1", self.tr("Reports"), parent)
        self._requests: list[list[str]] = []  # waiting for the request before them
        self._columns_call: BackgroundCall | None = None
        self._reading = False
        self._summary_text = self.tr("No reports yet.")
        buttons = QHBoxLayout()
        self.add_folder_button = QPushButton(self.tr("Add folder…"))
        self.add_files_button = QPushButton(self.tr("Add files…"))
        self.clear_button = QPushButton(self.tr("Clear"))
        self.add_folder_button.clicked.connect(self.choose_folder)
        self.add_files_button.clicked.connect(self.choose_files)
        self.clear_button.clicked.connect(self.cleared)
        for button in (self.add_folder_button, self.add_files_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        self.body.addLayout(buttons)

        self.stack = QStackedWidget()
        self.hint = QLabel(QCoreApplication.translate("InputsPanel", DROP_HINT))
        self.hint.setObjectName("dropHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("Report"), self.tr("Format"), self.tr("Size"),
                                   self.tr("Problem")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        # A long report id keeps its start and its end (the file name), "…" in between.
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        keep_rows(self.tree, scroll_bar=False)  # its last column stretches: no scroll bar
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.tree)
        self.body.addWidget(self.stack, 1)
        self._add_grouping()
        self.summary = fit_label(muted(self._summary_text))
        self.body.addWidget(self.summary)

    # -- grouping --------------------------------------------------------------------------

    def _add_grouping(self) -> None:
        row = QHBoxLayout()
        label = QLabel(self.tr("Group documents:"))
        self.group_combo = QComboBox()
        # Compact: its longest choice (in Dutch) must not widen the reports panel.
        self.group_combo.setMinimumContentsLength(14)
        self.group_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.group_combo.setToolTip(self.tr(
            "Make the documents of one patient or case one report (as pluk extract "
            "--group-by does); the reports are read again"))
        for text, kind in ((self.tr("none"), None),
                           (self.tr("one report per folder"), "folder"),
                           (self.tr("by table column"), "column"),
                           (self.tr("by file-name pattern"), "pattern")):
            self.group_combo.addItem(text, kind)
        self.group_field = QLineEdit()
        self.group_field.setClearButtonEnabled(True)
        self.group_field.setMinimumWidth(70)
        self.group_field.hide()
        label.setBuddy(self.group_combo)
        row.addWidget(label)
        row.addWidget(self.group_combo)
        row.addWidget(self.group_field, 1)
        row.addStretch(0)
        self.body.addLayout(row)
        self.group_problem = fit_label(QLabel())
        self.group_problem.setObjectName("problem")
        self.group_problem.hide()
        self.body.addWidget(self.group_problem)
        self._chosen_rule: str | None = None
        self.group_combo.currentIndexChanged.connect(self._on_group_kind)
        self.group_field.editingFinished.connect(self._choose_grouping)

    def _on_group_kind(self) -> None:
        kind = self.group_combo.currentData()
        self.group_field.clear()  # a column name is no pattern, nor the other way round
        self.group_field.setVisible(kind in ("column", "pattern"))
        if kind == "column":
            self.group_field.setPlaceholderText(self.tr("column name, e.g. patient_id"))
            self.group_field.setToolTip(self.tr(
                "Table rows with the same value in this column become one report; press "
                "Enter to apply"))
        elif kind == "pattern":
            self.group_field.setPlaceholderText(self.tr("pattern with (?P<id>…)"))
            self.group_field.setToolTip(self.tr(
                "A regular expression searched in each file's path within its folder; the part "
                "matched by (?P<id>…) is the patient or case, e.g. ^(?P<id>[^_]+)_ groups "
                "P07_mri.pdf and P07_pa.txt; press Enter to apply"))
        self._choose_grouping()

    def group_rule(self) -> str | None:
        """The rule as `--group-by` takes it; None: each document its own report."""
        kind, text = self.group_combo.currentData(), self.group_field.text()
        if kind == "folder":
            return "folder"
        if kind == "column":
            return f"column:{text.strip()}" if text.strip() else None
        if kind == "pattern":
            return text if text.strip() else None
        return None

    def _choose_grouping(self) -> None:
        rule = self.group_rule()
        if rule != self._chosen_rule:
            self._chosen_rule = rule
            self.grouping_chosen.emit(GroupOptions(by=rule))

    def show_grouping(self, group: GroupOptions) -> None:
        """Show `group` as the chosen rule (a resumed run's) without asking for it again."""
        rule = group.by
        kind = (None if rule is None else "folder" if rule == "folder"
                else "column" if rule.startswith("column:") else "pattern")
        self.group_combo.blockSignals(True)
        self.group_combo.setCurrentIndex(max(0, self.group_combo.findData(kind)))
        self.group_combo.blockSignals(False)
        self.group_field.setText(rule.removeprefix("column:") if kind in ("column", "pattern")
                                 else "")
        self.group_field.setVisible(kind in ("column", "pattern"))
        self._chosen_rule = rule

    def show_grouping_problem(self, message: str) -> None:
        """Why the grouping rule cannot work (the core's words); "" when it is fine."""
        self.group_problem.setText(message)
        self.group_problem.setVisible(bool(message))

    # -- choosing --------------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Add a folder of reports"))
        if folder:
            self.request_add([folder])

    def choose_files(self) -> None:
        patterns = " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES)
        files, _ = QFileDialog.getOpenFileNames(
            self, self.tr("Add report files"), "",
            self.tr("Reports and tables ({patterns});;All files (*)").format(patterns=patterns))
        if files:
            self.request_add(files)

    def request_add(self, paths: list[str]) -> None:
        """Paths from a dialog or a drop; a table given directly asks for its columns first.

        Requests are handled in the order they came: one whose tables are being listed holds
        back the ones after it, so an earlier request can never land after a later one."""
        self._requests.append(list(paths))
        if self._columns_call is None:
            self._next_request()

    @property
    def listing_columns(self) -> bool:
        return self._columns_call is not None

    def _next_request(self) -> None:
        while self._requests:
            paths = self._requests.pop(0)
            tables = [p for p in map(Path, paths) if p.is_file() and is_table(p)]
            if not tables:
                self._emit_paths(paths)
                continue
            self._columns_call = BackgroundCall(
                lambda paths=paths, tables=tables: (paths, _list_columns(tables)), self)
            self._columns_call.succeeded.connect(self._on_columns)
            self._columns_call.failed.connect(self._on_columns_failed)
            self._update_busy(self.tr("Reading the columns of {name}…").format(
                name=tables[0].name))
            self._columns_call.start()
            return

    @Slot(object)
    def _on_columns(self, result: tuple[list[str], dict[Path, list[str] | None]]) -> None:
        # The call ends after the dialogs: a request that comes while one is open waits.
        paths, columns = result
        table: TableOptions | None = None
        for path, names in columns.items():
            if names is None:
                continue  # the reader turns it into an inline problem
            dialog = TableColumnsDialog(path, names, self)
            if not dialog.exec():
                paths = [p for p in paths if Path(p) != path]
                continue
            table = dialog.options()
        self._end_columns_call()
        self._emit_paths(paths, table)
        self._next_request()

    @Slot(object)
    def _on_columns_failed(self, exc: Exception) -> None:
        self._end_columns_call()
        self.show_failure(str(exc))
        self._next_request()

    def _end_columns_call(self) -> None:
        if self._columns_call is not None:
            self._columns_call.deleteLater()
        self._columns_call = None
        self._update_busy()

    def _emit_paths(self, paths: list[str], table: TableOptions | None = None) -> None:
        if paths:
            self.paths_chosen.emit(list(paths), table)

    # -- showing ---------------------------------------------------------------------------

    def set_reading(self, reading: bool) -> None:
        self._reading = reading
        self._update_busy()

    def set_reading_status(self, message: str) -> None:
        """The readers' progress while they read (readers/scans.py's OCR lines)."""
        if not self._reading:
            return
        page = _OCR_PAGE.fullmatch(message)
        start = _OCR_START.match(message)
        if page:
            text = self.tr("Reading {name} by OCR: page {n} of {total}…").format(
                name=page.group(1), n=page.group(2), total=page.group(3))
        elif start:
            text = self.tr("Reading {name} by OCR: {total} scanned pages…").format(
                name=start.group(1), total=start.group(2))
        else:
            text = message
        self.summary.setText(text)

    def _update_busy(self, columns_text: str | None = None) -> None:
        busy = self._reading or self._columns_call is not None
        if columns_text:
            self.summary.setText(columns_text)
        elif self._reading:
            self.summary.setText(self.tr("Reading the reports…"))
        elif not busy:
            self.summary.setText(self._summary_text)
        for widget in (self.add_folder_button, self.add_files_button, self.clear_button,
                       self.group_combo, self.group_field):
            widget.setEnabled(not busy)

    def show_failure(self, message: str) -> None:
        QMessageBox.warning(self, self.tr("Cannot add these reports"), message)

    def show_reports(self, reports: list[Report]) -> None:
        self.tree.clear()
        problem_brush = QBrush(QColor("#991b1b"))
        items = []
        for report in reports:
            problem = translated(report.error) or "; ".join(report.warnings)
            item = QTreeWidgetItem([self.report_label(report), report.format,
                                    human_size(report.size_bytes), problem])
            item.setToolTip(0, "\n".join([report.id] + (
                [part.source for part in report.parts] or [report.source])))
            if problem:
                item.setToolTip(3, problem)
            if report.error:
                for column in range(4):
                    item.setForeground(column, problem_brush)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            items.append(item)
        self.tree.addTopLevelItems(items)
        self._fit_id_column()
        self.stack.setCurrentWidget(self.tree if reports else self.hint)
        self._summary_text = self.summary_line(reports)
        self._update_busy()

    def _fit_id_column(self) -> None:
        """The id column as wide as its longest id, up to 60% of the list; the problem column
        takes the rest (its whole text is in the tooltip)."""
        self.tree.resizeColumnToContents(0)
        room = max(self.tree.viewport().width(), 300)
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0), int(room * 0.6)))

    def set_drag_active(self, active: bool) -> None:
        """Light up the drop zone while files are dragged over the window."""
        for widget in (self.hint, self.tree):
            widget.setProperty("dragging", active)
            widget.style().unpolish(widget)
            widget.style().polish(widget)

    def report_label(self, report: Report) -> str:
        """The id, and for a grouped report how many documents it holds."""
        if not report.parts:
            return report.id
        return self.tr("{id} (%n document(s))", "", len(report.parts)).format(id=report.id)

    def report_count(self) -> int:
        return self.tree.topLevelItemCount()

    def summary_line(self, reports: list[Report]) -> str:
        if not reports:
            return self.tr("No reports yet.")
        failed = sum(1 for r in reports if r.error)
        warned = sum(1 for r in reports if r.warnings and not r.error)
        size = sum(r.size_bytes or 0 for r in reports)
        formats = sorted({r.format for r in reports if not r.error})
        count = self.tr("%n report(s)", "", len(reports))
        readable = ", ".join(formats) or self.tr("none readable")
        text = " · ".join([count, human_size(size), readable])
        if failed:
            text += " · " + self.tr("%n cannot be read", "", failed)
        if warned:
            text += " · " + self.tr("%n with warnings", "", warned)
        grouped = [r for r in reports if r.parts]
        if grouped:
            text += " · " + self.tr("%n document(s) grouped", "",
                                    sum(len(r.parts) for r in grouped))
        return text


def _list_columns(tables: list[Path]) -> dict[Path, list[str] | None]:
    """Each table's columns, or None when it cannot be read (the reader says why later)."""
    columns: dict[Path, list[str] | None] = {}
    for path in tables:
        try:
            columns[path] = table_columns(path)
        except PlukError:
            columns[path] = None
    return columns

