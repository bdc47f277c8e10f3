"""The run bar: Run, Resume and Stop, the progress bar with what the model is doing now (loading,
reading a report, writing its answer, with tokens as they come), and the run's pace (reports
done of total, reports per minute, tokens per second, time left) on the line below.

The core's status messages are English sentences; `status_text` gives each its translation.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QSizePolicy, QVBoxLayout)

from pluk.core.extraction.job import JobResult
from pluk.core.progress import Progress, format_duration
from pluk.gui.widgets import human_size, number

_CONTEXT = "RunPanel"
# The core's on_status messages (extraction/job.py), as the window shows them.
_STATUS = {
    "Checking the model file": QT_TRANSLATE_NOOP("RunPanel", "Checking the model file"),
    "Loading the model": QT_TRANSLATE_NOOP("RunPanel", "Loading the model"),
    "Counting tokens": QT_TRANSLATE_NOOP("RunPanel", "Counting the tokens of the reports"),
}
_tr = QCoreApplication.translate
_LOADING = re.compile(r"Loading the model \(context (\d+) tokens\)")


# The engine's fallback (extraction/job.py's _say_fallback, models/load_probe.py's texts).
_FALLBACKS = {
    "without llama.cpp's extra buffer types": QT_TRANSLATE_NOOP(
        "RunPanel", "The model runs without llama.cpp's extra buffer types (no AMX, no weight "
        "repacking): the default way crashed on this computer"),
    "on the CPU only": QT_TRANSLATE_NOOP(
        "RunPanel", "The model runs on the CPU only: with GPU layers it crashed on this "
        "computer"),
}


def status_text(message: str) -> str:
    """A core status message in the window's language (unknown ones as they are)."""
    if message.startswith("The model runs "):
        for start, text in _FALLBACKS.items():
            if message.startswith(f"The model runs {start}"):
                return _tr(_CONTEXT, text)
    loading = _LOADING.fullmatch(message)
    if loading:
        return QCoreApplication.translate(
            "RunPanel", "Loading the model (context {n} tokens)…").format(n=loading.group(1))
    if message in _STATUS:
        return _tr(_CONTEXT, _STATUS[message]) + "…"
    return message


def duration(seconds: float | None) -> str:
    """format_duration's '2 h 03 min' in the window's language ('2 u 03 min')."""
    text = format_duration(seconds)
    if text == "--":
        return text
    return text.replace(" h ", " " + QCoreApplication.translate("RunPanel", "h",
                                                                  "hours") + " ")


class RunPanel(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("card")
        self._result_shown = False
        self._progress: Progress | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.run_button = QPushButton(self.tr("▶  Run"))
        self.run_button.setObjectName("primary")
        self.resume_button = QPushButton(self.tr("↻  Resume"))
        self.resume_button.setToolTip(self.tr("Continue the stopped run: its finished reports "
                                              "are kept and not redone"))
        self.resume_button.hide()
        self.stop_button = QPushButton(self.tr("■  Stop"))
        self.stop_button.setObjectName("danger")
        self.stop_button.setEnabled(False)
        self.stop_button.setToolTip(self.tr("Stop after the current report; the finished "
                                            "reports are kept and the run can be resumed"))
        layout.addWidget(self.run_button)
        layout.addWidget(self.resume_button)
        layout.addWidget(self.stop_button)
        middle = QVBoxLayout()
        middle.setSpacing(2)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setFormat(self.tr("Ready"))
        # The bar's text can be long (a report id, a folder): it must never widen the window.
        self.bar.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.stats = QLabel("")
        self.stats.setObjectName("muted")
        self.stats.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        # One line always, so a message appearing never moves the panels above.
        self.stats.setMinimumHeight(self.stats.fontMetrics().height() + 2)
        middle.addWidget(self.bar)
        middle.addWidget(self.stats)
        layout.addLayout(middle, 1)

    def set_ready(self, missing: str | None) -> None:
        """`missing`: what the user still has to do before Run, or None."""
        self.run_button.setEnabled(missing is None)
        self.run_button.setToolTip(missing or self.tr("Run the task over every report"))
        if self.stop_button.isEnabled() or self._result_shown:
            return
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setFormat(missing or self.tr("Ready to run"))
        self.bar.setToolTip(missing or "")

    def set_resumable(self, resumable: bool) -> None:
        """A stopped or interrupted run is open: Resume continues it."""
        self.resume_button.setVisible(resumable)
        self.resume_button.setEnabled(resumable and not self.stop_button.isEnabled())

    def set_running(self, running: bool) -> None:
        self.stop_button.setEnabled(running)
        self.resume_button.setEnabled(not running and self.resume_button.isVisible())
        if running:
            self._result_shown = False
            self._progress = None
            self.run_button.setEnabled(False)
            self.bar.setRange(0, 0)  # busy until the first progress report
            self.bar.setFormat(self.tr("Starting…"))
            self.stats.setText("")

    def show_status(self, message: str) -> None:
        text = status_text(message)
        if self.bar.maximum() == 0 or self._progress is None:
            self.bar.setRange(0, 0)
            self.bar.setFormat(text)
        self.stats.setText(text)

    def show_stopping(self) -> None:
        self.stats.setText(self.tr("Stopping after the current report… The finished reports "
                                   "are kept."))

    def show_hash(self, done: int, total: int) -> None:
        self.bar.setRange(0, 1000)
        self.bar.setValue(int(1000 * done / total) if total else 1000)
        self.bar.setFormat(self.tr("Checking the model file: {done} of {total}").format(
            done=human_size(done), total=human_size(total)))

    def show_progress(self, progress: Progress) -> None:
        self._progress = progress
        self.bar.setRange(0, max(progress.total, 1))
        self.bar.setValue(progress.done)
        self.bar.setFormat(self.bar_text(progress))
        self.stats.setText(self.progress_text(progress))

    def bar_text(self, p: Progress) -> str:
        text = self.tr("%n of {total} reports done", "", p.done).format(total=p.total)
        if p.phase == "prompt":
            text += " · " + self.tr("reading report {n} ({tokens} tokens)").format(
                n=p.done + 1, tokens=p.phase_tokens or 0)
        elif p.phase == "thinking":
            text += " · " + self.tr("thinking about report {n}: %n token(s)", "",
                                    p.phase_tokens or 0).format(n=p.done + 1)
        elif p.phase == "answer":
            text += " · " + self.tr("writing the answer to report {n}: %n token(s)", "",
                                    p.phase_tokens or 0).format(n=p.done + 1)
        elif p.done == 0 and p.total:
            text += " · " + self.tr("the model is loaded")
        return text

    def progress_text(self, p: Progress) -> str:
        parts = []
        if p.reports_per_minute:
            parts.append(self.tr("{rate} reports/min").format(rate=number(p.reports_per_minute)))
        if p.tokens_per_second:
            parts.append(self.tr("{rate} tokens/s").format(
                rate=number(p.tokens_per_second, 0)))
        if p.eta_seconds is not None and p.done < p.total:
            parts.append(self.tr("about {time} left").format(time=duration(p.eta_seconds)))
        elif p.done == 0 and p.total:
            parts.append(self.tr("time left: known when the first report is done"))
        parts.append(self.tr("ok {ok} · invalid {invalid} · error {error}").format(
            ok=p.ok, invalid=p.invalid, error=p.error))
        if p.current_id and p.done < p.total and p.phase is None:
            parts.append(self.tr("last: {id}").format(id=p.current_id))
        elif p.current_id and p.phase is not None:
            parts.append(self.tr("now: {id}").format(id=p.current_id))
        return " · ".join(parts)

    def show_result(self, result: JobResult) -> None:
        counts = result.counts
        total = counts.get("total", 0)
        self._result_shown = True
        self.bar.setRange(0, 1)
        finished = result.status == "finished"
        self.bar.setValue(1 if finished else 0)
        if finished:
            text = self.tr("Run finished: %n record(s)", "", total)
        elif result.status == "cancelled":
            text = self.tr("Run stopped after %n report(s): Resume continues it", "", total)
        else:
            text = self.tr("Run {status}: %n record(s)", "", total).format(status=result.status)
        self.bar.setFormat(text)
        self.stats.setText(self.tr("ok {ok} · invalid {invalid} · error {error} · saved in "
                                   "{folder}").format(ok=counts.get("ok", 0),
                                                      invalid=counts.get("invalid", 0),
                                                      error=counts.get("error", 0),
                                                      folder=result.run_dir))
        self.stats.setToolTip(result.run_dir)

    def show_failure(self, message: str) -> None:
        self._result_shown = True
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setFormat(self.tr("The run failed"))
        self.stats.setText(message.splitlines()[0] if message else "")
        self.stats.setToolTip(message)
