"""Runs short blocking calls (reading a folder, listing columns, finding runs) off the GUI
thread.

`BackgroundCall` is one call; its result comes back through a queued signal and the call never
touches a widget. `LatestCall` runs a call per request and hands back only the newest request's
result, so a slow earlier call can never overwrite a newer one; it says when it is busy. The
engine has its own long-lived worker (engine_worker.py); this is for the quick jobs around it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

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
            self._hand_back("failed", exc)
            return
        self._hand_back("succeeded", result)

    def _hand_back(self, signal: str, value: Any) -> None:
        try:
            getattr(self, signal).emit(value)
        except RuntimeError:
            # The object that asked was deleted meanwhile (its window closed): nobody waits for
            # the answer, and raising here would only land in whatever Qt loop runs next.
            log.debug("background call outlived its owner; its result is dropped")


class LatestCall(QObject):
    """Requests answered newest-wins: `start` replaces any call still going on, whose result is
    then dropped when it arrives. `busy_changed` is True from the first start until the newest
    call has answered (through `succeeded` or `failed`)."""

    busy_changed = Signal(bool)
    succeeded = Signal(object)
    failed = Signal(object)  # the exception

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._current: BackgroundCall | None = None

    @property
    def busy(self) -> bool:
        return self._current is not None

    def start(self, fn: Callable[[], Any]) -> None:
        was_busy = self.busy
        call = BackgroundCall(fn, self)
        call.succeeded.connect(self._call_succeeded)
        call.failed.connect(self._call_failed)
        self._current = call
        if not was_busy:
            self.busy_changed.emit(True)
        call.start()

    def _finish(self) -> bool:
        call = self.sender()
        if isinstance(call, BackgroundCall):
            call.deleteLater()  # it has emitted its one signal; nothing else refers to it
        if call is not self._current:
            return False  # replaced by a newer request
        self._current = None
        self.busy_changed.emit(False)
        return True

    @Slot(object)
    def _call_succeeded(self, result: Any) -> None:
        if self._finish():
            self.succeeded.emit(result)

    @Slot(object)
    def _call_failed(self, exc: Exception) -> None:
        if self._finish():
            self.failed.emit(exc)
