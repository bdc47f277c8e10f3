"""Choosing the next token of an answer: the model's own choice, checked against the grammar;
the full grammar mask only when the grammar refuses that choice.

This is how llama.cpp's server samples (common/sampling.cpp): checking the one token the model
picked costs a few microseconds, a full mask of a 262k vocabulary far more. At temperature 0
the choice is the argmax; at temperature > 0 a draw from the softmax with a seeded generator,
redrawn from the masked distribution when refused. Both are exact: a draw accepted at once or
redrawn after a refusal has the masked distribution's probabilities (p(a) + (1 - Z) p(a) / Z =
p(a) / Z for an allowed a, Z the allowed mass).

The guard's steer (engine/answer_guard.py) applies first: banned tokens are out, or only the
named tokens are in. Where that leaves nothing the grammar allows, the grammar wins: a guard
is a heuristic, the grammar the answer's language.

A decode step chooses for all its answers together (choose_all): the greedy choices are the
argmax of every row of the step's logits table (rows.py, on several threads), and the refused
ones' masks are filled together on llguidance's threads. Each answer gets the token it would
get alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pluk.core.engine import scratch
from pluk.core.engine.answer_guard import Steer
from pluk.core.engine.llg import MaskBuffer
from pluk.core.engine.protocol import DecodeCounts
from pluk.core.engine.rows import RowWork


class Chooser:
    def __init__(self, eog: frozenset[int], temperature: float = 0.0,
                 rng: np.random.Generator | None = None):
        self._eog = eog
        self.temperature = temperature
        self._rng = rng or np.random.default_rng(0)

    def _steered(self, row: np.ndarray, steer: Steer | None) -> np.ndarray:
        if steer is None:
            return row
        if steer.only is not None:
            work = np.full(row.shape, -np.inf, dtype=np.float32)
            work[steer.only] = row[steer.only]
            return work
        if steer.banned:
            work = row.copy()
            work[steer.banned] = -np.inf
            return work
        return row

    def _take(self, matcher, token: int) -> bool:
        """Whether the grammar takes `token` now; a taken token is consumed (an end of
        generation token is only checked: the answer ends there)."""
        if token in self._eog:
            return matcher.is_accepting()
        return matcher.try_consume_tokens([token]) == 1

    def steered(self, row: np.ndarray, steer: Steer | None) -> np.ndarray:
        """The row the choice is made from: the guard's steer applied, unless it leaves no
        token at all."""
        work = self._steered(row, steer)
        if work is not row and not np.isfinite(work.max()):
            return row
        return work

    def masked_choice(self, work: np.ndarray, row: np.ndarray, matcher,
                      allowed_ids: tuple[np.ndarray | None, np.ndarray | None]) -> int | None:
        """The choice among the tokens the grammar allows (the model's own was refused),
        consumed by `matcher`."""
        ids, allowed = allowed_ids
        if ids is not None and not ids.size:
            return None
        # Few allowed: chosen among their ids alone, the same token as from the whole row with
        # every other token at -inf (ids ascend, so ties go to the lowest as argmax does; a
        # refused token's weight, exp(-inf), is an exact 0 in a draw's sums). Many: the whole
        # row, the refused tokens at -inf.
        if ids is not None:
            def keep(logits):
                return logits[ids]
        else:
            def keep(logits):
                return np.where(allowed, logits, -np.inf)
        masked = keep(work)
        if not np.isfinite(masked.max()):
            masked = keep(row)
            if not np.isfinite(masked.max()):
                return None
        picked = self._pick(masked)
        token = picked if ids is None else int(ids[picked])
        if token not in self._eog and not matcher.consume_token(token):
            return None
        return token

    def pick(self, row: np.ndarray) -> int:
        """The model's own choice, unconstrained (a thinking model's reasoning)."""
        return self._pick(row)

    def _pick(self, logits: np.ndarray) -> int:
        if self.temperature <= 0:
            return int(np.argmax(logits))
        return scratch.draw(logits, self.temperature, self._rng.random())


@dataclass(slots=True)
class Choice:
    """One answer's next choice in a decode step: its chooser, matcher, the guard's steer, its
    counters, the logits row that predicts the token and, where the row is one of a logits
    table, its index there."""

    chooser: Chooser
    matcher: object
    steer: Steer | None
    stats: DecodeCounts
    row: np.ndarray
    index: int | None = None


def choose_all(choices: list[Choice], table: np.ndarray, masks: MaskBuffer,
               row_work: RowWork) -> list[int | None]:
    """The next token of every answer of a decode step, each consumed by its matcher (None
    where its grammar allows nothing). The greedy choices on unsteered rows are the argmax of
    every row of `table`, split between `row_work`'s threads; each choice is checked against
    its own grammar, and only the refused ones get a full mask, filled together
    (MaskBuffer.fill). Each token is the one that answer would get alone: the same arithmetic
    per row."""
    tokens: list[int | None] = [None] * len(choices)
    works: list[np.ndarray] = []
    refused: list[int] = []
    # The argmax of the table's rows from the first to the last a choice reads (not the side
    # chains' and decisions' rows around them), made at the first greedy choice.
    indices = [choice.index for choice in choices if choice.index is not None]
    first = min(indices, default=0)
    picks = None
    for k, choice in enumerate(choices):
        chooser = choice.chooser
        work = chooser.steered(choice.row, choice.steer)
        works.append(work)
        if work is choice.row and choice.index is not None and chooser.temperature <= 0:
            if picks is None:
                picks = row_work.argmax(table[first:max(indices) + 1])
            token = int(picks[choice.index - first])
        else:
            token = chooser._pick(work)
        if chooser._take(choice.matcher, token):
            tokens[k] = token
        else:
            refused.append(k)
    if refused:
        masks.fill([choices[k].matcher for k in refused])
        for j, k in enumerate(refused):
            choice = choices[k]
            choice.stats.masks_computed += 1
            tokens[k] = choice.chooser.masked_choice(works[k], choice.row, choice.matcher,
                                                     masks.ids_at(j))
    return tokens
