"""The records of a run's reports, whichever engine answered them: an error record, or the
answer validated field by field (or invalid, with the reason it could not be read).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from pluk.core.engine.protocol import ExtractResult
from pluk.core.errors import CancelledError
from pluk.core.extraction.answer_parse import AnswerSyntaxError, ParsedAnswer, parse_answer
from pluk.core.extraction.evidence import find_evidence
from pluk.core.extraction.injection import detect_injection, field_names, injection_warning
from pluk.core.extraction.scoring import follow_most_probable
from pluk.core.readers.reports import Report
from pluk.core.runs.records import Record
from pluk.core.tasks import TaskDefinition, validate_answer
from pluk.core.thinking import ThinkingFacts


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


def record_from_result(task: TaskDefinition, report: Report, result: ExtractResult,
                       warnings: list[str], limits: dict[str, Any], *,
                       failed_by: str = "engine", greedy: bool = True) -> Record:
    """The record of an engine's result for `report`: an error record where the engine (or
    `failed_by`: the server) failed on it, else answer_record's. The engine's own token limit,
    where it set one, is the record's (it may keep a few cells in reserve)."""
    limits = {**limits, "token_limit": result.token_limit or limits.get("token_limit")}
    thought = dict(thinking=result.thinking, thinking_text=result.thinking_text)
    if result.finish_reason == "error":
        return error_record(report, f"The {failed_by} failed on this report: {result.error}",
                            warnings=warnings, seconds=result.seconds, **limits, **thought)
    probabilities = (lambda _parsed: result.probabilities) if result.probabilities else None
    return answer_record(task, report, result.text, finish_reason=result.finish_reason,
                         tokens_prompt=result.tokens_prompt, tokens_cached=result.tokens_cached,
                         tokens_output=result.tokens_output, warnings=list(warnings),
                         limits=limits, started=time.perf_counter() - result.seconds,
                         probabilities=probabilities, greedy=greedy, **thought)


def answer_record(task: TaskDefinition, report: Report, text: str, *, finish_reason: str,
                  tokens_prompt: int, tokens_cached: int, tokens_output: int,
                  warnings: list[str], limits: dict[str, Any], started: float,
                  probabilities: Callable[[ParsedAnswer], dict[str, dict[str, float]]]
                  | None = None, thinking: ThinkingFacts | None = None,
                  thinking_text: str | None = None, greedy: bool = True) -> Record:
    """The record of the answer `text` an engine gave for `report`, whichever engine it was
    (record_from_result, for the local decoder and a server alike): parsed and validated field by field, or
    invalid with the reason (cut off at the token limit, stopped at the time limit, not JSON).
    `limits` are the record's token_limit and time_limit_s; `started` is perf_counter() when
    the report began; `probabilities(parsed)` reads the option probabilities (a failure leaves
    the values standing, with a warning); a `greedy` answer (temperature 0) then keeps each
    field's most probable option (scoring.follow_most_probable), a sampled one its draw. Text
    in the report addressed to the model
    (injection.py) is a warning naming each finding by its offsets, whatever the answer."""
    injected = injection_warning(detect_injection(report.text, field_names(task.fields)))
    if injected is not None and injected not in warnings:
        warnings.append(injected)
    common = dict(id=report.id, source=report.source, sha256=report.sha256, warnings=warnings,
                  ocr=report.ocr, parts=report.parts, raw=text, tokens_prompt=tokens_prompt,
                  tokens_cached=tokens_cached, tokens_output=tokens_output,
                  thinking=thinking, thinking_text=thinking_text, **limits)
    names = [spec.name for spec in task.fields]

    def failed(reason: str) -> Record:
        return Record(status="invalid", error=reason, fields={n: None for n in names},
                      field_errors={n: reason for n in names},
                      seconds=time.perf_counter() - started, **common)

    reason = _thinking_failure(thinking, finish_reason, text, tokens_output, limits)
    if reason is not None:
        return failed(reason)
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
            if greedy:
                warnings.extend(follow_most_probable(task, fields, field_errors,
                                                     common["probabilities"]))
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


def _thinking_failure(thinking: ThinkingFacts | None, finish_reason: str, text: str,
                      tokens_output: int, limits: dict[str, Any]) -> str | None:
    """Why a thinking model's answer failed, where thinking had a part in it: still thinking at
    the time limit, no answer after thinking, or the answer cut at its own budget after it.
    None: not a thinking answer, or it failed (if at all) as any answer does."""
    if thinking is None:
        return None
    said = (f"after {thinking.tokens} thinking tokens"
            + (f" (the {thinking.budget}-token thinking budget ran out)"
               if thinking.budget_hit else ""))
    if finish_reason == "time" and thinking.closed_by in (None, "time"):
        return (f"Still thinking at the {limits['time_limit_s']:g}-second limit per report "
                f"{said}; no answer was written")
    if finish_reason in ("stop", "length") and not text.strip():
        return (f"No answer after thinking: the model wrote nothing {said}"
                + ("; the answer's token limit was used up" if finish_reason == "length"
                   else ""))
    if finish_reason == "length":
        return (f"The answer was cut off at its {limits['token_limit']}-token limit {said} "
                "and was not parsed; thinking tokens count apart from it")
    return None
