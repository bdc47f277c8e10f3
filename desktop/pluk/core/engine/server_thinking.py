"""A thinking model behind a server: what a request asks of its reasoning, and how the answer's
reasoning becomes the record's thinking fields.

Pluk's own decoder enforces a thinking budget token by token; a server thinks on its side, so
the budget is asked for in each server's own terms:
- llama-server: `chat_template_kwargs.enable_thinking` (Qwen3 and other templates with the
  switch), `reasoning_format: deepseek` (the reasoning comes back apart, in
  reasoning_content) and `thinking_budget_tokens`, which builds that know it honour;
- vLLM: `chat_template_kwargs.enable_thinking` with its reasoning parser (reasoning_content, or
  reasoning from 0.10 on); `reasoning_effort` (low/medium/high from the budget) for a model
  that takes an effort hint instead (gpt-oss); other OpenAI-compatible servers get only that.
The request's max_tokens holds the budget as well as the answer's tokens (a server counts
reasoning in completion_tokens). A server without a reasoning parser leaves a `<think>` block
in the content: it is split off here, so the answer is parsed without it either way.
"""

from __future__ import annotations

import re
from typing import Any

from pluk.core.engine.protocol import ExtractRequest
from pluk.core.thinking import ThinkingFacts

_BLOCK = re.compile(r"^\s*<think>(.*?)(?:</think>\s*|$)", re.S)
_CHARS_PER_TOKEN = 4  # where the server does not count the reasoning tokens: an estimate


def effort(budget: int) -> str:
    """The OpenAI reasoning_effort nearest a budget in tokens."""
    return "low" if budget <= 1024 else "medium" if budget <= 8192 else "high"


def thinking_request(variant: str, budget: int) -> dict[str, Any]:
    """What a request sends for a thinking budget (0: no thinking)."""
    if variant == "llama-server":
        return {"chat_template_kwargs": {"enable_thinking": budget > 0},
                "reasoning_format": "deepseek", "thinking_budget_tokens": budget}
    if variant == "vllm":
        sent: dict[str, Any] = {"chat_template_kwargs": {"enable_thinking": budget > 0}}
        if budget > 0:
            sent["reasoning_effort"] = effort(budget)
        return sent
    # llama-cpp-python's server and the others: an effort hint is all they take.
    return {"reasoning_effort": effort(budget)} if budget > 0 else {}


def split_reasoning(content: str, reasoning: str | None) -> tuple[str, str | None]:
    """(the answer, the reasoning): the server's reasoning field, else a leading <think> block
    of the content."""
    if reasoning is not None:
        return content, reasoning
    match = _BLOCK.match(content)
    if match is None:
        return content, None
    return content[match.end():], match.group(1)


def server_thinking(request: ExtractRequest, reasoning: str | None, usage: Any,
                    seconds: float) -> dict[str, Any]:
    """The result's thinking fields: None where no budget was asked and nothing was thought."""
    spec = request.thinking
    if spec is None and reasoning is None:
        return {}
    details = getattr(usage, "completion_tokens_details", None)
    counted = details.reasoning_tokens if details is not None else None
    tokens = counted if counted is not None else -(-len(reasoning or "") // _CHARS_PER_TOKEN)
    budget = spec.budget if spec is not None else 0
    facts = ThinkingFacts(tokens=tokens, seconds=seconds, budget=budget,
                          budget_hit=bool(budget) and tokens >= budget, closed_by="server",
                          retried=spec.retried if spec is not None else False)
    return {"thinking": facts, "thinking_text": reasoning}
