"""Option probabilities as the model's decisions: each option's token path through the tree of
all options' paths, scored only where the paths branch.

Where only one option goes on (the 'rue' after 't', the closing quote of "4"), the grammar
decides, not the model, so such a step counts as certain. Where paths branch, the model's own
probabilities of the branches, renormalised over them, are the decision. At temperature 0 the
answered option then is the most probable one whenever the model chose its first diverging
token greedily among the options' tokens; and the options' probabilities sum to 1.

The paths are held in a trie (OptionTree), so building it, finding its decisions and scoring
every option take time linear in the options' tokens: an enum of thousands of options costs
what its tokens cost, not their square (comparing every path with every other at every step
did, and the decisions' side evaluations repeated that per branch).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

# The model's probability of ending an option here is what it does not give to the longer
# options' next tokens; never exactly zero, so the option keeps a (tiny) share.
_FLOOR = 1e-12

TokenPath = tuple[int, ...]


class OptionTree:
    """The trie of the options' token paths. Node 0 is the empty prefix; every node knows its
    parent, the token that leads to it, its depth, its children (token -> node, in the order
    the paths first take them) and how many paths end there."""

    def __init__(self, sequences: Sequence[Sequence[int]]):
        self.children: list[dict[int, int]] = [{}]
        self.parent: list[int] = [-1]
        self.token: list[int] = [-1]
        self.depth: list[int] = [0]
        self.ends: list[int] = [0]
        self.leaves: list[int] = []  # the node each sequence ends at, in order
        for seq in sequences:
            node = 0
            for token in seq:
                token = int(token)
                nxt = self.children[node].get(token)
                if nxt is None:
                    nxt = len(self.children)
                    self.children[node][token] = nxt
                    self.children.append({})
                    self.parent.append(node)
                    self.token.append(token)
                    self.depth.append(self.depth[node] + 1)
                    self.ends.append(0)
                node = nxt
            self.ends[node] += 1
            self.leaves.append(node)
        self._prefixes: dict[int, TokenPath] = {0: ()}
        self._decisions: list[int] | None = None

    def is_decision(self, node: int) -> bool:
        """Whether the model decides here: several paths go on, or one goes on and one ends."""
        kids = self.children[node]
        return bool(kids) and (len(kids) > 1 or self.ends[node] > 0)

    def prefix(self, node: int) -> TokenPath:
        """The tokens from the root to `node`."""
        known = self._prefixes.get(node)
        if known is None:
            tail = []
            at = node
            while at not in self._prefixes:
                tail.append(self.token[at])
                at = self.parent[at]
            known = self._prefixes[at] + tuple(reversed(tail))
            self._prefixes[node] = known
        return known

    def find(self, prefix: Sequence[int]) -> int | None:
        """The node of `prefix`, or None where no path starts with it."""
        node = 0
        for token in prefix:
            node = self.children[node].get(int(token))
            if node is None:
                return None
        return node

    def decisions(self) -> list[int]:
        """The decision nodes, in the order the paths reach them (path by path, root first)."""
        if self._decisions is None:
            seen: set[int] = set()
            out: list[int] = []
            for seq_end in self.leaves:
                chain = []
                at = seq_end
                while at != -1 and at not in seen:
                    chain.append(at)
                    seen.add(at)
                    at = self.parent[at]
                out.extend(n for n in reversed(chain) if self.is_decision(n))
            self._decisions = out
        return self._decisions

    def probabilities(self, logprobs_after: Mapping[TokenPath, np.ndarray | Mapping[int, float]]
                      ) -> list[float]:
        """P(path) for each sequence the tree was built from (see branch_probabilities)."""
        # Per decision node: the share of each child and of ending there.
        shares: dict[int, tuple[dict[int, float], float]] = {}
        for node in self.decisions():
            logprobs = logprobs_after[self.prefix(node)]
            weights = {token: math.exp(float(logprobs[token])) for token in self.children[node]}
            total = sum(weights.values())
            end = max(1.0 - total, _FLOOR) if self.ends[node] else 0.0
            total += end
            shares[node] = ({child: weights[token] / total
                             for token, child in self.children[node].items()}, end / total)
        # P(node) from the root down, each node once.
        reach: dict[int, float] = {0: 1.0}
        result = []
        for leaf in self.leaves:
            result.append(self._reach(leaf, reach, shares) * self._end_share(leaf, shares)
                          / self.ends[leaf])
        return result

    def _reach(self, node: int, reach: dict[int, float],
               shares: dict[int, tuple[dict[int, float], float]]) -> float:
        chain = []
        at = node
        while at not in reach:
            chain.append(at)
            at = self.parent[at]
        p = reach[at]
        for child in reversed(chain):
            up = self.parent[child]
            if up in shares:
                p *= shares[up][0][child]
            reach[child] = p
        return p

    @staticmethod
    def _end_share(node: int, shares: dict[int, tuple[dict[int, float], float]]) -> float:
        return shares[node][1] if node in shares else 1.0


def branch_probabilities(sequences: Sequence[Sequence[int]],
                         logprobs_after: Mapping[tuple[int, ...], np.ndarray]) -> list[float]:
    """P(option) for each token sequence; `logprobs_after[prefix]` is the model's log
    distribution after that prefix (needed for () and for every prefix where paths branch)."""
    return OptionTree(sequences).probabilities(logprobs_after)
