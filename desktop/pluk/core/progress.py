"""Progress of a run as plain data: counts, rates and an ETA, shared by the CLI and the GUI,
and the one way durations are written for the user (`format_duration`)."""

from __future__ import annotations

import math
import time
from typing import Literal

from pydantic import BaseModel

# What the run is doing with the current report: the model reading it (prompt processing, the
# long part on a CPU), a thinking model thinking before it answers, or writing the answer;
# `phase_tokens` counts the tokens of that step.
Phase = Literal["prompt", "thinking", "answer"]


def format_duration(seconds: float | None) -> str:
    """'45 s', '1 min 05 s', '2 h 03 min'; '--' when unknown. The GUI and the CLI both use it,
    so a time left reads the same in the window and in a terminal."""
    if seconds is None or not math.isfinite(seconds):
        return "--"
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


class Progress(BaseModel):
    done: int
    total: int
    ok: int = 0
    invalid: int = 0
    error: int = 0
    elapsed: float = 0.0
    reports_per_minute: float | None = None
    tokens_per_second: float | None = None
    eta_seconds: float | None = None
    current_id: str | None = None
    phase: Phase | None = None
    phase_tokens: int | None = None


class ProgressTracker:
    """Counts finished reports; rates use only reports the model processed in this session,
    so resumed or unreadable reports do not make the ETA look better than it is."""

    def __init__(self, total: int, already_done: int = 0):
        self.total = total
        self.counts = {"ok": 0, "invalid": 0, "error": 0}
        self.done = already_done
        self._started = time.monotonic()
        self._model_seconds = 0.0
        self._model_reports = 0
        self._tokens = 0

    def add(self, status: str, *, seconds: float = 0.0, tokens: int = 0, used_model: bool) -> None:
        self.done += 1
        self.counts[status] = self.counts.get(status, 0) + 1
        if used_model:
            self._model_reports += 1
            self._model_seconds += seconds
            self._tokens += tokens

    def snapshot(self, current_id: str | None = None, phase: Phase | None = None,
                 phase_tokens: int | None = None) -> Progress:
        elapsed = time.monotonic() - self._started
        per_minute = tps = eta = None
        if self._model_reports and self._model_seconds > 0:
            seconds_per_report = self._model_seconds / self._model_reports
            per_minute = 60.0 / seconds_per_report
            tps = self._tokens / self._model_seconds
            eta = seconds_per_report * max(self.total - self.done, 0)
        return Progress(done=self.done, total=self.total, elapsed=elapsed,
                        reports_per_minute=per_minute, tokens_per_second=tps,
                        eta_seconds=eta, current_id=current_id, phase=phase,
                        phase_tokens=phase_tokens, **self.counts)
