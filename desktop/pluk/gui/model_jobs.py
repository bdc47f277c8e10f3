"""Runs one model job (a download, an import, a verify) on a worker thread and reports through
queued signals: `progressed` with `transfer.Progress` as it goes, then exactly one of
`succeeded`, `failed` or `cancelled`, then `ended`.

A job is a plain core call that takes `on_progress` and `should_stop`; this module only adapts
them. Cancel is a threading.Event the GUI thread sets directly, because the worker is inside the
core call and cannot take a signal. The worker never touches a widget.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QT_TRANSLATE_NOOP, Signal

from pluk.core.errors import CancelledError, PlukError
from pluk.core.models.transfer import Progress, ProgressCallback, ProgressMeter, StopCheck

log = logging.getLogger(__name__)
JobCall = Callable[[ProgressCallback, StopCheck], Any]


class ModelJob(QObject):
    progressed = Signal(object)  # transfer.Progress
    succeeded = Signal(object)   # what the core call returned
    failed = Signal(str)         # one plain sentence
    cancelled = Signal(str)
    ended = Signal()

    def __init__(self, title: str, call: JobCall, parent: QObject | None = None):
        super().__init__(parent)
        self.title = title
        self._call = call
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        # A plain thread, not the global QThreadPool: a download can take an hour and must not
        # hold one of the pool's few slots that reading report folders needs.
        self._thread = threading.Thread(target=self._run, name="pluk-model-job", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Thread-safe; the core call stops at its next chunk."""
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        """True when the worker has finished (used on quit, after cancel)."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running

    def _run(self) -> None:
        try:
            result = self._call(self.progressed.emit, self._stop.is_set)
        except CancelledError as exc:
            self.cancelled.emit(str(exc) or "Cancelled")
        except (PlukError, OSError) as exc:
            log.info("%s failed: %s", self.title, exc)
            self.failed.emit(str(exc))
        except Exception as exc:  # shown to the user; the traceback goes to the log file
            log.exception("%s failed unexpectedly", self.title)
            self.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            self.succeeded.emit(result)
        self.ended.emit()


# --- the core calls, as jobs --------------------------------------------------------------------


def download_catalogue_call(model_id: str) -> JobCall:
    from pluk.core.models.download import download_catalogue_model

    return lambda on_progress, should_stop: download_catalogue_model(
        model_id, on_progress=on_progress, should_stop=should_stop)


def download_repo_call(repo: str, filename: str, revision: str) -> JobCall:
    from pluk.core.models.download import download_model

    return lambda on_progress, should_stop: download_model(
        repo, filename, revision=revision, on_progress=on_progress, should_stop=should_stop)


def import_call(path: Path, copy: bool) -> JobCall:
    from pluk.core.models.importer import import_model

    return lambda on_progress, should_stop: import_model(
        path, copy=copy, on_progress=on_progress, should_stop=should_stop)


def import_pack_call(folder: Path) -> JobCall:
    """A model pack (`pluk models export-pack`, on a USB stick): checked against its manifest
    while it is copied in."""
    from pluk.core.models.pack import import_pack

    return lambda on_progress, should_stop: import_pack(
        folder, on_progress=on_progress, should_stop=should_stop)


def verify_call(model_id: str) -> JobCall:
    from pluk.core.models.store import verify

    def call(on_progress: ProgressCallback, should_stop: StopCheck):
        meter: list[ProgressMeter] = []

        def bytes_done(done: int, total: int) -> None:
            if should_stop():
                raise CancelledError("Verify cancelled")
            if not meter:
                meter.append(ProgressMeter("verifying", total, on_progress))
            meter[0].update(done)

        return verify(model_id, bytes_done)

    return call


PHASE_WORDS = {"checking": QT_TRANSLATE_NOOP("ModelJob", "Checking"),
               "downloading": QT_TRANSLATE_NOOP("ModelJob", "Downloading"),
               "verifying": QT_TRANSLATE_NOOP("ModelJob", "Verifying"),
               "copying": QT_TRANSLATE_NOOP("ModelJob", "Copying"),
               "hashing": QT_TRANSLATE_NOOP("ModelJob", "Hashing")}


def describe_progress(progress: Progress) -> str:
    """'Downloading · 120.5 MB of 4.7 GB · 12.3 MB/s · 6 min 12 s left'."""
    from pluk.gui.run_panel import duration
    from pluk.gui.widgets import human_size as format_bytes

    def tr(text: str) -> str:
        return QCoreApplication.translate("ModelJob", text)

    parts = [tr(PHASE_WORDS.get(progress.phase, progress.phase.capitalize()))]
    parts.append(QCoreApplication.translate("ModelJob", "{done} of {total}").format(
        done=format_bytes(progress.done), total=format_bytes(progress.total))
        if progress.total else format_bytes(progress.done))
    if progress.bytes_per_second:
        parts.append(f"{format_bytes(progress.bytes_per_second)}/s")
    if progress.eta_seconds is not None:
        parts.append(QCoreApplication.translate("ModelJob", "{time} left").format(
            time=duration(progress.eta_seconds)))
    return " · ".join(parts)
