"""Option probabilities as the model's decisions: each option's token path through the tree of
all options' paths, scored only where the paths branch.

Where only one option goes on (the 'rue' after 't', the closing quote of "4"), the grammar
decides, not the model, so such a step counts as certain. Where paths branch, the model's own
probabilities of the branches, renormalised over them, are the decision. At temperature 0 the
answered option then is the most probable one whenever the model chose its first diverging
token greedily among the options' tokens; and the options' probabilities sum to 1.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np

# The model's probability of ending an option here is what it does not give to the longer
# options' next tokens; never exactly zero, so the option keeps a (tiny) share.
_FLOOR = 1e-12


def branch_probabilities(sequences: Sequence[Sequence[int]],
                         logprobs_after: Mapping[tuple[int, ...], np.ndarray]) -> list[float]:
    """P(option) for each token sequence; `logprobs_after[prefix]` is the model's log
    distribution after that prefix (needed for () and for every prefix where paths branch)."""
    paths = [tuple(seq) for seq in sequences]
    copies = Counter(paths)
    result = []
    for path in paths:
        p = 1.0
        for i in range(len(path) + 1):
            prefix = path[:i]
            children = {other[i] for other in paths if len(other) > i and other[:i] == prefix}
            ends_here = prefix in copies
            if not children or (len(children) == 1 and not ends_here):
                continue  # nothing to decide at this step
            logprobs = logprobs_after[prefix]
            weights = {token: math.exp(float(logprobs[token])) for token in children}
            end = max(1.0 - sum(weights.values()), _FLOOR) if ends_here else 0.0
            chosen = end if i == len(path) else weights[path[i]]
            p *= chosen / (sum(weights.values()) + end)
        result.append(p / copies[path])
    return result
