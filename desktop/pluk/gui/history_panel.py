"""Previous runs: every run folder in the runs folder, newest first, with its task, status and
counts; double-click (or Open) shows its records again, ready to review and export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from pluk.core.errors import RunFolderError
from pluk.core.runs.folder import MANIFEST, RunFolder, RunManifest
from pluk.gui.theme import RUN_STATUS_STYLE


def find_runs(roots: list[Path]) -> list[tuple[Path, RunManifest]]:
    runs: list[tuple[Path, RunManifest]] = []
    seen: set[Path] = set()
    for root in roots:
        if not root.is_dir():
            continue
        for manifest_path in root.glob(f"*/{MANIFEST}"):
            folder = manifest_path.parent.resolve()
            if folder in seen:
                continue
            seen.add(folder)
            try:
                runs.append((folder, RunFolder(folder).read_manifest()))
            except RunFolderError:
                continue  # a damaged folder is not a run the user can open
    runs.sort(key=lambda item: item[1].started_at, reverse=True)
    return runs


class HistoryPanel(QWidget):
    run_chosen = Signal(object)  # Path

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._roots: list[Path] = []
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
        row = QHBoxLayout()
        self.open_button = QPushButton("Open")
        self.open_button.clicked.connect(lambda: self._choose(self.tree.currentItem()))
        browse = QPushButton("Open run folder…")
        browse.clicked.connect(self.browse)
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        row.addWidget(self.open_button)
        row.addWidget(browse)
        row.addStretch(1)
        row.addWidget(refresh)
        layout.addLayout(row)

    def set_roots(self, roots: list[Path]) -> None:
        self._roots = roots
        self.refresh()

    def refresh(self) -> None:
        self.tree.clear()
        for folder, manifest in find_runs(self._roots):
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

    def browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open a run folder")
        if folder:
            self.run_chosen.emit(Path(folder))

    def _choose(self, item: QTreeWidgetItem | None) -> None:
        if item is not None:
            self.run_chosen.emit(Path(item.data(0, Qt.ItemDataRole.UserRole)))
