"""Step 1, the reports: Add folder / Add files, the drop hint, and the list of reports found.

Each report shows its id, format and size; a report that could not be read shows why, in red,
in the same list (it becomes an error record in the run, never a silent gap). Table files given
directly ask which columns hold the id and the text before they are read; their columns are
listed off the GUI thread (listing parses the table), one request after the other, in the order
they came.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
                               QPushButton, QStackedWidget, QTreeWidget, QTreeWidgetItem,
                               QWidget)

from pluk.core.errors import PlukError
from pluk.core.readers import SUPPORTED_SUFFIXES, TableOptions, table_columns
from pluk.core.readers.formats import is_table
from pluk.core.readers.reports import Report
from pluk.gui.background import BackgroundCall
from pluk.gui.table_columns_dialog import TableColumnsDialog
from pluk.gui.widgets import Card, human_size, muted

DROP_HINT = ("Drop a folder of reports here\n\n"
             "txt · md · rtf · docx · pdf, or a table (csv · xlsx · jsonl · json)")


class InputsPanel(Card):
    paths_chosen = Signal(list, object)  # paths, TableOptions | None
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("1", "Reports", parent)
        self._requests: list[list[str]] = []  # waiting for the request before them
        self._columns_call: BackgroundCall | None = None
        self._reading = False
        self._summary_text = "No reports yet."
        buttons = QHBoxLayout()
        self.add_folder_button = QPushButton("Add folder…")
        self.add_files_button = QPushButton("Add files…")
        self.clear_button = QPushButton("Clear")
        self.add_folder_button.clicked.connect(self.choose_folder)
        self.add_files_button.clicked.connect(self.choose_files)
        self.clear_button.clicked.connect(self.cleared)
        for button in (self.add_folder_button, self.add_files_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        self.body.addLayout(buttons)

        self.stack = QStackedWidget()
        self.hint = QLabel(DROP_HINT)
        self.hint.setObjectName("dropHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Report", "Format", "Size", "Problem"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.stack.addWidget(self.hint)
        self.stack.addWidget(self.tree)
        self.body.addWidget(self.stack, 1)
        self.summary = muted("No reports yet.")
        self.body.addWidget(self.summary)

    # -- choosing --------------------------------------------------------------------------

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of reports")
        if folder:
            self.request_add([folder])

    def choose_files(self) -> None:
        patterns = " ".join(f"*{s}" for s in SUPPORTED_SUFFIXES)
        files, _ = QFileDialog.getOpenFileNames(self, "Add report files", "",
                                                f"Reports and tables ({patterns});;All files (*)")
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
            self._update_busy(f"Reading the columns of {tables[0].name}…")
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

    def _update_busy(self, columns_text: str | None = None) -> None:
        busy = self._reading or self._columns_call is not None
        if columns_text:
            self.summary.setText(columns_text)
        elif self._reading:
            self.summary.setText("Reading the reports…")
        elif not busy:
            self.summary.setText(self._summary_text)
        for button in (self.add_folder_button, self.add_files_button, self.clear_button):
            button.setEnabled(not busy)

    def show_failure(self, message: str) -> None:
        QMessageBox.warning(self, "Cannot add these reports", message)

    def show_reports(self, reports: list[Report]) -> None:
        self.tree.clear()
        problem_brush = QBrush(QColor("#991b1b"))
        items = []
        for report in reports:
            problem = report.error or "; ".join(report.warnings)
            item = QTreeWidgetItem([report.id, report.format, human_size(report.size_bytes),
                                    problem])
            item.setToolTip(0, report.source)
            if problem:
                item.setToolTip(3, problem)
            if report.error:
                for column in range(4):
                    item.setForeground(column, problem_brush)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            items.append(item)
        self.tree.addTopLevelItems(items)
        self.stack.setCurrentWidget(self.tree if reports else self.hint)
        self._summary_text = summary_line(reports)
        self._update_busy()

    def report_count(self) -> int:
        return self.tree.topLevelItemCount()


def _list_columns(tables: list[Path]) -> dict[Path, list[str] | None]:
    """Each table's columns, or None when it cannot be read (the reader says why later)."""
    columns: dict[Path, list[str] | None] = {}
    for path in tables:
        try:
            columns[path] = table_columns(path)
        except PlukError:
            columns[path] = None
    return columns


def summary_line(reports: list[Report]) -> str:
    if not reports:
        return "No reports yet."
    failed = sum(1 for r in reports if r.error)
    warned = sum(1 for r in reports if r.warnings and not r.error)
    size = sum(r.size_bytes or 0 for r in reports)
    formats = sorted({r.format for r in reports if not r.error})
    text = f"{len(reports)} reports · {human_size(size)} · {', '.join(formats) or 'no readable'}"
    if failed:
        text += f" · {failed} cannot be read"
    if warned:
        text += f" · {warned} with warnings"
    return text
