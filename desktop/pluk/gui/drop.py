"""Accepts files and folders dragged from the file manager onto any widget it is installed on,
and tells model files (.gguf, to import) from reports (everything else).

A drop is always a copy: accepting the file manager's proposed action could make it a move,
and the user's reports would leave their folder. `drag_active` says while a drag of files is
over the window, so the drop zone can light up."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QWidget


def local_paths(mime) -> list[str]:
    if mime is None or not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


def split_model_files(paths: list[str]) -> tuple[list[str], list[str]]:
    """(.gguf files, the rest): a dropped model is imported, not read as a report."""
    models = [p for p in paths if p.lower().endswith(".gguf") and Path(p).is_file()]
    return models, [p for p in paths if p not in models]


class FileDropFilter(QObject):
    """An event filter: a drag of local files is accepted, a drop emits their paths."""

    paths_dropped = Signal(list)
    drag_active = Signal(bool)

    def watch(self, widget: QWidget) -> None:
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    @staticmethod
    def _copy(event) -> bool:
        """Accept the drag or drop as a copy, if the source offers one."""
        if not event.possibleActions() & Qt.DropAction.CopyAction:
            return False
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if local_paths(event.mimeData()) and self._copy(event):
                if kind == QEvent.Type.DragEnter:
                    self.drag_active.emit(True)
                return True
        elif kind == QEvent.Type.DragLeave:
            self.drag_active.emit(False)
        elif kind == QEvent.Type.Drop:
            self.drag_active.emit(False)
            found = local_paths(event.mimeData())
            if found and self._copy(event):
                self.paths_dropped.emit(found)
                return True
        return super().eventFilter(watched, event)
