"""A one-line progress bar on stderr for long CLI jobs: reports done, reports/min, ETA; and the
Ctrl-C handling that lets such a job stop cleanly after its current step."""

from __future__ import annotations

import os
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


# Signals that stop a job after its current step: Ctrl-C, `kill`, and a closed terminal.
_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                      if hasattr(signal, name))


def _away_from_closed_terminal(terminal_fds: list[int]) -> None:
    """Point the standard streams that were a terminal at the null device: after a hangup every
    write to that terminal fails (EIO), and the stop must still end cleanly."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    try:
        for fd in terminal_fds:
            try:
                os.dup2(null, fd)
            except OSError:
                pass
    finally:
        os.close(null)


@contextmanager
def interruptible_progress() -> Iterator[tuple[threading.Event, ProgressBar]]:
    """Yield (stop, bar): SIGINT, SIGTERM and SIGHUP (the terminal closed) set `stop` so the job
    ends after its current step with everything finished kept (the run cancelled, with its
    counts and exports), and `bar` draws progress; both are undone on exit. A SIGHUP that is
    ignored (`nohup`) stays ignored, so such a run keeps going when its terminal closes."""
    stop = threading.Event()
    terminal_fds = []
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and stream.isatty():
                terminal_fds.append(stream.fileno())
        except (OSError, ValueError, AttributeError):
            pass

    def on_signal(signum, _frame):
        if signum == getattr(signal, "SIGHUP", None):
            _away_from_closed_terminal(terminal_fds)
        try:
            print("\npluk: stopping after the current step…", file=sys.stderr, flush=True)
        except (OSError, ValueError):
            pass  # no terminal left to tell; the stop goes on all the same
        stop.set()

    previous = {}
    for sig in _STOP_SIGNALS:
        if sig == getattr(signal, "SIGHUP", None) and signal.getsignal(sig) == signal.SIG_IGN:
            continue
        previous[sig] = signal.signal(sig, on_signal)
    bar = ProgressBar()
    try:
        yield stop, bar
    finally:
        bar.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
