"""Option probabilities read where the model decides, while it writes the answer.

A bool or enum field's decision is the token that starts its value: the first token whose
bytes reach the value (' true' after '":' in BPE vocabularies, or 'true' after a lone ' ').
From that token on, a DecisionWatch keeps the model's own log-probabilities (all the
vocabulary, before the grammar's mask and the guard's steer) of the tokens that matter: at each
step along the generated path, those of the options' next tokens and of the token the model
took. When the value is written, the options form a tree of token paths, scored as
engine/option_tree.py does (only branching steps count); the answered option follows the very
tokens the model wrote, the others their tokenization after the answer so far (the same rule as
extraction/scoring.py), so the numbers are those of the re-evaluation they replace.

Branches the answer did not take may split again (the quoted "1".."5" of an enum after a
bare 4): those prefixes were never evaluated. They get a side evaluation once the answer is
done: its sequence is cut back to the decision and the branch's few tokens ride along in the
next batch of the other answers (batch.py). Nothing else is evaluated again.
"""

from __future__ import annotations

import numpy as np

from pluk.core.engine.option_tree import branch_probabilities
from pluk.core.engine.protocol import DecisionSpec
from pluk.core.engine.vocab import Vocabulary

TokenPath = tuple[int, ...]


def logprob_entries(row: np.ndarray, tokens: list[int], lse: float | None = None,
                    ) -> dict[int, float]:
    """log P(token) under the full softmax of a logits row, for the given tokens."""
    if lse is None:
        lse = log_sum_exp(row)
    return {t: float(row[t]) - lse for t in tokens}


def log_sum_exp(row: np.ndarray) -> float:
    top = float(row.max())
    return top + float(np.log(np.exp(row.astype(np.float64) - top).sum()))


class DecisionWatch:
    """One tracked field of one answer, from the token that starts its value.

    `index` is that token's place in the answer's tokens; `before` the answer's bytes before
    it, `lead` its bytes before the value (the '":' or ' ' written with it)."""

    def __init__(self, spec: DecisionSpec, vocab: Vocabulary, *, index: int, before: bytes,
                 lead: bytes, value_start: int):
        self.key = spec.key
        self.index = index
        self.lead = lead
        self.value_start = value_start
        self.value_end: int | None = None
        self.open = True
        self.forms: list[tuple[str, bytes, TokenPath]] = []
        for option, texts in spec.options.items():
            for text in texts:
                form = text.encode("utf-8")
                self.forms.append((option, form, tuple(vocab.continuation(before, lead + form))))
        self.observed: dict[TokenPath, dict[int, float]] = {}
        self.paths: list[tuple[str, TokenPath]] | None = None  # the final tree, once written

    # -- while the answer is written ---------------------------------------------------------

    def wanted(self, prefix: TokenPath, next_token: int | None) -> list[int]:
        """Tokens whose log-probability to keep after `prefix` on the generated path."""
        depth = len(prefix)
        kids = {seq[depth] for _, _, seq in self.forms
                if len(seq) > depth and seq[:depth] == prefix}
        if next_token is not None:
            kids.add(next_token)
        return sorted(kids)

    def record(self, prefix: TokenPath, entries: dict[int, float]) -> None:
        self.observed.setdefault(prefix, {}).update(entries)

    def after_token(self, start: int, end: int) -> None:
        """The answer's token covering bytes [start, end) was taken: the watch ends one token
        after its value (the distribution there says whether the value ends), or at once when a
        token runs past the value's end (no option can end at a token boundary there)."""
        if self.value_end is not None and (start >= self.value_end or end > self.value_end):
            self.open = False

    # -- once the value is written ------------------------------------------------------------

    def settle(self, output: list[int], starts: list[int], answer: bytes) -> None:
        """Fix the tree: the answered form follows the generated tokens when a token boundary
        falls at the value's end; every other form its own tokenization."""
        written = answer[self.value_start:self.value_end]
        own: TokenPath | None = None
        for k in range(self.index + 1, len(output) + 1):
            boundary = starts[k] if k < len(output) else len(answer)
            if boundary == self.value_end:
                own = tuple(output[self.index:k])
                break
            if boundary > self.value_end:
                break
        self.paths = [(option, own if (own is not None and form == written) else seq)
                      for option, form, seq in self.forms]

    def _branching(self) -> list[tuple[TokenPath, set[int]]]:
        paths = [path for _, path in self.paths]
        ends = set(paths)
        out: dict[TokenPath, set[int]] = {}
        for path in paths:
            for i in range(len(path) + 1):
                prefix = path[:i]
                kids = {other[i] for other in paths if len(other) > i and other[:i] == prefix}
                if kids and (len(kids) > 1 or prefix in ends):
                    out[prefix] = kids
        return list(out.items())

    def missing(self) -> list[TokenPath]:
        """Side evaluations still needed: token chains from the decision, each the longest of
        the unobserved branching prefixes it covers."""
        unseen = [prefix for prefix, kids in self._branching()
                  if not kids <= self.observed.get(prefix, {}).keys()]
        chains: list[TokenPath] = []
        for prefix in sorted(unseen, key=len, reverse=True):
            if not any(chain[:len(prefix)] == prefix for chain in chains):
                chains.append(prefix)
        return chains

    def side_wants(self, chain: TokenPath) -> dict[int, tuple[TokenPath, list[int]]]:
        """For a side chain: chain position -> (the prefix its logits follow, tokens to keep)."""
        wants = {}
        for prefix, kids in self._branching():
            if prefix and chain[:len(prefix)] == prefix:
                wants[len(prefix) - 1] = (prefix, sorted(kids))
        return wants

    def probabilities(self) -> dict[str, float]:
        paths = [path for _, path in self.paths]
        probs = branch_probabilities(paths, self.observed)
        totals: dict[str, float] = {}
        for (option, _), p in zip(self.paths, probs):
            totals[option] = totals.get(option, 0.0) + p
        return totals
