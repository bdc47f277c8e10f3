"""run_extraction: the one long job of Pluk, which run_job runs for every caller and every engine.

One loop over the Engine protocol (engine/protocol.py), the local decoder and a server alike;
what differs between them is their Planner (requests.py): how a report becomes requests and a
result its record. The run's fixed prompt prefix is given to the engine once (engine.prepare);
each report then becomes its requests (one, or one per section of a report read in sections),
which go to the engine lazily, as it has room for them; it answers several at once where it can
and hands back each result as it finishes, which becomes a record (record_build.py). Every
report yields exactly one record (unreadable and too-long ones at once, without the engine); a
cancelled run yields none for the reports in work, so a resumed run redoes them and duplicates
nothing.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Generator, Iterator
from contextlib import closing

from pluk.core.engine.protocol import Engine, ExtractRequest
from pluk.core.errors import CancelledError
from pluk.core.extraction.context import ReportTokens
from pluk.core.extraction.passes import with_passes
from pluk.core.extraction.record_build import (answer_record, decimal_keys, error_record,
                                               record_from_result)
from pluk.core.extraction.requests import (ChooseExamples, Planned, Planner, TokenEngine,
                                           planner_for, request_for)
from pluk.core.options import RunOptions
from pluk.core.progress import Progress, ProgressTracker
from pluk.core.readers.reports import Report
from pluk.core.runs.records import Record
from pluk.core.tasks import TaskDefinition

# Where they were before the loop served every engine: the tests and benches import them here.
__all__ = ["RecordCounter", "TokenEngine", "answer_record", "decimal_keys", "error_record",
           "record_from_result", "request_for", "run_extraction"]

_PHASE_INTERVAL = 0.25  # seconds between two token counts of one answer


def _phase_reporter(tracker: ProgressTracker, report_id: str,
                    on_progress: Callable[[Progress], None] | None
                    ) -> Callable[[str, int], None] | None:
    """Progress snapshots with the phase of the report in work; answer tokens at most every
    _PHASE_INTERVAL, so a fast model does not flood the window with signals."""
    if on_progress is None:
        return None
    last = [0.0, ""]

    def report(phase: str, tokens: int) -> None:
        now = time.monotonic()
        if phase == last[1] and now - last[0] < _PHASE_INTERVAL:
            return
        last[0], last[1] = now, phase
        on_progress(tracker.snapshot(current_id=report_id, phase=phase, phase_tokens=tokens))

    return report



class RecordCounter:
    """Counts each finished record into the progress and gives it its input position."""

    def __init__(self, tracker: ProgressTracker,
                 on_progress: Callable[[Progress], None] | None) -> None:
        self.tracker, self.on_progress = tracker, on_progress
        self.last = time.perf_counter()

    def __call__(self, record: Record, index: int) -> Record:
        # Seconds between finishes, not per answer: with several at once the rate is the run's.
        now = time.perf_counter()
        used = record.raw is not None
        self.tracker.add(record.status, seconds=now - self.last if used else 0.0,
                         used_model=used, tokens=(record.tokens_prompt or 0)
                         - (record.tokens_cached or 0) + (record.tokens_output or 0))
        if used:
            self.last = now
        if self.on_progress:
            self.on_progress(self.tracker.snapshot(current_id=record.id))
        return record.model_copy(update={"input_index": index})


def _todo(reports: list[Report], options: RunOptions,
          skip: Callable[[Report], bool] | None) -> list[tuple[int, Report]]:
    """The reports this run answers, with their places in `reports`: those a resumed run
    does not have yet, at most the reading limit."""
    todo = [(i, r) for i, r in enumerate(reports) if not (skip and skip(r))]
    if options.reading.limit is not None:
        todo = todo[: options.reading.limit]
    return todo


def run_extraction(
    task: TaskDefinition,
    reports: list[Report],
    engine: Engine,
    options: RunOptions | None = None,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    skip: Callable[[Report], bool] | None = None,
    choose_examples: ChooseExamples | None = None,
    held: ReportTokens | None = None,
) -> Iterator[Record]:
    """Yield one record per report as each finishes: in input order where the engine answers
    one at a time, else in order of completion; each record's input_index is its report's
    place in `reports`. A report too long for the context is read in overlapping sections
    (sections.py) whose answers merge into its one record (section_merge.py), unless the task
    or `options.context.long_reports` says to cut it or make it an error. `skip(report)`
    leaves out reports a resumed run already has; a true `should_stop()` ends the run between
    decodes. `choose_examples(report)` gives each report its own few-shot examples in place of
    the task's; they follow the fixed instructions, so only those stay a shared prefix.
    `held` has the reports' tokens where the context plan counted them."""
    options = options or RunOptions()
    stop = should_stop or (lambda: False)
    todo = _todo(reports, options, skip)
    tracker = ProgressTracker(total=len(todo))
    planner = planner_for(task, engine, options, choose_examples, held)
    planner = _with_passes(planner, options)
    if on_progress:
        on_progress(tracker.snapshot())
    if not todo or stop():
        return
    try:
        prompt = engine.prepare(planner.prefix(), should_stop=stop)
    except CancelledError:
        return
    yield from _answer(engine, prompt, planner, todo, task, tracker, on_progress, stop)


def _with_passes(planner: Planner, options: RunOptions) -> Planner:
    """The planner, giving each report N requests where --passes asks for N (one request per
    report; a report read in sections is answered once, with a warning)."""
    decoding = options.decoding
    if decoding.passes <= 1:
        return planner
    plan = planner.plan

    def planned_passes(report: Report, index: int, prepared: list[int]):
        planned = plan(report, index, prepared)
        if isinstance(planned, Record):
            return planned
        if len(planned) != 1 or planned[0].split is not None:
            for one in planned:
                one.warnings.append(f"Read in sections: answered once, not in the "
                                    f"{decoding.passes} passes asked for")
            return planned
        return with_passes(planned[0], decoding.passes, decoding.temperature, decoding.seed)

    planner.plan = planned_passes  # type: ignore[method-assign]
    return planner


def _answer(engine: Engine, prompt, planner: Planner, todo: list[tuple[int, Report]],
            task: TaskDefinition, tracker: ProgressTracker,
            on_progress: Callable[[Progress], None] | None,
            stop: Callable[[], bool]) -> Iterator[Record]:
    """The records of `todo`, as the engine answers them."""
    ready: deque[Record] = deque()       # records made without the engine, not yet yielded
    working: dict[str, Planned] = {}
    broken: list[BaseException] = []
    counted = RecordCounter(tracker, on_progress)

    def requests(prepared: list[int]) -> Iterator[ExtractRequest]:
        try:
            for index, report in todo:
                if stop():
                    return
                planned = planner.plan(report, index, prepared)
                if isinstance(planned, Record):
                    ready.append(counted(planned, index))
                    continue
                phase = _phase_reporter(tracker, report.id, on_progress)
                for one in planned:
                    if one.split is not None and one.split.failed:
                        break  # the engine failed on an earlier section: the report's error
                    one.request.on_phase = phase
                    working[one.request.id] = one
                    yield one.request
        except Exception as exc:  # building a prompt failed: the run's error, not a report's
            broken.append(exc)
            raise

    retries: list[Planned] = []        # answers thinking left unfinished, to try once more

    def again(planned: list[Planned]) -> Iterator[ExtractRequest]:
        for one in planned:
            if stop():
                return
            working[one.request.id] = one
            yield one.request

    # The first pass answers every report; a second, where asked, retries with less thinking.
    passes = deque([requests(prompt.tokens)])
    while passes:
        finished = yield from _one_pass(engine, prompt, passes.popleft(), planner, task,
                                        working, ready, retries, broken, counted, stop)
        if not finished:
            return  # stopped: no record for the reports in work, nor a retry
        if retries:
            passes.append(again(list(retries)))
            retries.clear()
    while ready:
        yield ready.popleft()


def _one_pass(engine: Engine, prompt, source: Iterator[ExtractRequest], planner: Planner,
              task: TaskDefinition, working: dict[str, Planned], ready: deque[Record],
              retries: list[Planned], broken: list[BaseException], counted: RecordCounter,
              stop: Callable[[], bool]) -> Generator[Record, None, bool]:
    """The records of one pass of `source` through the engine; an engine failure is the
    error of the reports in work, and the engine starts again with the rest. Returns False
    when the run was stopped."""
    while True:
        try:
            # Closed at once however this ends, so the engine's sequences are never cleared
            # later, under a run that uses the engine by then.
            with closing(engine.extract(prompt, source, should_stop=stop)) as results:
                for result in results:
                    while ready:
                        yield ready.popleft()
                    planned = working.pop(result.id)
                    retry = planner.retry(planned, result)
                    if retry is not None:
                        retries.append(retry)  # its record is the retry's, which says so
                        continue
                    record = planner.record(planned, result)
                    if planned.passes is not None:
                        passes = planned.passes
                        if passes.failed:
                            continue
                        passes.done[planned.pass_no] = record
                        if len(passes.done) < passes.n:
                            continue
                        record = passes.merged(task)
                    group = planned.split
                    if group is not None:
                        if group.failed:
                            continue
                        group.done[planned.section] = record
                        if len(group.done) < len(group.sections):
                            continue
                        record = group.merged(task)
                    yield counted(record, planned.index)
            return True
        except CancelledError:
            return False
        except Exception as exc:
            if broken or not working or not planner.restarts:
                raise
            # An engine failure is the error of the reports in work, not the run's: the
            # engine starts again with the rest.
            yield from _failed(working, counted, exc)


def _failed(working: dict[str, Planned], counted: RecordCounter,
            exc: Exception) -> Iterator[Record]:
    """The error records of the reports in work when the engine failed."""
    failed: set[int] = set()
    for planned in working.values():
        if planned.index in failed:
            continue  # another section of the same report
        failed.add(planned.index)
        report, warnings = planned.report, planned.warnings
        if planned.passes is not None:
            planned.passes.failed = True
        if planned.split is not None:
            planned.split.failed = True
            report, warnings = planned.split.report, planned.split.warnings
        yield counted(error_record(report, f"The engine failed on this report: {exc}",
                                   warnings=warnings, **planned.limits), planned.index)
    working.clear()
