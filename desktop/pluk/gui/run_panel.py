"""The run bar: Run and Stop, the progress bar, and the run's pace (reports done of total,
reports per minute, tokens per second, time left) and current step."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

from pluk.core.extraction.job import JobResult
from pluk.core.progress import Progress, format_duration
from pluk.gui.widgets import human_size


class RunPanel(QFrame):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("card")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.run_button = QPushButton("▶  Run")
        self.run_button.setObjectName("primary")
        self.stop_button = QPushButton("■  Stop")
        self.stop_button.setObjectName("danger")
        self.stop_button.setEnabled(False)
        layout.addWidget(self.run_button)
        layout.addWidget(self.stop_button)
        middle = QVBoxLayout()
        middle.setSpacing(2)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setFormat("Ready")
        self.stats = QLabel("")
        self.stats.setObjectName("muted")
        middle.addWidget(self.bar)
        middle.addWidget(self.stats)
        layout.addLayout(middle, 1)

    def set_ready(self, missing: str | None) -> None:
        """`missing`: what the user still has to do before Run, or None."""
        self.run_button.setEnabled(missing is None)
        self.run_button.setToolTip(missing or "Run the task over every report")
        if not self.stop_button.isEnabled():
            self.bar.setFormat(missing or "Ready to run")

    def set_running(self, running: bool) -> None:
        self.stop_button.setEnabled(running)
        if running:
            self.run_button.setEnabled(False)
            self.bar.setRange(0, 0)  # busy until the first progress report
            self.bar.setFormat("Starting…")
            self.stats.setText("")

    def show_status(self, message: str) -> None:
        if self.bar.maximum() == 0:
            self.bar.setFormat(message)
        self.stats.setText(message)

    def show_hash(self, done: int, total: int) -> None:
        self.bar.setRange(0, 1000)
        self.bar.setValue(int(1000 * done / total) if total else 1000)
        self.bar.setFormat(f"Checking the model file: {human_size(done)} of {human_size(total)}")

    def show_progress(self, progress: Progress) -> None:
        self.bar.setRange(0, max(progress.total, 1))
        self.bar.setValue(progress.done)
        self.bar.setFormat(f"{progress.done} / {progress.total} reports")
        self.stats.setText(progress_text(progress))

    def show_result(self, result: JobResult) -> None:
        counts = result.counts
        self.bar.setRange(0, 1)
        self.bar.setValue(1 if result.status == "finished" else 0)
        self.bar.setFormat(f"Run {result.status}: {counts.get('total', 0)} records")
        self.stats.setText(f"ok {counts.get('ok', 0)} · invalid {counts.get('invalid', 0)} · "
                           f"error {counts.get('error', 0)} · saved in {result.run_dir}")

    def show_failure(self, message: str) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(0)
        self.bar.setFormat("The run failed")
        self.stats.setText(message.splitlines()[0] if message else "")


def progress_text(p: Progress) -> str:
    parts = []
    if p.reports_per_minute:
        parts.append(f"{p.reports_per_minute:.1f} reports/min")
    if p.tokens_per_second:
        parts.append(f"{p.tokens_per_second:.0f} tokens/s")
    if p.eta_seconds is not None and p.done < p.total:
        parts.append(f"about {format_duration(p.eta_seconds)} left")
    parts.append(f"ok {p.ok} · invalid {p.invalid} · error {p.error}")
    if p.current_id and p.done < p.total:
        parts.append(f"last: {p.current_id}")
    return " · ".join(parts)
