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

The options' paths are held in tries (option_tree.OptionTree), built once per decision: the
tokens to keep, the side chains and the probabilities cost time linear in the options' tokens,
so an enum of thousands of options adds what its tokens cost. The report's time limit ends
the side evaluations as it ends an answer (slot.py), and a stop request is polled between them.
"""

from __future__ import annotations

import numpy as np

from pluk.core.engine.option_tree import OptionTree
from pluk.core.engine.protocol import DecisionSpec
from pluk.core.engine.scratch import log_sum_exp
from pluk.core.engine.vocab import Vocabulary

TokenPath = tuple[int, ...]


def logprob_entries(row: np.ndarray, tokens: list[int], lse: float | None = None,
                    ) -> dict[int, float]:
    """log P(token) under the full softmax of a logits row, for the given tokens."""
    if lse is None:
        lse = log_sum_exp(row)
    return {t: float(row[t]) - lse for t in tokens}


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
        head = vocab.tokenize_bytes(before)  # the same answer before every form: once
        for option, texts in spec.options.items():
            for text in texts:
                form = text.encode("utf-8")
                self.forms.append((option, form, tuple(
                    vocab.continuation(before, lead + form, head))))
        self.observed: dict[TokenPath, dict[int, float]] = {}
        # The options' own paths as a trie: what wanted() reads while the value is written.
        self._forms_tree = OptionTree([seq for _, _, seq in self.forms])
        self.paths: list[tuple[str, TokenPath]] | None = None  # the final tree, once written
        self._paths_tree: OptionTree | None = None

    # -- while the answer is written ---------------------------------------------------------

    def wanted(self, prefix: TokenPath, next_token: int | None) -> list[int]:
        """Tokens whose log-probability to keep after `prefix` on the generated path."""
        node = self._forms_tree.find(prefix)
        kids = set() if node is None else set(self._forms_tree.children[node])
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
        self._paths_tree = None

    def _tree(self) -> OptionTree:
        if self._paths_tree is None:
            self._paths_tree = OptionTree([path for _, path in self.paths])
        return self._paths_tree

    def _branching(self) -> list[tuple[TokenPath, set[int]]]:
        """The prefixes where the settled paths branch, with the tokens that go on there."""
        tree = self._tree()
        return [(tree.prefix(node), set(tree.children[node])) for node in tree.decisions()]

    def missing(self) -> list[TokenPath]:
        """Side evaluations still needed: token chains from the decision, each the longest of
        the unobserved branching prefixes it covers."""
        tree = self._tree()
        unseen = [node for node in tree.decisions()
                  if not tree.children[node].keys() <= self.observed.get(tree.prefix(node),
                                                                         {}).keys()]
        chains: list[TokenPath] = []
        covered: set[int] = set()  # the nodes on a chain taken so far (each a prefix of one)
        for node in sorted(unseen, key=lambda n: tree.depth[n], reverse=True):
            if node in covered:
                continue
            chains.append(tree.prefix(node))
            at = node
            while at != -1 and at not in covered:
                covered.add(at)
                at = tree.parent[at]
        return chains

    def side_wants(self, chain: TokenPath) -> dict[int, tuple[TokenPath, list[int]]]:
        """For a side chain: chain position -> (the prefix its logits follow, tokens to keep)."""
        tree = self._tree()
        wants = {}
        node = 0
        for k, token in enumerate(chain, start=1):
            node = tree.children[node].get(token)
            if node is None:
                break
            if tree.is_decision(node):
                wants[k - 1] = (tuple(chain[:k]), sorted(tree.children[node]))
        return wants

    def probabilities(self) -> dict[str, float]:
        probs = self._tree().probabilities(self.observed)
        totals: dict[str, float] = {}
        for (option, _), p in zip(self.paths, probs):
            totals[option] = totals.get(option, 0.0) + p
        return totals
