"""Where things that go wrong end up: the log file, and one clear dialog for the user.

A failed report is a record (shown inline, never here). A failed run is one dialog. Anything
unexpected (a bug) is written with its traceback to pluk.log in the platformdirs log folder,
and the dialog says where that file is, so a data manager can send it to support.
"""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from pluk.core import paths

LOG_NAME = "pluk.log"
log = logging.getLogger("pluk.gui")


def log_file() -> Path:
    return paths.user_log_dir() / LOG_NAME


def setup_logging() -> Path:
    path = log_file()
    root = logging.getLogger()
    if not any(getattr(h, "_pluk", False) for h in root.handlers):
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler._pluk = True  # type: ignore[attr-defined]
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    return path


def show_run_failed(parent: QWidget | None, message: str) -> None:
    QMessageBox.critical(parent, QCoreApplication.translate("Errors", "The run failed"),
                         message)


def unexpected_message(summary: str) -> str:
    return QCoreApplication.translate(
        "Errors", "Something went wrong that Pluk did not expect:\n\n{summary}\n\nThe "
        "details are in the log file:\n{path}").format(summary=summary, path=log_file())


class CrashReporter(QObject):
    """Installed as sys.excepthook: logs the traceback, then shows one dialog on the GUI
    thread (an exception on another thread is forwarded by a queued signal)."""

    crashed = Signal(str)

    def __init__(self, parent_widget: QWidget | None = None):
        super().__init__()
        self.parent_widget = parent_widget
        self.crashed.connect(self._show)
        self._previous = sys.excepthook

    def install(self) -> None:
        sys.excepthook = self.handle

    def uninstall(self) -> None:
        sys.excepthook = self._previous

    def handle(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous(exc_type, exc, tb)
            return
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        self.crashed.emit(f"{exc_type.__name__}: {exc}")

    @Slot(str)
    def _show(self, summary: str) -> None:
        QMessageBox.critical(self.parent_widget, self.tr("Unexpected error"),
                             unexpected_message(summary))
