"""What a thinking model did before its answer, as engines report it and records keep it.

A thinking model (DeepSeek-R1 distills, Qwen3, gpt-oss) writes a reasoning block before its
answer. Pluk lets it think up to a budget in tokens, then closes the block and constrains the
answer as for any model (extraction/thinking_plan.py, engine/slot.py). This bottom-layer module
holds the facts both the engines and the records share.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

# The budget of `auto` on a thinking model (tokens of reasoning before the answer).
AUTO_BUDGET = 1024

ClosedBy = Literal["model", "budget", "repeat", "time", "server"]
_LOOP_PERIOD = 16  # the longest repeating run of tokens the repeat guard looks for


def looping(tokens: list[int]) -> bool:
    """The repeat guard: the reasoning so far ends in the same run of tokens over and over
    (16 tokens' worth, at least 4 times)."""
    for period in range(1, _LOOP_PERIOD + 1):
        times = max(4, 16 // period)
        if len(tokens) < period * times:
            break
        if tokens[-period * times:] == tokens[-period:] * times:
            return True
    return False


class ThinkingFacts(BaseModel):
    """One answer's thinking: `tokens` written in the block, `seconds` spent on them, the
    `budget` it had, and whether the budget closed it (`budget_hit`). `closed_by`: the model
    itself, the budget, the repeat guard (the reasoning looped), the time limit, or the server
    (which thinks on its own side). `retried`: this is the single retry with a smaller budget."""

    tokens: int = Field(ge=0)
    seconds: float = Field(default=0.0, ge=0)
    budget: int = Field(ge=0)
    budget_hit: bool = False
    closed_by: ClosedBy | None = None
    retried: bool = False
