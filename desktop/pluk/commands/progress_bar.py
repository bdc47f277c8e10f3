"""A one-line progress bar on stderr for long CLI jobs: reports done, reports/min, ETA."""

from __future__ import annotations

import sys
import time

from pluk.core.progress import Progress


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "--"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


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
