"""The state of one window: the inputs and their reports, the task, the model and the current run.

Panels ask the session to change something and redraw from its signals; the session calls the
core (readers on a background call, jobs on the engine worker) and never touches a widget.

A run stopped (Stop, or quitting during it) or interrupted stays resumable: `resumable_changed`
says whether the open run can be continued, and Resume continues it without redoing a report.
A new run's results replace those on screen only once it has started; a run that fails before
(a model that cannot load) leaves them.

The grouping of documents into one report per patient or case (`GroupOptions`, the CLI's
--group-by) applies to every read of the inputs; changing it reads them again. A rule that
cannot work is refused with the core's reason (`grouping_checked`), the reports stay as they
were and Run waits for a rule that works. A run's options record the rule
(reading.group_by), and resuming it reads the inputs with that rule again.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from pluk.core.errors import PlukError
from pluk.core.extraction.job import JobResult
from pluk.core.options import RunOptions
from pluk.core.readers import GroupOptions, TableOptions, read_inputs
from pluk.core.readers.grouping import parse_group_by
from pluk.core.runs.records import Record
from pluk.core.readers.reports import Report
from pluk.core.runs.find import LoadedRun, load_run
from pluk.core.runs.folder import RunFolder, RunManifest
from pluk.core.runs.lock import run_in_use
from pluk.core.settings import Settings, save_settings
from pluk.core.tasks import TaskDefinition
from pluk.gui.run_counts import RunCounts
from pluk.gui.background import BackgroundCall, LatestCall
from pluk.gui.engine_worker import EngineThread, RunRequest
from pluk.gui.i18n import csv_format

log = logging.getLogger(__name__)


def new_run_dir(root: Path, task_id: str) -> Path:
    stamp = datetime.now().strftime("%Y-%m-%d_%H%M%S")
    path = root / f"{stamp}_{task_id}"
    n = 2
    while path.exists():
        path, n = root / f"{stamp}_{task_id}_{n}", n + 1
    return path


class Session(QObject):
    reading_changed = Signal(bool)
    reading_status = Signal(str)  # the readers' progress (OCR of a long scan), from their thread
    reports_changed = Signal(list)          # list[Report]
    inputs_failed = Signal(str)
    grouping_checked = Signal(str)          # "" when the grouping rule works, else why not
    grouping_adopted = Signal(object)       # GroupOptions a resumed run brings
    task_changed = Signal(object)           # TaskDefinition | None
    model_changed = Signal(object)          # Path | None
    running_changed = Signal(bool)
    run_opened = Signal(object, object, list)  # run dir, TaskDefinition, records so far
    opening_changed = Signal(bool)          # a previous run is being read back
    run_open_failed = Signal(str)
    run_status = Signal(str)
    stopping = Signal()                     # Stop was pressed; the run ends after this report
    resumable_changed = Signal(bool)        # the open run was stopped or interrupted
    hash_progressed = Signal(object, object)
    progress_changed = Signal(object)       # Progress
    record_added = Signal(object)           # Record
    run_finished = Signal(object)           # JobResult
    run_failed = Signal(str)

    run_requested = Signal(object)          # RunRequest, queued to the engine worker

    def __init__(self, settings: Settings, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings
        self.input_paths: list[str] = []
        self.table_options = TableOptions()
        self.group_options = GroupOptions()
        self.grouping_problem: str | None = None
        self.reports: list[Report] = []
        self.task: TaskDefinition | None = None
        self.model_path: Path | None = None
        self.model_problem: str | None = None   # why the chosen model cannot be used
        self.model_checking = False
        self.run_dir: Path | None = None
        self.run_state: str | None = None       # the open run's status: finished, cancelled, …
        self._unopened: tuple[Path, TaskDefinition, list] | None = None
        self.running = False
        self._reader: BackgroundCall | None = None
        self._pending_resume: Path | None = None
        self.counts = RunCounts()  # what the window counts during a run: its records
        self._opener = LatestCall(self)
        self._opener.busy_changed.connect(self.opening_changed)
        self._opener.succeeded.connect(self._on_run_loaded)
        self._opener.failed.connect(self._on_run_load_failed)
        # A resumed run's manifest and records are read off the GUI thread too: a large run
        # holds tens of thousands of records.
        self._resumer = LatestCall(self)
        self._resumer.succeeded.connect(self._on_resume_loaded)
        self._resumer.failed.connect(self._on_resume_load_failed)
        self._engine = EngineThread()
        worker = self._engine.worker
        self.run_requested.connect(worker.start_run)
        worker.status_changed.connect(self.run_status)
        worker.hash_progressed.connect(self.hash_progressed)
        worker.progress_changed.connect(self._on_progress)
        worker.report_finished.connect(self._on_record)
        worker.run_finished.connect(self._on_finished)
        worker.run_failed.connect(self._on_failed)

    # -- inputs --------------------------------------------------------------------------

    def report_by_id(self, report_id: str) -> Report | None:
        for report in self.reports:
            if report.id == report_id:
                return report
        return None

    def add_paths(self, paths: list[str], table: TableOptions | None = None) -> None:
        if table is not None:
            self.table_options = table
        self.input_paths += [p for p in paths if p not in self.input_paths]
        self._read(list(self.input_paths), self.table_options)

    def clear_inputs(self) -> None:
        self.input_paths = []
        self.reports = []
        self.reports_changed.emit([])

    def set_grouping(self, group: GroupOptions) -> None:
        """Group the documents by this rule from now on, reading the inputs again."""
        try:
            parse_group_by(group)
        except PlukError as exc:
            self.grouping_problem = str(exc)
            self.grouping_checked.emit(self.grouping_problem)
            return
        self.grouping_problem = None
        self.grouping_checked.emit("")
        if group != self.group_options:
            self.group_options = group
            if self.input_paths:
                self._read(list(self.input_paths), self.table_options)

    def _read(self, inputs: list[str], table: TableOptions) -> None:
        # Re-reading every input keeps report ids identical to `pluk extract --input ...`
        # (with --group-by when the window groups).
        group = self.group_options
        say = self.reading_status.emit  # a signal crosses to the window's thread by itself
        self._reader = BackgroundCall(lambda: read_inputs(inputs, table=table, group=group,
                                                          on_status=say), self)
        self._reader.succeeded.connect(self._on_read)
        self._reader.failed.connect(self._on_read_failed)
        self.reading_changed.emit(True)
        self._reader.start()

    @Slot(object)
    def _on_read(self, reports: list[Report]) -> None:
        if self.sender() is not self._reader:
            return  # a newer read has replaced this one
        self.reports = reports
        self.reading_changed.emit(False)
        self.reports_changed.emit(reports)
        if self._pending_resume is not None:
            folder, self._pending_resume = self._pending_resume, None
            self._start_resume(folder)

    @Slot(object)
    def _on_read_failed(self, exc: Exception) -> None:
        if self.sender() is not self._reader:
            return
        self.reading_changed.emit(False)
        if self.input_paths and not isinstance(exc, PlukError):
            log.error("reading inputs failed", exc_info=exc)
        self.input_paths = [p for p in self.input_paths if Path(p).exists()]
        self._pending_resume = None
        self.inputs_failed.emit(str(exc))

    # -- task and model ------------------------------------------------------------------

    def set_task(self, task: TaskDefinition | None) -> None:
        self.task = task
        if task is not None:
            self.settings.last_task = task.id
        self.task_changed.emit(task)

    def set_model(self, path: Path | None) -> None:
        """A model was chosen; it is being checked (`model_checked` tells the outcome)."""
        self.model_path = path
        self.model_problem = None
        self.model_checking = path is not None
        self.model_changed.emit(path)

    def model_checked(self, path: Path, problem: str | None) -> None:
        """The chosen model's check came back: a usable one is remembered, a broken one is
        dropped from the recent models and Run says why it cannot start."""
        if path != self.model_path:
            return
        self.model_checking = False
        self.model_problem = problem
        if problem is None:
            self.settings.remember_model(str(path))
        else:
            self.settings.forget_model(str(path))
        save_settings(self.settings)
        self.model_changed.emit(path)

    def can_run(self) -> str | None:
        """None when a run can start, else what is missing, in words."""
        if self.running:
            return self.tr("A run is going on")
        if self.grouping_problem:
            return self.tr("Fix the rule for grouping documents")
        if not self.reports:
            return self.tr("Add reports first")
        if self.task is None:
            return self.tr("Choose a task")
        if self.settings.run.server is not None:
            return None  # an inference server answers: no model file is needed
        if self.model_path is None or not self.model_path.is_file():
            return self.tr("Choose a model file, or download one with Models…")
        if self.model_checking:
            return self.tr("Checking the model file…")
        if self.model_problem:
            return self.tr("This model cannot be used: {reason}").format(
                reason=self.model_problem)
        return None

    def resumable(self) -> bool:
        """The open run was stopped or interrupted, and no window is working on it."""
        if self.running or self.run_dir is None or self.run_state not in ("cancelled",
                                                                          "running"):
            return False
        return not run_in_use(self.run_dir)

    def _set_run_state(self, state: str | None) -> None:
        self.run_state = state
        self.resumable_changed.emit(self.resumable())

    # -- runs ----------------------------------------------------------------------------

    def start_run(self) -> Path | None:
        missing = self.can_run()
        if missing:
            self.run_failed.emit(missing)
            return None
        run_dir = new_run_dir(self.settings.runs_folder(), self.task.id)
        self._set_running(True)
        # The results on screen stay until the run has started (a model that cannot be loaded
        # fails before): then they make way for the new run's.
        self._unopened = (run_dir, self.task, [])
        self.counts.start([])
        # The grouping goes into the run's options, so its manifest says how its reports were
        # made and a resume groups the inputs the same way.
        run = self.settings.run
        options = run.model_copy(update={"reading": run.reading.model_copy(
            update={"group_by": self.group_options.by})})
        self.run_requested.emit(RunRequest(
            task=self.task, reports=list(self.reports),
            model_path=None if self.settings.run.server else self.model_path,
            out_dir=run_dir, options=options,
            inputs=[str(Path(p).resolve()) for p in self.input_paths],
            **csv_format(self.settings)))
        save_settings(self.settings)
        return run_dir

    def stop_run(self) -> None:
        if self.running:
            self._engine.worker.request_stop()
            self.stopping.emit()

    def _open_started_run(self) -> None:
        if self._unopened is not None:
            run_dir, task, records = self._unopened
            self._unopened = None
            self.run_dir = run_dir
            self.run_state = "running"
            self.run_opened.emit(run_dir, task, records)

    @Slot(object)
    def _on_progress(self, progress) -> None:
        self._open_started_run()
        self.progress_changed.emit(self.counts.progress(progress))

    def open_run(self, run_dir: Path) -> None:
        """Show a previous run's records; its reports are read again for the detail pane.

        The run folder is read off the GUI thread (every record is parsed); `opening_changed`
        says while, then `run_opened` or `run_open_failed`. A newer open replaces this one."""
        run_dir = Path(run_dir)
        self._opener.start(lambda: load_run(run_dir))

    @Slot(object)
    def _on_run_loaded(self, run: LoadedRun) -> None:
        if self.running:
            return  # a run started meanwhile and owns the results view now
        self.run_dir = run.folder
        self.run_opened.emit(self.run_dir, run.task, run.records)
        self._set_run_state(run.manifest.status)
        existing = [p for p in run.manifest.inputs if Path(p).exists()]
        if existing:
            self.input_paths = existing
            self._read(existing, self.table_options)

    @Slot(object)
    def _on_run_load_failed(self, exc: Exception) -> None:
        if not isinstance(exc, PlukError):
            log.error("opening a run failed", exc_info=exc)
        self.run_open_failed.emit(str(exc))

    def resume_run(self, run_dir: Path) -> None:
        """Continue a stopped or interrupted run: its inputs, task, model and options as saved;
        the reports it has records of are not redone."""
        if self.running:
            raise PlukError(self.tr("Cannot resume: a run is going on"))
        if run_in_use(run_dir):
            raise PlukError(self.tr("Cannot resume: another Pluk window is working on this "
                                    "run"))
        manifest = RunFolder(run_dir).read_manifest()
        missing = [p for p in manifest.inputs if not Path(p).exists()]
        if missing or not manifest.inputs:
            raise PlukError(self.tr("Cannot resume: these inputs are gone: {paths}").format(
                paths=", ".join(missing)) if missing
                else self.tr("Cannot resume: the run lists no inputs"))
        if not manifest.options.get("server") and not Path(manifest.model.path).is_file():
            raise PlukError(self.tr("Cannot resume: the model file is gone: {path}").format(
                path=manifest.model.path))
        self.input_paths = list(manifest.inputs)
        self._pending_resume = Path(run_dir)
        # Its reports are grouped as the run grouped them, whatever the window has now.
        self.group_options = GroupOptions(
            by=RunOptions.from_saved(manifest.options).reading.group_by)
        self.grouping_problem = None
        self.grouping_checked.emit("")
        self.grouping_adopted.emit(self.group_options)
        self._read(list(manifest.inputs), self.table_options)

    def _start_resume(self, run_dir: Path) -> None:
        self._resumer.start(lambda: load_run(run_dir))

    @Slot(object)
    def _on_resume_load_failed(self, exc: Exception) -> None:
        if not isinstance(exc, PlukError):
            log.error("reading a run to resume failed", exc_info=exc)
        self.run_failed.emit(self.tr("Cannot resume: {reason}").format(reason=exc))

    @Slot(object)
    def _on_resume_loaded(self, run: LoadedRun) -> None:
        if self.running:
            return  # a run started meanwhile
        manifest: RunManifest = run.manifest
        task = run.task
        options = RunOptions.from_saved(manifest.options)
        self.task = task
        if options.server is None:  # a server run has no model file
            self.model_path = Path(manifest.model.path)
        self.run_dir = Path(run.folder)
        self.run_state = "running"
        self._set_running(True)
        self.counts.start(run.records)
        self.run_opened.emit(self.run_dir, task, run.records)
        self.run_requested.emit(RunRequest(
            task=task, reports=list(self.reports),
            model_path=None if options.server else self.model_path,
            out_dir=self.run_dir, options=options, resume=True, inputs=list(manifest.inputs),
            **csv_format(self.settings)))

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.running_changed.emit(running)

    @Slot(object)
    def _on_record(self, record: Record) -> None:
        self._open_started_run()
        self.record_added.emit(record)
        agreed = self.counts.record(record)
        if agreed is not None:
            self.progress_changed.emit(agreed)

    @Slot(object)
    def _on_finished(self, result: JobResult) -> None:
        self._open_started_run()
        self._set_running(False)
        self._set_run_state(result.status)
        self.run_finished.emit(result)

    @Slot(str, str)
    def _on_failed(self, message: str, _run_dir: str) -> None:
        self._unopened = None  # never shown: the results on screen stay
        self._set_running(False)
        if self.run_dir is not None and Path(_run_dir) == self.run_dir:
            self._set_run_state("failed")
        self.run_failed.emit(message)

    def shutdown(self) -> None:
        self._engine.shutdown()
        save_settings(self.settings)
