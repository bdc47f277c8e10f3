"""The context of a run: the prompt around the report, the answer's token budget, and n_ctx.

A run's prompt is a fixed prefix (instructions, examples) and suffix around the report; the
answer's budget comes from the task's own bounds; n_ctx is fitted to the longest report so a
short report set does not pay for a large context. Nothing here runs the model.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

from pydantic import BaseModel

from pluk.core.engine.grammar import DECIMALS, SPACE_CHARS, TOKENS_PER_CHAR, integer_digits
from pluk.core.errors import PlukError
from pluk.core.extraction.prompt import PromptRenderer, messages_for
from pluk.core.extraction.thinking_plan import ThinkingPlan
from pluk.core.readers.reports import Report
from pluk.core.tasks import TaskDefinition, json_schema
from pluk.core.tasks.definition import Example

_SENTINEL = "\u0000PLUK-REPORT\u0000"
MIN_CTX = 512
# A report must leave at least this much room for the answer (or the whole budget, if that is
# smaller). The answer may then use all the context that is left; the full worst-case budget of
# a long entity list can be tens of thousands of tokens, more than any context holds, while real
# answers are far shorter. One that does run out is reported as cut off, never half-parsed.
MIN_ANSWER_TOKENS = 1024


class PromptModel(Protocol):
    """What prompting and planning read of a model: its chat template and special tokens, and
    its tokenizer (engine/model.py's Model, opened vocab-only for planning, and the Decoder)."""

    model_path: Path

    @property
    def chat_template(self) -> str | None: ...

    @property
    def bos_text(self) -> str: ...

    @property
    def eos_text(self) -> str: ...

    def tokenize(self, text: str, *, special: bool = False, add_bos: bool = False,
                 ) -> list[int]: ...

    def tokenize_prompt(self, prefix: str, report: str, suffix: str) -> list[int]: ...

    def count_tokens(self, text: str) -> int: ...


def answer_reserve(budget: int) -> int:
    return min(budget, MIN_ANSWER_TOKENS)


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


def prompt_parts(task: TaskDefinition, engine: PromptModel,
                 examples: list[Example] | None = None,
                 thinking: ThinkingPlan | None = None) -> PromptParts:
    """The rendered prompt around the report, tokenized once for the whole run; `examples`,
    when given, replace the task's own (few-shot examples chosen per report). `thinking`
    opens a thinking model's block, or closes it empty (thinking_plan.py)."""
    thinking = thinking or ThinkingPlan()
    renderer = PromptRenderer(engine.chat_template, engine.bos_text, engine.eos_text,
                              model_name=engine.model_path.name,
                              template_kwargs=thinking.template_kwargs)
    chosen = task.examples if examples is None else examples
    rendered = renderer.render(messages_for(task, _SENTINEL, chosen or None))
    prefix, found, suffix = rendered.partition(_SENTINEL)
    if not found:
        raise PlukError("The model's chat template dropped the report from the prompt")
    suffix = thinking.suffix(suffix)
    empty = engine.tokenize_prompt(prefix, "", suffix)
    prefix_tokens = engine.tokenize_prompt(prefix, "", "")
    return PromptParts(prefix=prefix, suffix=suffix, prefix_tokens=prefix_tokens,
                       suffix_tokens=empty[len(prefix_tokens):])


class ReportTokens:
    """Each report's tokens, counted by the context plan and taken by the run: a report is
    tokenized once. Held as 32-bit arrays (about the size of the text itself) and let go as the
    run takes them; a report the plan did not count is tokenized when it is taken."""

    def __init__(self) -> None:
        self._held: dict[tuple[str, str, int], array] = {}

    @staticmethod
    def _key(report: Report) -> tuple[str, str, int]:
        return report.id, report.sha256, hash(report.text)

    def count(self, report: Report, tokenizer: PromptModel) -> int:
        tokens = array("i", tokenizer.tokenize(report.text))
        self._held[self._key(report)] = tokens
        return len(tokens)

    def take(self, report: Report, tokenizer: PromptModel) -> list[int]:
        held = self._held.pop(self._key(report), None)
        return held.tolist() if held is not None else tokenizer.tokenize(report.text)


class ContextPlan(BaseModel):
    n_ctx: int
    prompt_tokens: int
    output_tokens: int
    longest_report_tokens: int
    reports_too_long: int
    # A thinking model's style (tags, channel) and the budget reserved beside each answer.
    thinking_style: str | None = None
    thinking_budget: int = 0


def plan_context(task: TaskDefinition, reports: Iterable[Report], tokenizer: PromptModel,
                 ctx_cap: int,
                 choose_examples: Callable[[Report], list[Example]] | None = None,
                 held: ReportTokens | None = None,
                 thinking: ThinkingPlan | None = None) -> ContextPlan:
    """Fit n_ctx to the longest prompt (prompt + report + answer), capped by ctx_cap.

    With `choose_examples` each report's prompt holds its own few-shot examples, as
    run_extraction builds it; a report counts as too long the same way either way: when its
    prompt leaves less than the answer's reserve. `held` keeps the reports' tokens for the
    run. `thinking` reserves room for a thinking model's budget beside each answer."""
    thinking = thinking or ThinkingPlan()
    output = output_token_budget(json_schema(task)) + thinking.reserve
    own = prompt_parts(task, tokenizer, thinking=thinking)
    shared = len(own.prefix_tokens) + len(own.suffix_tokens)
    sizes: list[tuple[int, int]] = []  # (prompt around the report, report) per report
    for report in reports:
        if report.text is None:
            continue
        fixed = shared
        if choose_examples is not None:
            parts = prompt_parts(task, tokenizer, choose_examples(report), thinking)
            fixed = len(parts.prefix_tokens) + len(parts.suffix_tokens)
        n = held.count(report, tokenizer) if held is not None else tokenizer.count_tokens(
            report.text)
        sizes.append((fixed, n))
    needed = max((fixed + n for fixed, n in sizes), default=shared) + output
    n_ctx = max(MIN_CTX, min(ctx_cap, -(-needed // 256) * 256))
    reserve = answer_reserve(output - thinking.reserve) + thinking.reserve
    too_long = sum(1 for fixed, n in sizes if fixed + n + reserve > n_ctx)
    return ContextPlan(n_ctx=n_ctx, prompt_tokens=max((f for f, _ in sizes), default=shared),
                       output_tokens=output,
                       longest_report_tokens=max((n for _, n in sizes), default=0),
                       reports_too_long=too_long,
                       thinking_style=thinking.style.kind if thinking.style else None,
                       thinking_budget=thinking.budget)
