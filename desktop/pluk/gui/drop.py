"""Accepts files and folders dragged from the file manager onto any widget it is installed on,
and tells model files (.gguf, to import) from reports (everything else)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
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

    def watch(self, widget: QWidget) -> None:
        widget.setAcceptDrops(True)
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if local_paths(event.mimeData()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            found = local_paths(event.mimeData())
            if found:
                event.acceptProposedAction()
                self.paths_dropped.emit(found)
                return True
        return super().eventFilter(watched, event)
