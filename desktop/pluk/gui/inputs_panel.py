"""Step 1, the reports: Add folder / Add files, the drop hint, and the list of reports found.

Each report shows its id, format and size; a report that could not be read shows why, in red,
in the same list (it becomes an error record in the run, never a silent gap). Table files given
directly ask which columns hold the id and the text before they are read.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
                               QPushButton, QStackedWidget, QTreeWidget, QTreeWidgetItem,
                               QWidget)

from pluk.core.errors import PlukError
from pluk.core.readers import SUPPORTED_SUFFIXES, TableOptions, table_columns
from pluk.core.readers.formats import is_table
from pluk.core.readers.reports import Report
from pluk.gui.table_columns_dialog import TableColumnsDialog
from pluk.gui.widgets import Card, human_size, muted

DROP_HINT = ("Drop a folder of reports here\n\n"
             "txt · md · rtf · docx · pdf, or a table (csv · xlsx · jsonl · json)")


class InputsPanel(Card):
    paths_chosen = Signal(list, object)  # paths, TableOptions | None
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("1", "Reports", parent)
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
        """Paths from a dialog or a drop; a table given directly asks for its columns first."""
        table: TableOptions | None = None
        for path in map(Path, paths):
            if path.is_file() and is_table(path):
                try:
                    columns = table_columns(path)
                except PlukError:
                    continue  # the reader turns it into an inline problem
                dialog = TableColumnsDialog(path, columns, self)
                if not dialog.exec():
                    paths = [p for p in paths if Path(p) != path]
                    continue
                table = dialog.options()
        if paths:
            self.paths_chosen.emit(list(paths), table)

    # -- showing ---------------------------------------------------------------------------

    def set_reading(self, reading: bool) -> None:
        if reading:
            self.summary.setText("Reading the reports…")
        for button in (self.add_folder_button, self.add_files_button, self.clear_button):
            button.setEnabled(not reading)

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
        self.summary.setText(summary_line(reports))

    def report_count(self) -> int:
        return self.tree.topLevelItemCount()


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
