"""run_extraction: the one long job of Pluk, shared by the CLI and the GUI's Run button.

For each report it builds the prompt (fixed prefix, report last), checks the report fits the
context (never cutting it silently), runs one grammar-constrained completion and validates the
answer field by field. Every report yields exactly one record; a cancelled run yields none for
the report it was working on, so a resumed run redoes that report and duplicates nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic import BaseModel

from pluk.core.answer_guard import AnswerGuard
from pluk.core.answer_parse import AnswerSyntaxError, Span, parse_answer
from pluk.core.engine import LlamaEngine
from pluk.core.errors import CancelledError, PlukError
from pluk.core.grammar import (DECIMALS, NUMBER_LIKE, SPACE_CHARS, TOKENS_PER_CHAR,
                               integer_digits)
from pluk.core.progress import Progress, ProgressTracker
from pluk.core.prompting import PromptRenderer, messages_for
from pluk.core.records import Record
from pluk.core.reports import Report
from pluk.core.tasks import TaskDefinition, json_schema, validate_answer
from pluk.core.tasks.definition import Example

_SENTINEL = "\u0000PLUK-REPORT\u0000"
MIN_CTX = 512
# A report must leave at least this much room for the answer (or the whole budget, if that is
# smaller). The answer may then use all the context that is left; the full worst-case budget of
# a long entity list can be tens of thousands of tokens, more than any context holds, while real
# answers are far shorter. One that does run out is reported as cut off, never half-parsed.
MIN_ANSWER_TOKENS = 1024


def answer_reserve(budget: int) -> int:
    return min(budget, MIN_ANSWER_TOKENS)


class RunOptions(BaseModel):
    ctx_cap: int = 8192
    n_threads: int | None = None
    n_gpu_layers: int = 0
    temperature: float = 0.0
    seed: int = 0
    limit: int | None = None
    reuse_prefix: bool = True
    probabilities: bool = True
    # Seconds one report's answer may take; None for no limit. A looping model on a slow
    # machine otherwise holds the run for many minutes on one report.
    time_limit: float | None = 300.0


# -- the answer's token budget ---------------------------------------------------------------

def output_token_budget(schema: dict[str, Any]) -> int:
    """An upper bound on the answer's length in tokens, from the schema's own bounds.

    A string character costs at most TOKENS_PER_CHAR tokens (the grammar admits only characters
    of up to 3 UTF-8 bytes, and a byte is at least a token); everything else is ASCII, at most
    one token a character, and each place the grammar allows whitespace takes at most
    SPACE_CHARS. So a grammar-valid answer always fits, and an answer that still runs out is
    reported as cut off, never half-parsed.
    """

    def chars(node: dict[str, Any]) -> int:
        if "anyOf" in node:
            return max(chars(option) for option in node["anyOf"])
        kind = node.get("type")
        if kind == "boolean":
            return 5
        if kind == "null":
            return 4
        if kind in ("integer", "number"):
            return 2 + integer_digits(node) + DECIMALS
        if kind == "string":
            if "enum" in node:
                return max(len(json.dumps(v, ensure_ascii=False)) for v in node["enum"])
            return node.get("maxLength", 0) * TOKENS_PER_CHAR + 2
        if kind == "array":
            return 2 + 2 * SPACE_CHARS + node.get("maxItems", 0) * (
                chars(node["items"]) + 1 + 2 * SPACE_CHARS)
        if kind == "object":
            return 2 + 2 * SPACE_CHARS + sum(
                len(json.dumps(name)) + 2 + 3 * SPACE_CHARS + chars(sub)
                for name, sub in node["properties"].items())
        raise PlukError(f"Unbounded schema node {node}")

    return chars(schema) + 16


# -- prompt pieces ----------------------------------------------------------------------------

class PromptParts(BaseModel):
    prefix: str
    suffix: str
    prefix_tokens: list[int]
    suffix_tokens: list[int]


def prompt_parts(task: TaskDefinition, engine: LlamaEngine,
                 examples: list[Example] | None = None) -> PromptParts:
    """The rendered prompt around the report, tokenized once for the whole run; `examples`,
    when given, replace the task's own (few-shot examples chosen per report)."""
    renderer = PromptRenderer(engine.chat_template, engine.bos_text, engine.eos_text,
                              model_name=engine.model_path.name)
    chosen = task.examples if examples is None else examples
    rendered = renderer.render(messages_for(task, _SENTINEL, chosen or None))
    prefix, found, suffix = rendered.partition(_SENTINEL)
    if not found:
        raise PlukError("The model's chat template dropped the report from the prompt")
    empty = engine.tokenize_prompt(prefix, "", suffix)
    prefix_tokens = engine.tokenize_prompt(prefix, "", "")
    return PromptParts(prefix=prefix, suffix=suffix, prefix_tokens=prefix_tokens,
                       suffix_tokens=empty[len(prefix_tokens):])


class ContextPlan(BaseModel):
    n_ctx: int
    prompt_tokens: int
    output_tokens: int
    longest_report_tokens: int
    reports_too_long: int


def plan_context(task: TaskDefinition, reports: Iterable[Report], tokenizer: LlamaEngine,
                 ctx_cap: int) -> ContextPlan:
    """Fit n_ctx to the longest report (prompt + report + answer), capped by ctx_cap."""
    parts = prompt_parts(task, tokenizer)
    fixed = len(parts.prefix_tokens) + len(parts.suffix_tokens)
    output = output_token_budget(json_schema(task))
    lengths = [tokenizer.count_tokens(r.text) for r in reports if r.text is not None]
    longest = max(lengths, default=0)
    needed = fixed + longest + output
    n_ctx = max(MIN_CTX, min(ctx_cap, -(-needed // 256) * 256))
    too_long = sum(1 for n in lengths if fixed + n + answer_reserve(output) > n_ctx)
    return ContextPlan(n_ctx=n_ctx, prompt_tokens=fixed, output_tokens=output,
                       longest_report_tokens=longest, reports_too_long=too_long)


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
    return Record(status=status, fields=fields, field_errors=field_errors, error=error,
                  seconds=time.perf_counter() - started, **common)


# -- probabilities of bool and enum answers ---------------------------------------------------

def option_forms(spec: Any) -> dict[str, list[str]] | None:
    """The answer options of a bool or enum field: key -> the texts the grammar lets a model
    write it as (a number-like choice also bare: "4" or 4)."""
    if spec.type == "bool":
        options = {"true": ["true"], "false": ["false"]}
    elif spec.type == "enum":
        options = {}
        for value in spec.values:
            options[value] = [json.dumps(value, ensure_ascii=False)]
            if NUMBER_LIKE.match(value):
                options[value].append(value)
    else:
        return None
    if spec.optional:
        options["null"] = ["null"]
    return options


def field_probabilities(task: TaskDefinition, engine: LlamaEngine, prompt_tokens: list[int],
                        raw: str, spans: dict[str, Span], output_tokens: list[int],
                        should_stop: Callable[[], bool]) -> dict[str, dict[str, float]]:
    """For each top-level bool/enum field: the probability of every allowed option at the point
    where the model chose, given the prompt and its answer so far. These are the model's own
    token probabilities renormalised over the options, not the grammar-masked sample.

    The decision is read after the last whole token the model generated before the value, and
    each option is scored as the model would write it from there (' true' is one token in BPE
    vocabularies); the option the model answered is scored along the very tokens it wrote."""
    scored: dict[str, dict[str, float]] = {}
    # Last field first: after generation the KV cache holds the whole answer, so each field's
    # context is a prefix of what is cached and costs one token, not the answer between fields.
    fields = [s for s in task.fields if option_forms(s) is not None and s.name in spans]
    for spec in sorted(fields, key=lambda s: spans[s.name].start, reverse=True):
        span = spans[spec.name]
        used, lead, after = engine.token_boundary(output_tokens, raw, span.start)
        before = raw[:span.start - len(lead)]
        written = raw[span.start:span.end]
        keys, sequences = [], []
        for key, forms in option_forms(spec).items():
            for form in forms:
                sequence = engine.continuation_tokens(before, lead + form)
                if form == written:
                    own = _covering(engine, after, lead + form)
                    sequence = own or sequence
                keys.append(key)
                sequences.append(sequence)
        probs = engine.option_probabilities(prompt_tokens + output_tokens[:used], sequences,
                                            should_stop)
        totals: dict[str, float] = {}
        for key, p in zip(keys, probs):
            totals[key] = totals.get(key, 0.0) + p
        scored[spec.name] = totals
    return {s.name: scored[s.name] for s in fields}


def _covering(engine: LlamaEngine, tokens: list[int], text: str) -> list[int] | None:
    """The leading generated tokens that write exactly `text`, if a token boundary falls at
    its end."""
    target = text.encode("utf-8")
    used, done = engine.leading_tokens(tokens, target)
    return tokens[:used] if used and done == target else None


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
    if options.limit is not None:
        todo = todo[: options.limit]
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
                                 options.probabilities, options.time_limit)
        except CancelledError:
            return
        tracker.add(record.status, seconds=record.seconds,
                    tokens=(record.tokens_prompt or 0) - (record.tokens_cached or 0)
                    + (record.tokens_output or 0),
                    used_model=record.raw is not None)
        yield record
        if on_progress:
            on_progress(tracker.snapshot(current_id=report.id))
