"""Owns byte progress (done/total, speed, ETA) and the copy-while-hashing loop that imports and
packs share. Progress and cancel are plain callables; the GUI adapts them to signals."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pluk.core.errors import CancelledError

Phase = Literal["checking", "downloading", "verifying", "copying", "hashing"]
CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class Progress:
    phase: Phase
    done: int
    total: int | None
    bytes_per_second: float | None = None
    eta_seconds: float | None = None

    @property
    def fraction(self) -> float | None:
        return self.done / self.total if self.total else None


ProgressCallback = Callable[[Progress], None]
StopCheck = Callable[[], bool]


class ProgressMeter:
    """Turns byte counts into Progress reports, at most every `interval` seconds (plus the last).

    Speed is measured over this session's bytes only (`start` = bytes already there when it
    began), so a resumed download does not claim an impossible speed."""

    def __init__(
        self,
        phase: Phase,
        total: int | None,
        on_progress: ProgressCallback | None,
        *,
        start: int = 0,
        interval: float = 0.25,
    ) -> None:
        self.phase, self.total, self._callback = phase, total, on_progress
        self._start_bytes, self._interval = start, interval
        self._t0 = time.monotonic()
        self._last_report = 0.0
        # A short moving window so the ETA follows the current speed, not the average.
        self._window: list[tuple[float, int]] = [(self._t0, start)]

    def update(self, done: int, *, force: bool = False) -> None:
        if self._callback is None:
            return
        now = time.monotonic()
        if not force and now - self._last_report < self._interval:
            return
        self._last_report = now
        self._window.append((now, done))
        while len(self._window) > 2 and now - self._window[0][0] > 5.0:
            self._window.pop(0)
        t_first, b_first = self._window[0]
        speed = (done - b_first) / (now - t_first) if now > t_first and done > b_first else None
        eta = None
        if speed and self.total:
            eta = max(self.total - done, 0) / speed
        self._callback(Progress(self.phase, done, self.total, speed, eta))


def copy_with_sha256(
    src: Path,
    dst: Path,
    *,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> str:
    """Copy src to dst and return the sha256 of the bytes copied, in one pass over the file.
    On cancel or error the partial dst is deleted."""
    total = src.stat().st_size
    meter = ProgressMeter("copying", total, on_progress)
    digest = hashlib.sha256()
    done = 0
    try:
        with src.open("rb") as fin, dst.open("wb") as fout:
            while chunk := fin.read(CHUNK):
                if should_stop and should_stop():
                    raise CancelledError("Copy cancelled")
                digest.update(chunk)
                fout.write(chunk)
                done += len(chunk)
                meter.update(done)
            fout.flush()
            os.fsync(fout.fileno())
    except BaseException:
        dst.unlink(missing_ok=True)
        raise
    meter.update(done, force=True)
    return digest.hexdigest()


def sha256_with_progress(
    path: Path, on_progress: ProgressCallback | None = None, *, phase: Phase = "hashing"
) -> str:
    """sha256 of a file, reporting Progress as it reads."""
    from pluk.core.models.gguf_info import file_sha256

    meter = ProgressMeter(phase, path.stat().st_size, on_progress)
    return file_sha256(path, lambda done, _total: meter.update(done), use_cache=False)
