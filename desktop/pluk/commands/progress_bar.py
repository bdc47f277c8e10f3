"""A one-line progress bar on stderr for long CLI jobs: reports done, reports/min, ETA; and the
Ctrl-C handling that lets such a job stop cleanly after its current step."""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from pluk.core.progress import Progress, format_duration


def progress_line(p: Progress, width: int = 24) -> str:
    filled = int(width * p.done / p.total) if p.total else width
    rate = f"{p.reports_per_minute:.1f} reports/min" if p.reports_per_minute else "-- reports/min"
    return (f"[{'#' * filled}{'.' * (width - filled)}] {p.done}/{p.total} reports · {rate} · "
            f"ETA {format_duration(p.eta_seconds)} · ok {p.ok} invalid {p.invalid} "
            f"error {p.error}")


class ProgressBar:
    """Redraws in place on a terminal; on a pipe or log file prints a line every few seconds."""

    def __init__(self, stream=None, interval: float = 5.0):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval
        self._last = 0.0

    def __call__(self, progress: Progress) -> None:
        if progress.phase is not None:
            return  # a step within a report (the window shows them); the line counts reports
        line = progress_line(progress)
        if self.tty:
            self.stream.write("\r" + line)
        else:
            now = time.monotonic()
            final = progress.done == progress.total
            if not final and now - self._last < self.interval and progress.done:
                return
            self._last = now
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def say(message: str) -> None:
    """A status line for the user on stderr (stdout stays free for data)."""
    print(f"pluk: {message}", file=sys.stderr)


@contextmanager
def interruptible_progress() -> Iterator[tuple[threading.Event, ProgressBar]]:
    """Yield (stop, bar): SIGINT and SIGTERM set `stop` so the job ends after its current step
    with everything finished kept, and `bar` draws progress; both are undone on exit."""
    stop = threading.Event()

    def on_signal(_signum, _frame):
        print("\npluk: stopping after the current step…", file=sys.stderr)
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    bar = ProgressBar()
    try:
        yield stop, bar
    finally:
        bar.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
