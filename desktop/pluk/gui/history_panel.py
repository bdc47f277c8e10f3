"""Previous runs: every run folder in the runs folder, newest first, with its task, status and
counts; double-click (or Open) shows its records again, ready to review and export.

The folders are looked through off the GUI thread (core `find_runs` reads every manifest); the
newest listing wins, and the panel says so while it looks.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from pluk.core.runs.find import FoundRun, find_runs
from pluk.gui.background import LatestCall
from pluk.gui.theme import RUN_STATUS_STYLE
from pluk.gui.widgets import muted


class HistoryPanel(QWidget):
    run_chosen = Signal(object)  # Path

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._roots: list[Path] = []
        self._listed = ""
        self._finder = LatestCall(self)
        self._finder.busy_changed.connect(self._set_busy)
        self._finder.succeeded.connect(self._show_runs)
        self._finder.failed.connect(self._show_failure)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Started", "Task", "Status", "Records", "ok / invalid / error",
                                   "Model", "Folder"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemDoubleClicked.connect(lambda item, _col: self._choose(item))
        layout.addWidget(self.tree, 1)
        self.status = muted("")
        layout.addWidget(self.status)
        row = QHBoxLayout()
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(lambda: self._choose(self.tree.currentItem()))
        browse = QPushButton("Open run folder…")
        browse.clicked.connect(self.browse)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        row.addWidget(self.open_button)
        row.addWidget(browse)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        layout.addLayout(row)

    def set_roots(self, roots: list[Path]) -> None:
        self._roots = roots
        self.refresh()

    @property
    def busy(self) -> bool:
        return self._finder.busy

    def refresh(self) -> None:
        """List the runs again, off the GUI thread; a newer refresh replaces one going on."""
        roots = list(self._roots)
        self._finder.start(lambda: find_runs(roots))

    @Slot(bool)
    def _set_busy(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)
        if busy:
            self.status.setText("Looking for previous runs…")

    @Slot(object)
    def _show_failure(self, exc: Exception) -> None:
        self.status.setText(f"Cannot list the previous runs: {exc}")

    @Slot(object)
    def _show_runs(self, runs: list[FoundRun]) -> None:
        self.tree.clear()
        for run in runs:
            manifest, folder = run.manifest, run.folder
            counts = manifest.counts
            item = QTreeWidgetItem([
                manifest.started_at.replace("T", " ")[:16], manifest.task.get("title", "?"),
                manifest.status, str(counts.get("total", "")),
                f"{counts.get('ok', 0)} / {counts.get('invalid', 0)} / {counts.get('error', 0)}"
                if counts else "", Path(manifest.model.path).name, folder.name])
            item.setData(0, Qt.ItemDataRole.UserRole, str(folder))
            item.setToolTip(6, str(folder))
            fg, bg = RUN_STATUS_STYLE.get(manifest.status, ("#1f2937", "#ffffff"))
            item.setForeground(2, QBrush(QColor(fg)))
            item.setBackground(2, QBrush(QColor(bg)))
            self.tree.addTopLevelItem(item)
        self._listed = (f"{len(runs)} previous run{'' if len(runs) == 1 else 's'}."
                        if runs else "No previous runs yet.")
        self.status.setText(self._listed)

    def set_opening(self, opening: bool) -> None:
        """While a run is being read back, Open waits and the panel says so."""
        self.open_button.setEnabled(not opening)
        self.tree.setEnabled(not opening)
        self.status.setText("Opening the run…" if opening else self._listed)

    def browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a run folder")
        if folder:
            self.run_chosen.emit(Path(folder))

    def _choose(self, item: QTreeWidgetItem | None) -> None:
        if item is not None:
            self.run_chosen.emit(Path(item.data(0, Qt.ItemDataRole.UserRole)))
