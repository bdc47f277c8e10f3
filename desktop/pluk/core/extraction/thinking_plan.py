"""Thinking models: knowing one from its chat template and vocabulary, and the prompt and
budget a run gives it.

A model thinks in one of two ways Pluk knows:
- tags: `<think>` ... `</think>` (DeepSeek-R1 distills, whose template opens the block at the
  assistant turn; Qwen3, whose template takes `enable_thinking` and writes an empty block when
  it is false; Phi-4-reasoning);
- channel: gpt-oss's analysis channel, closed by `<|end|>` and followed by the final channel.
The budget (RunOptions' thinking_budget, else the task's, else auto: AUTO_BUDGET on a thinking
model) decides: 0 closes the block empty before the answer, as the family expects; N > 0 opens
it (where the template did not) and the decoder lets the model think up to N tokens, then
forces the close and the answer grammar (engine/slot.py). The context reserves the budget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from pluk.core.options import RunOptions
from pluk.core.tasks import TaskDefinition
from pluk.core.thinking import AUTO_BUDGET

# Tokens kept free beyond the budget: the forced close of the block and its closing line.
CLOSE_RESERVE = 16


@dataclass(frozen=True)
class ThinkStyle:
    kind: Literal["tags", "channel"]
    open_text: str                   # opens the block where the template did not
    close_text: str                  # closes it and starts the answer
    cut_text: str                    # the same at the budget: a closing line, then the close
    stop_texts: tuple[str, ...]      # what the model writes to close it itself
    switch: str | None = None        # the template's own on/off variable (enable_thinking)


TAGS = ThinkStyle("tags", "<think>\n", "</think>\n\n", "\n</think>\n\n", ("</think>",))
CHANNEL = ThinkStyle("channel", "<|channel|>analysis<|message|>",
                     "<|end|><|start|>assistant<|channel|>final<|message|>",
                     "<|end|><|start|>assistant<|channel|>final<|message|>",
                     ("<|end|>", "<|return|>", "<|channel|>"))


def think_style(template: str | None, is_token: Callable[[str], bool]) -> ThinkStyle | None:
    """The model's way of thinking, from its chat template and vocabulary; None: it does not
    think (or not in a way Pluk knows)."""
    text = template or ""
    if "<|channel|>" in text and is_token("<|channel|>"):
        return CHANNEL
    if (is_token("<think>") and is_token("</think>")) or "<think>" in text:
        switch = "enable_thinking" if "enable_thinking" in text else None
        return ThinkStyle(**{**TAGS.__dict__, "switch": switch})
    return None


@dataclass(frozen=True)
class ThinkingPlan:
    """A run's thinking: the model's style (None: not a thinking model) and the budget."""

    style: ThinkStyle | None = None
    budget: int = 0
    template_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def thinks(self) -> bool:
        return self.style is not None and self.budget > 0

    @property
    def reserve(self) -> int:
        """Context tokens the thinking may take."""
        return self.budget + CLOSE_RESERVE if self.thinks else 0

    def suffix(self, rendered: str) -> str:
        """The prompt's suffix (what follows the report, up to the answer) with the block
        opened for thinking, or closed empty with thinking off."""
        style = self.style
        if style is None:
            return rendered
        end = rendered.rstrip()
        if style.kind == "channel":
            if end.endswith(style.open_text):
                return rendered if self.thinks else rendered + style.close_text
            return rendered + style.open_text + ("" if self.thinks else style.close_text)
        opened = end.endswith("<think>")
        if end.endswith("</think>"):
            return rendered  # the template closed it already (Qwen3, enable_thinking false)
        if self.thinks:
            return rendered if opened else rendered + style.open_text
        return rendered + "\n" + style.close_text if opened else rendered


def resolve_budget(task: TaskDefinition, options: RunOptions, style: ThinkStyle | None) -> int:
    """The run's budget: the run option, else the task's, else auto."""
    wanted = options.decoding.thinking_budget
    if wanted is None:
        wanted = task.thinking_budget
    if style is None:
        return 0
    return AUTO_BUDGET if wanted is None else wanted


def thinking_plan(task: TaskDefinition, options: RunOptions, model: Any) -> ThinkingPlan:
    """The plan for `model` (its chat_template and a tokenizer that parses special tokens)."""

    def is_token(text: str) -> bool:
        try:
            return len(model.tokenize(text, special=True)) == 1
        except Exception:
            return False

    style = think_style(model.chat_template, is_token)
    budget = resolve_budget(task, options, style)
    kwargs = {style.switch: budget > 0} if style is not None and style.switch else {}
    return ThinkingPlan(style=style, budget=budget, template_kwargs=kwargs)
