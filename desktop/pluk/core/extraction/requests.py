"""How a run's reports become an engine's requests, and its results their records.

run_extraction (loop.py) is one loop for every engine; a Planner is what differs between them:
- TokenPlanner, for an engine that takes tokens (Pluk's decoder): the run's prompt prefix is
  given to the engine once; each report becomes the report's tokens and the prompt's suffix,
  checked to fit the context (never cut silently; read in sections, cut or refused as the task
  says), with the grammar, a guard and the bool/enum decisions the engine reads as it writes;
- MessagePlanner, for an engine that renders the prompt itself (a server): each report becomes
  the chat messages (prompt.messages_for) with the task's JSON schema and Pluk's grammar; there
  is no local tokenizer, so a report too long for the server's context is the server's refusal.
A report without text is its error record at once, for either, and never reaches the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from pluk.core.engine.answer_guard import AnswerGuard, TokenClasses
from pluk.core.engine.grammar import schema_to_gbnf
from pluk.core.engine.protocol import (DecisionSpec, Engine, ExtractRequest, ExtractResult,
                                       GrammarSpec, ThinkingSpec)
from pluk.core.extraction.context import (PromptModel, PromptParts, ReportTokens,
                                          answer_reserve, output_token_budget, prompt_parts)
from pluk.core.extraction.prompt import messages_for
from pluk.core.extraction.record_build import decimal_keys, error_record, record_from_result
from pluk.core.extraction.scoring import decision_specs
from pluk.core.extraction.section_merge import SplitGroup
from pluk.core.extraction.sections import default_overlap, split_sections
from pluk.core.extraction.thinking_plan import ThinkingPlan, thinking_plan
from pluk.core.options import RunOptions
from pluk.core.readers.reports import Report
from pluk.core.runs.records import Record
from pluk.core.tasks import TaskDefinition, json_schema
from pluk.core.tasks.definition import Example

ChooseExamples = Callable[[Report], list[Example]]


class TokenEngine(Engine, PromptModel, Protocol):
    """An engine that takes tokens (Pluk's decoder): run_extraction renders and tokenizes the
    prompt, fits each report into the engine's context and steers with its token classes."""

    @property
    def n_ctx(self) -> int: ...

    def token_classes(self) -> TokenClasses: ...

    def grammar(self, gbnf: str) -> object:
        """The compiled grammar; PlukError if the engine refuses it."""


def _unreadable(report: Report) -> Record | None:
    if report.error is not None or report.text is None:
        return error_record(report, report.error or "The report has no text")
    return None


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
    thinking: ThinkingSpec | None = None  # a thinking model's block before the answer

    @property
    def think_reserve(self) -> int:
        return self.thinking.reserve if self.thinking is not None else 0


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
    passes: Any = None               # set for one pass of --passes N (passes.PassGroup)
    pass_no: int = 0


def _shared(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def request_for(task: TaskDefinition, report: Report, index: int, engine: TokenEngine,
                parts: PromptParts, prepared: list[int], setup: RequestSetup,
                held: ReportTokens | None = None) -> list[Planned] | Record:
    """The engine's requests for `report` (one, or one per section of a report read in
    sections), or its error record when it has no text or does not fit. `parts` is the
    report's prompt; `prepared` the prefix the engine holds: a request carries what follows
    the part of it that the report's prefix shares (all of it, unless the report has its own
    few-shot examples). `held` has the report's tokens where the context plan counted them."""
    held = held or ReportTokens()
    unreadable = _unreadable(report)
    if unreadable is not None:
        return unreadable
    fixed = len(parts.prefix_tokens) + len(parts.suffix_tokens)
    room = engine.n_ctx - fixed - answer_reserve(setup.budget) - setup.think_reserve
    report_tokens = held.take(report, engine)
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
    max_tokens = min(setup.budget,
                     engine.n_ctx - keep - len(tokens) - 1 - setup.think_reserve)
    text, floats = report.text, setup.decimal_keys
    request = ExtractRequest(
        id=request_id, tokens=tokens, grammar=setup.grammar, max_tokens=max_tokens,
        time_limit=setup.time_limit, decisions=setup.decisions,
        guard=lambda: AnswerGuard(engine.token_classes, text, floats),
        prefix_keep=None if keep == len(prepared) else keep, thinking=setup.thinking)
    return Planned(report=report, index=index, request=request, warnings=warnings,
                   limits=dict(token_limit=max_tokens, time_limit_s=setup.time_limit))


def thinking_spec(plan: ThinkingPlan, engine: TokenEngine) -> ThinkingSpec | None:
    """The decoder's side of a thinking plan: its texts as the model's tokens."""
    if not plan.thinks:
        return None

    def tokens(text: str) -> list[int]:
        return engine.tokenize(text, special=True)

    # Only a text that is one token of the vocabulary can be seen as the model writes it.
    stops = frozenset(t[0] for t in map(tokens, plan.style.stop_texts) if len(t) == 1)
    return ThinkingSpec(budget=plan.budget, close_tokens=tokens(plan.style.close_text),
                        cut_tokens=tokens(plan.style.cut_text), stop_tokens=stops)


def thinking_retry(planned: Planned, result: ExtractResult, wanted: bool) -> Planned | None:
    """The single retry with half the thinking budget (RunOptions' thinking_retry) of an
    answer that thinking left unfinished: still thinking at the time limit, nothing written
    after it, or the answer cut at its limit. A section of a long report is not retried."""
    spec, thought = planned.request.thinking, result.thinking
    if (not wanted or spec is None or spec.retried or spec.budget < 2 or thought is None
            or planned.split is not None or result.finish_reason == "error"):
        return None
    if result.finish_reason == "time":
        why = "was stopped at the time limit"
    elif result.finish_reason == "length":
        why = "was cut off at its token limit"
    elif not result.text.strip():
        why = "wrote nothing after thinking"
    else:
        return None
    less = replace(spec, budget=spec.budget // 2, retried=True)
    note = (f"Retried once with a thinking budget of {less.budget} tokens: the first answer, "
            f"after {thought.tokens} thinking tokens, {why}")
    return replace(planned, request=replace(planned.request, thinking=less),
                   warnings=[*planned.warnings, note])


# -- the planners -----------------------------------------------------------------------------

class Planner(Protocol):
    """What run_extraction asks of the engine's side of a run."""

    # An engine failure mid-run: the error of the reports in work, the engine starting again
    # with the rest (True: the local decoder); or the run's error (False: a server that is gone).
    restarts: bool

    def prefix(self) -> list[int]:
        """The prompt prefix every report shares, for engine.prepare."""

    def plan(self, report: Report, index: int, prepared: list[int]) -> list[Planned] | Record:
        """The report's requests, or its record where it never reaches the engine."""

    def record(self, planned: Planned, result: ExtractResult) -> Record:
        """The record of one request's result."""

    def retry(self, planned: Planned, result: ExtractResult) -> Planned | None:
        """The request once more with less thinking, where the run asks for that and thinking
        left this answer unfinished; None: the result stands."""


class TokenPlanner:
    restarts = True

    def __init__(self, task: TaskDefinition, engine: TokenEngine, options: RunOptions,
                 choose_examples: ChooseExamples | None = None,
                 held: ReportTokens | None = None) -> None:
        schema = json_schema(task)
        self.task, self.engine, self.choose_examples = task, engine, choose_examples
        self.held = held or ReportTokens()
        self.retries = options.decoding.thinking_retry
        self.temperature = options.decoding.temperature
        self.thinking = thinking_plan(task, options, engine)
        self.setup = RequestSetup(
            grammar=GrammarSpec(schema_to_gbnf(schema)), budget=output_token_budget(schema),
            decisions=decision_specs(task) if options.decoding.probabilities else [],
            time_limit=options.decoding.time_limit, decimal_keys=decimal_keys(task.fields),
            long_reports=options.context.long_reports or task.too_long,
            thinking=thinking_spec(self.thinking, engine))
        self.parts = prompt_parts(task, engine, thinking=self.thinking)
        engine.grammar(self.setup.grammar.gbnf)  # a grammar the engine refuses fails the run

    def prefix(self) -> list[int]:
        return self.parts.prefix_tokens

    def plan(self, report: Report, index: int, prepared: list[int]) -> list[Planned] | Record:
        own = self.parts
        if self.choose_examples is not None and report.text is not None:
            own = prompt_parts(self.task, self.engine, self.choose_examples(report),
                               self.thinking)
        return request_for(self.task, report, index, self.engine, own, prepared, self.setup,
                           self.held)

    def record(self, planned: Planned, result: ExtractResult) -> Record:
        return record_from_result(self.task, planned.report, result, planned.warnings,
                                  planned.limits, greedy=_greedy(planned, self.temperature))

    def retry(self, planned: Planned, result: ExtractResult) -> Planned | None:
        return thinking_retry(planned, result, self.retries)


class MessagePlanner:
    """For a server: --time-limit bounds each request's whole life (its retries included); the
    record's time_limit_s is that limit (or, without one, the server's timeout)."""

    restarts = False

    def __init__(self, task: TaskDefinition, engine: Any, options: RunOptions,
                 choose_examples: ChooseExamples | None = None) -> None:
        self.task, self.choose_examples = task, choose_examples
        self.retries = options.decoding.thinking_retry
        self.temperature = options.decoding.temperature
        self.schema = json_schema(task)
        self.grammar = GrammarSpec(schema_to_gbnf(self.schema))
        # A budget asked for (the run's, else the task's) goes to the server in its own terms
        # (engine/server_thinking.py); auto leaves thinking to the server. The server counts
        # reasoning in max_tokens: the request holds both.
        budget = options.decoding.thinking_budget
        budget = task.thinking_budget if budget is None else budget
        self.thinking = None if budget is None else ThinkingSpec(
            budget=budget, close_tokens=[], cut_tokens=[], stop_tokens=frozenset())
        self.max_tokens = engine.max_tokens(output_token_budget(self.schema) + (budget or 0))
        self.decisions = decision_specs(task) if options.decoding.probabilities else []
        self.time_limit = options.decoding.time_limit
        self.timeout = self.time_limit or engine.options.timeout_s

    def prefix(self) -> list[int]:
        return []

    def plan(self, report: Report, index: int, prepared: list[int]) -> list[Planned] | Record:
        unreadable = _unreadable(report)
        if unreadable is not None:
            return unreadable
        examples = (self.choose_examples(report) if self.choose_examples is not None
                    else self.task.examples)
        request = ExtractRequest(
            id=str(index), tokens=[], grammar=self.grammar, max_tokens=self.max_tokens,
            decisions=self.decisions, time_limit=self.time_limit,
            messages=messages_for(self.task, report.text, examples or None), schema=self.schema,
            thinking=self.thinking)
        return [Planned(report=report, index=index, request=request,
                        warnings=list(report.warnings), limits={})]

    def record(self, planned: Planned, result: ExtractResult) -> Record:
        # A server result may carry warnings of its own (its logprobs missing).
        warnings = planned.warnings + list(getattr(result, "warnings", []))
        return record_from_result(self.task, planned.report, result, warnings,
                                  dict(token_limit=result.token_limit, time_limit_s=self.timeout),
                                  failed_by="server", greedy=_greedy(planned, self.temperature))

    def retry(self, planned: Planned, result: ExtractResult) -> Planned | None:
        return thinking_retry(planned, result, self.retries)


def _greedy(planned: Planned, temperature: float) -> bool:
    """Whether the answer was decoded greedily (temperature 0): a sampled pass of --passes, or
    a run at a temperature above 0, draws its options rather than taking the most probable."""
    own = planned.request.temperature
    return (temperature if own is None else own) <= 0


def planner_for(task: TaskDefinition, engine: Engine, options: RunOptions,
                choose_examples: ChooseExamples | None = None,
                held: ReportTokens | None = None) -> Planner:
    """The planner of `engine`: messages for one that renders the prompt itself (its
    `renders_prompt`), else tokens."""
    if getattr(engine, "renders_prompt", False):
        return MessagePlanner(task, engine, options, choose_examples)
    return TokenPlanner(task, engine, options, choose_examples, held)
