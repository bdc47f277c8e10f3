"""Previous runs: every run folder in the runs folder, newest first, with its task, status and
counts; double-click (or Open) shows its records again, ready to review and export, and Resume
continues a stopped or interrupted one. A run another Pluk window works on is shown "in use"
and cannot be resumed.

The folders are looked through off the GUI thread (core `find_runs` reads every manifest, and
`run_in_use` asks each run's lock); the newest listing wins, and the panel says so while it
looks.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from pluk.core.runs.find import FoundRun, find_runs
from pluk.core.runs.lock import run_in_use
from pluk.gui.background import LatestCall
from pluk.gui.theme import RUN_STATUS_STYLE
from pluk.gui.widgets import muted

RUN_STATUS_WORDS = {
    "finished": QT_TRANSLATE_NOOP("HistoryPanel", "finished"),
    "cancelled": QT_TRANSLATE_NOOP("HistoryPanel", "stopped"),
    "failed": QT_TRANSLATE_NOOP("HistoryPanel", "failed"),
    "running": QT_TRANSLATE_NOOP("HistoryPanel", "interrupted"),
    "in use": QT_TRANSLATE_NOOP("HistoryPanel", "in use"),
}
RESUMABLE = ("cancelled", "running")
FOLDER_ROLE, STATUS_ROLE = Qt.ItemDataRole.UserRole, Qt.ItemDataRole.UserRole + 1


def runs_with_use(roots: list[Path]) -> list[tuple[FoundRun, bool]]:
    """Every run, and whether a process works on it now."""
    return [(run, run_in_use(run.folder)) for run in find_runs(roots)]


class HistoryPanel(QWidget):
    run_chosen = Signal(object)  # Path
    resume_requested = Signal(object)  # Path

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
        self.tree.setHeaderLabels([self.tr("Started"), self.tr("Task"), self.tr("Status"),
                                   self.tr("Records"), self.tr("ok / invalid / error"),
                                   self.tr("Model"), self.tr("Folder")])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemDoubleClicked.connect(lambda item, _col: self._choose(item))
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.tree, 1)
        self.status = muted("")
        layout.addWidget(self.status)
        row = QHBoxLayout()
        self.open_button = QPushButton(self.tr("Open"))
        self.open_button.clicked.connect(lambda: self._choose(self.tree.currentItem()))
        self.resume_button = QPushButton(self.tr("Resume"))
        self.resume_button.setToolTip(self.tr("Continue a stopped or interrupted run; its "
                                              "finished reports are not redone"))
        self.resume_button.clicked.connect(self._resume)
        browse = QPushButton(self.tr("Open run folder…"))
        browse.clicked.connect(self.browse)
        self.refresh_button = QPushButton(self.tr("Refresh"))
        self.refresh_button.clicked.connect(self.refresh)
        row.addWidget(self.open_button)
        row.addWidget(self.resume_button)
        row.addWidget(browse)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        layout.addLayout(row)
        self._opening = False
        self._update_buttons()

    def set_roots(self, roots: list[Path]) -> None:
        self._roots = roots
        self.refresh()

    @property
    def busy(self) -> bool:
        return self._finder.busy

    def refresh(self) -> None:
        """List the runs again, off the GUI thread; a newer refresh replaces one going on."""
        roots = list(self._roots)
        self._finder.start(lambda: runs_with_use(roots))

    @Slot(bool)
    def _set_busy(self, busy: bool) -> None:
        self.refresh_button.setEnabled(not busy)
        if busy:
            self.status.setText(self.tr("Looking for previous runs…"))

    @Slot(object)
    def _show_failure(self, exc: Exception) -> None:
        self.status.setText(self.tr("Cannot list the previous runs: {reason}").format(
            reason=exc))

    @Slot(object)
    def _show_runs(self, runs: list[tuple[FoundRun, bool]]) -> None:
        self.tree.clear()
        for run, in_use in runs:
            manifest, folder = run.manifest, run.folder
            counts = manifest.counts
            status = "in use" if in_use else manifest.status
            item = QTreeWidgetItem([
                manifest.started_at.replace("T", " ")[:16], manifest.task.get("title", "?"),
                QCoreApplication.translate("HistoryPanel", RUN_STATUS_WORDS.get(status, status)),
                str(counts.get("total", "")),
                f"{counts.get('ok', 0)} / {counts.get('invalid', 0)} / {counts.get('error', 0)}"
                if counts else "", Path(manifest.model.path).name, folder.name])
            item.setData(0, FOLDER_ROLE, str(folder))
            item.setData(0, STATUS_ROLE, status)
            item.setToolTip(1, manifest.task.get("title", "?"))
            item.setToolTip(6, str(folder))
            if in_use:
                item.setToolTip(2, self.tr("Another Pluk window is working on this run"))
            fg, bg = RUN_STATUS_STYLE.get("running" if in_use else manifest.status,
                                          ("#1f2937", "#ffffff"))
            item.setForeground(2, QBrush(QColor(fg)))
            item.setBackground(2, QBrush(QColor(bg)))
            self.tree.addTopLevelItem(item)
        self._listed = (self.tr("%n previous run(s).", "", len(runs))
                        if runs else self.tr("No previous runs yet."))
        self.status.setText(self._listed)
        self._update_buttons()

    def set_opening(self, opening: bool) -> None:
        """While a run is being read back, Open waits and the panel says so."""
        self._opening = opening
        self.tree.setEnabled(not opening)
        self.status.setText(self.tr("Opening the run…") if opening else self._listed)
        self._update_buttons()

    def item_status(self, item: QTreeWidgetItem | None) -> str | None:
        return item.data(0, STATUS_ROLE) if item is not None else None

    def _update_buttons(self) -> None:
        item = self.tree.currentItem()
        self.open_button.setEnabled(not self._opening)
        status = self.item_status(item)
        self.resume_button.setEnabled(not self._opening and status in RESUMABLE)
        self.resume_button.setToolTip(
            self.tr("Another Pluk window is working on this run") if status == "in use" else
            self.tr("Continue a stopped or interrupted run; its finished reports are not "
                    "redone") if status in RESUMABLE else
            self.tr("Only a stopped or interrupted run can be resumed"))

    def browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Open a run folder"))
        if folder:
            self.run_chosen.emit(Path(folder))

    def _choose(self, item: QTreeWidgetItem | None) -> None:
        if item is not None:
            self.run_chosen.emit(Path(item.data(0, FOLDER_ROLE)))

    def _resume(self) -> None:
        item = self.tree.currentItem()
        if item is not None and self.item_status(item) in RESUMABLE:
            self.resume_requested.emit(Path(item.data(0, FOLDER_ROLE)))
