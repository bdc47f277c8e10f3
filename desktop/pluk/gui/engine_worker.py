"""The engine worker: one QObject on its own QThread that runs extraction jobs with run_job.

It is the only place a model lives while the window is open, so the GUI thread never waits on
llama.cpp; it keeps the loaded model between runs (a DecoderKeeper), so a second run with the
same model and settings does not load it again, and frees it when they change or the window
closes. Work comes in through a queued signal (`RunRequest`), and results leave only through
queued signals; the worker never touches a widget. Stop is a threading.Event set directly from
the GUI thread, because the worker thread is busy inside llama.cpp and cannot take a signal;
run_job polls it between decodes and during long prompt batches.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from pluk.core.engine.keeper import DecoderKeeper
from pluk.core.errors import PlukError
from pluk.core.extraction.job import run_job
from pluk.core.options import RunOptions
from pluk.core.readers.reports import Report
from pluk.core.tasks import TaskDefinition

log = logging.getLogger(__name__)
_HASH_SIGNAL_INTERVAL = 0.1  # seconds; a 4 GB model hashes in ~1000 chunks


@dataclass
class RunRequest:
    task: TaskDefinition
    reports: list[Report]
    model_path: Path | None  # None: options.server answers
    out_dir: Path
    options: RunOptions
    resume: bool = False
    inputs: list[str] = field(default_factory=list)
    delimiter: str = ","
    decimal: str = "."
    booleans: tuple[str, str] = ("yes", "no")


class EngineWorker(QObject):
    status_changed = Signal(str)        # a step: "Loading the model"
    hash_progressed = Signal(object, object)  # bytes done, total (may exceed 2**31)
    progress_changed = Signal(object)   # pluk.core.progress.Progress
    report_finished = Signal(object)    # pluk.core.runs.records.Record
    run_finished = Signal(object)       # pluk.core.extraction.job.JobResult
    run_failed = Signal(str, str)       # message, run folder

    def __init__(self) -> None:
        super().__init__()
        self._stop = threading.Event()
        self._last_hash_signal = 0.0
        self.keeper = DecoderKeeper()  # used on the worker's thread only

    def request_stop(self) -> None:
        """Thread-safe: called from the GUI thread while a job runs."""
        self._stop.set()

    def _on_hash(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done == total or now - self._last_hash_signal >= _HASH_SIGNAL_INTERVAL:
            self._last_hash_signal = now
            self.hash_progressed.emit(done, total)

    @Slot(object)
    def start_run(self, request: RunRequest) -> None:
        self._stop.clear()
        out = str(request.out_dir)
        try:
            result = run_job(
                request.task, request.reports, request.model_path, request.out_dir,
                request.options, resume=request.resume, inputs=request.inputs,
                delimiter=request.delimiter, decimal=request.decimal,
                booleans=request.booleans,
                on_status=self.status_changed.emit, on_hash_progress=self._on_hash,
                on_progress=self.progress_changed.emit,
                on_record=self.report_finished.emit,
                should_stop=self._stop.is_set, keeper=self.keeper)
        except PlukError as exc:
            log.warning("run failed: %s", exc)
            self.keeper.close()  # the next run starts from a freshly loaded model
            self.run_failed.emit(str(exc), out)
        except Exception as exc:  # a bug: the log gets the traceback, the user one dialog
            log.error("run crashed:\n%s", traceback.format_exc())
            self.keeper.close()
            from pluk.gui.errors import unexpected_message

            self.run_failed.emit(unexpected_message(f"{type(exc).__name__}: {exc}"), out)
        else:
            self.run_finished.emit(result)


class EngineThread:
    """Owns the QThread the worker lives on, for the window's whole life."""

    def __init__(self) -> None:
        self.thread = QThread()
        self.thread.setObjectName("pluk-engine")
        self.worker = EngineWorker()
        self.worker.moveToThread(self.thread)
        self.thread.start()

    def shutdown(self, timeout_ms: int = 10_000) -> None:
        self.worker.request_stop()
        self.thread.quit()
        if self.thread.wait(timeout_ms):  # the worker is done with the model: free it
            self.worker.keeper.close()
