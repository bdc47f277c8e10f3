"""run_extraction: the one long job of Pluk, which run_job runs for every caller.

For each report it builds the prompt (fixed prefix, report last), checks the report fits the
context (never cutting it silently), runs one grammar-constrained completion and validates the
answer field by field. Every report yields exactly one record; a cancelled run yields none for
the report it was working on, so a resumed run redoes that report and duplicates nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from pluk.core.engine.answer_guard import AnswerGuard
from pluk.core.engine.llama import LlamaEngine
from pluk.core.errors import CancelledError
from pluk.core.extraction.answer_parse import AnswerSyntaxError, parse_answer
from pluk.core.extraction.evidence import find_evidence
from pluk.core.extraction.context import (PromptParts, answer_reserve, output_token_budget,
                                          prompt_parts)
from pluk.core.extraction.scoring import field_probabilities
from pluk.core.options import RunOptions
from pluk.core.progress import Progress, ProgressTracker
from pluk.core.readers.reports import Report
from pluk.core.runs.records import Record
from pluk.core.tasks import TaskDefinition, json_schema, validate_answer
from pluk.core.tasks.definition import Example


# -- one report -------------------------------------------------------------------------------

def _error_record(report: Report, reason: str, *, warnings: list[str] | None = None,
                  **extra: Any) -> Record:
    return Record(id=report.id, source=report.source, sha256=report.sha256, status="error",
                  error=reason,
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


def _fit_report(task: TaskDefinition, report_tokens: list[int], room: int,
                ) -> tuple[list[int] | None, str | None]:
    """The report tokens that fit in `room`, and a warning or an error reason."""
    n = len(report_tokens)
    if n <= room:
        return report_tokens, None
    if task.too_long == "error" or room <= 0:
        return None, (f"The report is {n} tokens but only {max(room, 0)} fit in the context "
                      "next to the prompt and the answer; raise the context size (--ctx) or "
                      "set the task's too_long to 'truncate'.")
    kept = report_tokens[:room] if task.truncation_side == "right" else report_tokens[n - room:]
    end = "end" if task.truncation_side == "right" else "start"
    return kept, f"Report truncated: {n - room} of {n} tokens cut from the {end} to fit."


def extract_one(task: TaskDefinition, report: Report, engine: LlamaEngine, parts: PromptParts,
                grammar: Any, budget: int, should_stop: Callable[[], bool],
                with_probabilities: bool = True, time_limit: float | None = None) -> Record:
    started = time.perf_counter()
    if report.error is not None or report.text is None:
        return _error_record(report, report.error or "The report has no text")
    fixed = len(parts.prefix_tokens) + len(parts.suffix_tokens)
    kept, note = _fit_report(task, engine.tokenize(report.text),
                             engine.n_ctx - fixed - answer_reserve(budget))
    if kept is None:
        return _error_record(report, note, seconds=time.perf_counter() - started)
    warnings = list(report.warnings) + ([note] if note else [])
    tokens = parts.prefix_tokens + kept + parts.suffix_tokens
    # One position stays free: llama.cpp crashes when generation fills the very last one.
    max_tokens = min(budget, engine.n_ctx - len(tokens) - 1)
    limits = dict(token_limit=max_tokens, time_limit_s=time_limit)
    try:
        completion = engine.complete(tokens, grammar=grammar, max_tokens=max_tokens,
                                     should_stop=should_stop, time_limit=time_limit,
                                     guard=AnswerGuard(engine.token_classes, report.text,
                                                       decimal_keys(task.fields)))
    except CancelledError:
        raise
    except Exception as exc:  # an engine failure is this report's error, not the run's
        return _error_record(report, f"The engine failed on this report: {exc}",
                             warnings=warnings, seconds=time.perf_counter() - started,
                             **limits)
    common = dict(id=report.id, source=report.source, sha256=report.sha256, warnings=warnings,
                  raw=completion.text, tokens_prompt=completion.tokens_prompt,
                  tokens_cached=completion.tokens_cached,
                  tokens_output=completion.tokens_output, **limits)
    names = [spec.name for spec in task.fields]

    def failed(reason: str) -> Record:
        return Record(status="invalid", error=reason, fields={n: None for n in names},
                      field_errors={n: reason for n in names},
                      seconds=time.perf_counter() - started, **common)

    if completion.finish_reason == "length":
        return failed(f"The answer was cut off at the {max_tokens}-token limit and was not "
                      "parsed; a larger context (--ctx) leaves more room for it")
    if completion.finish_reason == "time":
        return failed(f"The answer was stopped at the {time_limit:g}-second limit per report "
                      f"after {completion.tokens_output} tokens and was not parsed")
    try:
        parsed = parse_answer(completion.text)
    except AnswerSyntaxError as exc:
        return failed(f"The answer is not valid JSON ({exc.msg} at character {exc.pos})")
    notes: list[str] = []
    fields, field_errors = validate_answer(task, parsed.value, notes)
    warnings.extend(notes)
    if with_probabilities:
        try:
            common["probabilities"] = field_probabilities(
                task, engine, tokens, completion.text, parsed.spans, completion.output_tokens,
                should_stop)
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

def run_extraction(
    task: TaskDefinition,
    reports: list[Report],
    engine: LlamaEngine,
    options: RunOptions | None = None,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    skip: Callable[[Report], bool] | None = None,
    choose_examples: Callable[[Report], list[Example]] | None = None,
) -> Iterator[Record]:
    """Yield one record per report, in order. `skip(report)` leaves out reports a resumed run
    already has; a true `should_stop()` ends the run between or within reports.
    `choose_examples(report)` gives each report its own few-shot examples in place of the
    task's; they follow the fixed instructions, so only those stay a reused prefix."""
    options = options or RunOptions()
    stop = should_stop or (lambda: False)
    todo = [r for r in reports if not (skip and skip(r))]
    if options.reading.limit is not None:
        todo = todo[: options.reading.limit]
    tracker = ProgressTracker(total=len(todo))
    schema = json_schema(task)
    grammar = engine.grammar(schema)
    budget = output_token_budget(schema)
    parts = prompt_parts(task, engine)
    if on_progress:
        on_progress(tracker.snapshot())
    for report in todo:
        if stop():
            return
        try:
            report_parts = parts
            if choose_examples is not None and report.text is not None:
                report_parts = prompt_parts(task, engine, choose_examples(report))
            record = extract_one(task, report, engine, report_parts, grammar, budget, stop,
                                 options.decoding.probabilities, options.decoding.time_limit)
        except CancelledError:
            return
        tracker.add(record.status, seconds=record.seconds,
                    tokens=(record.tokens_prompt or 0) - (record.tokens_cached or 0)
                    + (record.tokens_output or 0),
                    used_model=record.raw is not None)
        yield record
        if on_progress:
            on_progress(tracker.snapshot(current_id=report.id))
