"""Runs one short blocking call (reading a folder, listing columns) off the GUI thread.

The result comes back through a queued signal; the call never touches a widget. The engine has
its own long-lived worker (engine_worker.py); this is for the quick jobs around it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

log = logging.getLogger(__name__)


class BackgroundCall(QObject):
    succeeded = Signal(object)
    failed = Signal(object)  # the exception

    def __init__(self, fn: Callable[[], Any], parent: QObject | None = None):
        super().__init__(parent)
        self._fn = fn

    def start(self) -> None:
        QThreadPool.globalInstance().start(self._run)

    def _run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:  # handed to the GUI thread, which decides how to show it
            log.debug("background call failed", exc_info=True)
            self.failed.emit(exc)
            return
        self.succeeded.emit(result)
