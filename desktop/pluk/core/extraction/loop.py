"""run_extraction: the one long job of Pluk, which run_job runs for every caller.

The run's fixed prompt prefix is given to the engine once (engine.prepare); each report then
becomes one request (request_for): the report and the prompt's suffix, checked to fit the
context (never cut silently), with the grammar, a guard and the bool/enum decisions whose
probabilities the engine reads as it writes them. The requests go to the engine lazily, as it
has room for them; it answers several at once where it can and hands back each result as it
finishes, which record_from_result validates field by field into a record. Every report yields
exactly one record (unreadable and too-long ones at once, without the engine); a cancelled run
yields none for the reports in work, so a resumed run redoes them and duplicates nothing.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any, Protocol

from pluk.core.engine.answer_guard import AnswerGuard, TokenClasses
from pluk.core.engine.grammar import schema_to_gbnf
from pluk.core.engine.protocol import (DecisionSpec, Engine, ExtractRequest, ExtractResult,
                                       GrammarSpec)
from pluk.core.errors import CancelledError
from pluk.core.extraction.answer_parse import AnswerSyntaxError, ParsedAnswer, parse_answer
from pluk.core.extraction.evidence import find_evidence
from pluk.core.extraction.injection import detect_injection, field_names, injection_warning
from pluk.core.extraction.context import (PromptModel, PromptParts, answer_reserve,
                                          output_token_budget, prompt_parts)
from pluk.core.extraction.scoring import decision_specs
from pluk.core.extraction.section_merge import SplitGroup
from pluk.core.extraction.sections import default_overlap, split_sections
from pluk.core.options import RunOptions
from pluk.core.progress import Progress, ProgressTracker
from pluk.core.readers.reports import Report
from pluk.core.runs.records import Record
from pluk.core.tasks import TaskDefinition, json_schema, validate_answer
from pluk.core.tasks.definition import Example


class TokenEngine(Engine, PromptModel, Protocol):
    """An engine that takes tokens (Pluk's decoder): run_extraction renders and tokenizes the
    prompt, fits each report into the engine's context and steers with its token classes."""

    @property
    def n_ctx(self) -> int: ...

    def token_classes(self) -> TokenClasses: ...

    def grammar(self, gbnf: str) -> object:
        """The compiled grammar; PlukError if the engine refuses it."""


# -- one report -------------------------------------------------------------------------------

def error_record(report: Report, reason: str, *, warnings: list[str] | None = None,
                  **extra: Any) -> Record:
    return Record(id=report.id, source=report.source, sha256=report.sha256, status="error",
                  error=reason, ocr=report.ocr, parts=report.parts,
                  warnings=list(report.warnings) if warnings is None else list(warnings),
                  **extra)


def decimal_keys(fields: list[Any]) -> set[str]:
    """Names of the float fields at any depth: where a decimal comma may be the report's."""
    names: set[str] = set()
    for spec in fields:
        if spec.type == "float":
            names.add(spec.name)
        inner = spec.items if spec.type == "list" else spec
        if inner.type == "object":
            names |= decimal_keys(inner.fields)
    return names


def _fit_report(task: TaskDefinition, mode: str, report_tokens: list[int], room: int,
                ) -> tuple[list[int] | None, str | None]:
    """The report tokens that fit in `room`, and a warning or an error reason (`mode`: error
    or truncate; a split report's sections always fit)."""
    n = len(report_tokens)
    if n <= room:
        return report_tokens, None
    if mode != "truncate" or room <= 0:
        return None, (f"The report is {n} tokens but only {max(room, 0)} fit in the context "
                      "next to the prompt and the answer; raise the context size (--ctx, and "
                      "--resume --retry-errors redoes such reports) or read long reports in "
                      "sections (--long-reports split).")
    kept = report_tokens[:room] if task.truncation_side == "right" else report_tokens[n - room:]
    end = "end" if task.truncation_side == "right" else "start"
    return kept, f"Report truncated: {n - room} of {n} tokens cut from the {end} to fit."


@dataclass(frozen=True)
class RequestSetup:
    """What every request of a run shares."""

    grammar: GrammarSpec
    budget: int                      # the answer's worst-case tokens (output_token_budget)
    decisions: list[DecisionSpec]
    time_limit: float | None
    decimal_keys: set[str]
    long_reports: str                # split, truncate or error


@dataclass
class Planned:
    """A report in the engine's hands: its request and what its record needs besides the
    result."""

    report: Report
    index: int                       # its place in the run's reports
    request: ExtractRequest
    warnings: list[str]
    limits: dict[str, Any]           # token_limit, time_limit_s
    split: SplitGroup | None = None  # set for one section of a report read in sections
    section: int = 0


def _shared(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def request_for(task: TaskDefinition, report: Report, index: int, engine: TokenEngine,
                parts: PromptParts, prepared: list[int], setup: RequestSetup,
                ) -> list[Planned] | Record:
    """The engine's requests for `report` (one, or one per section of a report read in
    sections), or its error record when it has no text or does not fit. `parts` is the
    report's prompt; `prepared` the prefix the engine holds: a request carries what follows
    the part of it that the report's prefix shares (all of it, unless the report has its own
    few-shot examples)."""
    if report.error is not None or report.text is None:
        return error_record(report, report.error or "The report has no text")
    fixed = len(parts.prefix_tokens) + len(parts.suffix_tokens)
    room = engine.n_ctx - fixed - answer_reserve(setup.budget)
    report_tokens = engine.tokenize(report.text)
    if len(report_tokens) > room > 0 and setup.long_reports == "split":
        overlap = default_overlap(room)
        sections = split_sections(report.text, room, engine.count_tokens, overlap)
        note = (f"The report is {len(report_tokens)} tokens, more than the {room} that fit next "
                f"to the prompt: read in {len(sections)} overlapping sections and their "
                f"answers merged (rule '{task.section_merge}').")
        group = SplitGroup(report=report, sections=sections, report_tokens=len(report_tokens),
                           room=room, overlap=overlap, warnings=list(report.warnings) + [note])
        planned = []
        for k, section in enumerate(sections):
            text = report.text[section.start:section.end]
            part = report.model_copy(update={"text": text})
            planned.append(_planned(part, index, f"{index}.{k}", engine.tokenize(text), engine,
                                    parts, prepared, setup, list(report.warnings)))
            planned[-1].split, planned[-1].section = group, k
        return planned
    kept, note = _fit_report(task, setup.long_reports, report_tokens, room)
    if kept is None:
        return error_record(report, note)
    warnings = list(report.warnings) + ([note] if note else [])
    return [_planned(report, index, str(index), kept, engine, parts, prepared, setup, warnings)]


def _planned(report: Report, index: int, request_id: str, kept: list[int],
             engine: TokenEngine, parts: PromptParts, prepared: list[int],
             setup: RequestSetup, warnings: list[str]) -> Planned:
    keep = _shared(prepared, parts.prefix_tokens)
    tokens = parts.prefix_tokens[keep:] + kept + parts.suffix_tokens
    # One position stays free: llama.cpp crashes when generation fills the very last one.
    max_tokens = min(setup.budget, engine.n_ctx - keep - len(tokens) - 1)
    text, floats = report.text, setup.decimal_keys
    request = ExtractRequest(
        id=request_id, tokens=tokens, grammar=setup.grammar, max_tokens=max_tokens,
        time_limit=setup.time_limit, decisions=setup.decisions,
        guard=lambda: AnswerGuard(engine.token_classes, text, floats),
        prefix_keep=None if keep == len(prepared) else keep)
    return Planned(report=report, index=index, request=request, warnings=warnings,
                   limits=dict(token_limit=max_tokens, time_limit_s=setup.time_limit))


def record_from_result(task: TaskDefinition, report: Report, result: ExtractResult,
                       warnings: list[str], limits: dict[str, Any], *,
                       failed_by: str = "engine") -> Record:
    """The record of an engine's result for `report`: an error record where the engine (or
    `failed_by`: the server) failed on it, else answer_record's. The engine's own token limit,
    where it set one, is the record's (it may keep a few cells in reserve)."""
    limits = {**limits, "token_limit": result.token_limit or limits.get("token_limit")}
    if result.finish_reason == "error":
        return error_record(report, f"The {failed_by} failed on this report: {result.error}",
                            warnings=warnings, seconds=result.seconds, **limits)
    probabilities = (lambda _parsed: result.probabilities) if result.probabilities else None
    return answer_record(task, report, result.text, finish_reason=result.finish_reason,
                         tokens_prompt=result.tokens_prompt, tokens_cached=result.tokens_cached,
                         tokens_output=result.tokens_output, warnings=list(warnings),
                         limits=limits, started=time.perf_counter() - result.seconds,
                         probabilities=probabilities)


def answer_record(task: TaskDefinition, report: Report, text: str, *, finish_reason: str,
                  tokens_prompt: int, tokens_cached: int, tokens_output: int,
                  warnings: list[str], limits: dict[str, Any], started: float,
                  probabilities: Callable[[ParsedAnswer], dict[str, dict[str, float]]]
                  | None = None) -> Record:
    """The record of the answer `text` an engine gave for `report`, whichever engine it was
    (record_from_result here, server_loop for a server): parsed and validated field by field, or
    invalid with the reason (cut off at the token limit, stopped at the time limit, not JSON).
    `limits` are the record's token_limit and time_limit_s; `started` is perf_counter() when
    the report began; `probabilities(parsed)` reads the option probabilities (a failure leaves
    the values standing, with a warning). Text in the report addressed to the model
    (injection.py) is a warning naming each finding by its offsets, whatever the answer."""
    injected = injection_warning(detect_injection(report.text, field_names(task.fields)))
    if injected is not None and injected not in warnings:
        warnings.append(injected)
    common = dict(id=report.id, source=report.source, sha256=report.sha256, warnings=warnings,
                  ocr=report.ocr, parts=report.parts, raw=text, tokens_prompt=tokens_prompt,
                  tokens_cached=tokens_cached, tokens_output=tokens_output, **limits)
    names = [spec.name for spec in task.fields]

    def failed(reason: str) -> Record:
        return Record(status="invalid", error=reason, fields={n: None for n in names},
                      field_errors={n: reason for n in names},
                      seconds=time.perf_counter() - started, **common)

    if finish_reason == "length":
        return failed(f"The answer was cut off at the {limits['token_limit']}-token limit and "
                      "was not parsed; a larger context (--ctx) leaves more room for it")
    if finish_reason == "time":
        return failed(f"The answer was stopped at the {limits['time_limit_s']:g}-second limit "
                      f"per report after {tokens_output} tokens and was not parsed")
    try:
        parsed = parse_answer(text)
    except AnswerSyntaxError as exc:
        return failed(f"The answer is not valid JSON ({exc.msg} at character {exc.pos})")
    notes: list[str] = []
    fields, field_errors = validate_answer(task, parsed.value, notes)
    warnings.extend(notes)
    if probabilities is not None:
        try:
            common["probabilities"] = probabilities(parsed)
        except CancelledError:
            raise
        except Exception as exc:  # the values stand; only their probabilities are missing
            warnings.append(f"Option probabilities could not be computed: {exc}")
    status = "invalid" if field_errors else "ok"
    error = (f"{len(field_errors)} field(s) failed validation: {', '.join(field_errors)}"
             if field_errors else None)
    try:
        common["evidence"] = find_evidence(task, fields, report.text)
    except Exception as exc:  # the values stand; only their evidence is missing
        warnings.append(f"Evidence could not be found: {exc}")
    return Record(status=status, fields=fields, field_errors=field_errors, error=error,
                  seconds=time.perf_counter() - started, **common)


# -- the run ----------------------------------------------------------------------------------

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
    """Counts each finished record into the progress and gives it its input position; shared
    by the local and the server loop."""

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


def run_extraction(
    task: TaskDefinition,
    reports: list[Report],
    engine: TokenEngine,
    options: RunOptions | None = None,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    skip: Callable[[Report], bool] | None = None,
    choose_examples: Callable[[Report], list[Example]] | None = None,
) -> Iterator[Record]:
    """Yield one record per report as each finishes: in input order where the engine answers
    one at a time, else in order of completion; each record's input_index is its report's
    place in `reports`. A report too long for the context is read in overlapping sections
    (sections.py) whose answers merge into its one record (section_merge.py), unless the task
    or `options.context.long_reports` says to cut it or make it an error. `skip(report)`
    leaves out reports a resumed run already has; a true `should_stop()` ends the run between
    decodes. `choose_examples(report)` gives each report
    its own few-shot examples in place of the task's; they follow the fixed instructions, so
    only those stay a shared prefix."""
    options = options or RunOptions()
    stop = should_stop or (lambda: False)
    todo = [(i, r) for i, r in enumerate(reports) if not (skip and skip(r))]
    if options.reading.limit is not None:
        todo = todo[: options.reading.limit]
    tracker = ProgressTracker(total=len(todo))
    schema = json_schema(task)
    setup = RequestSetup(
        grammar=GrammarSpec(schema_to_gbnf(schema)), budget=output_token_budget(schema),
        decisions=decision_specs(task) if options.decoding.probabilities else [],
        time_limit=options.decoding.time_limit, decimal_keys=decimal_keys(task.fields),
        long_reports=options.context.long_reports or task.too_long)
    parts = prompt_parts(task, engine)
    engine.grammar(setup.grammar.gbnf)  # a grammar the engine refuses fails the run, at once
    if on_progress:
        on_progress(tracker.snapshot())
    if not todo or stop():
        return
    ready: deque[Record] = deque()       # records made without the engine, not yet yielded
    working: dict[str, Planned] = {}
    broken: list[BaseException] = []
    counted = RecordCounter(tracker, on_progress)

    def requests(prepared: list[int]) -> Iterator[ExtractRequest]:
        try:
            for index, report in todo:
                if stop():
                    return
                own = parts
                if choose_examples is not None and report.text is not None:
                    own = prompt_parts(task, engine, choose_examples(report))
                planned = request_for(task, report, index, engine, own, prepared, setup)
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

    try:
        prompt = engine.prepare(parts.prefix_tokens, should_stop=stop)
    except CancelledError:
        return
    source = requests(prompt.tokens)
    while True:
        try:
            # Closed at once however this ends, so the engine's sequences are never cleared
            # later, under a run that uses the engine by then.
            with closing(engine.extract(prompt, source, should_stop=stop)) as results:
                for result in results:
                    while ready:
                        yield ready.popleft()
                    planned = working.pop(result.id)
                    record = record_from_result(task, planned.report, result,
                                                planned.warnings, planned.limits)
                    group = planned.split
                    if group is not None:
                        if group.failed:
                            continue
                        group.done[planned.section] = record
                        if len(group.done) < len(group.sections):
                            continue
                        record = group.merged(task)
                    yield counted(record, planned.index)
            break
        except CancelledError:
            return
        except Exception as exc:
            if broken or not working:
                raise
            # An engine failure is the error of the reports in work, not the run's: the
            # engine starts again with the rest.
            failed: set[int] = set()
            for planned in working.values():
                if planned.index in failed:
                    continue  # another section of the same report
                failed.add(planned.index)
                report, warnings = planned.report, planned.warnings
                if planned.split is not None:
                    planned.split.failed = True
                    report, warnings = planned.split.report, planned.split.warnings
                yield counted(error_record(report, f"The engine failed on this report: {exc}",
                                           warnings=warnings, **planned.limits),
                              planned.index)
            working.clear()
    while ready:
        yield ready.popleft()
