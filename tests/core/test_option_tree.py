"""Option probabilities read where the options' token paths branch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pluk.core.engine.option_tree import branch_probabilities


def _dist(**probs) -> np.ndarray:
    out = np.full(10, 1e-9)
    for token, p in probs.items():
        out[int(token[1:])] = p
    return np.log(out)


def test_single_token_options_are_renormalised_over_the_options():
    after = {(): _dist(t1=0.5, t2=0.3, t3=0.1)}
    probs = branch_probabilities([[1], [2], [3]], after)
    assert probs == pytest.approx([0.5 / 0.9, 0.3 / 0.9, 0.1 / 0.9])


def test_a_forced_continuation_is_not_a_decision():
    # 't' 'rue' against 'false' and 'null': after 't' only 'rue' goes on, whatever the model
    # thinks of it, so the option weighs what the model gave 't'.
    after = {(): _dist(t1=0.4, t2=0.3, t3=0.1), (1,): _dist(t4=0.0001)}
    probs = branch_probabilities([[1, 4], [2], [3]], after)
    assert probs == pytest.approx([0.5, 0.375, 0.125])
    assert max(range(3), key=probs.__getitem__) == 0


def test_a_shared_first_token_defers_the_decision_to_the_branch():
    # '"' then '1' or '2' then '"': decided at the digit.
    after = {(): _dist(t5=0.2, t3=0.01), (5,): _dist(t1=0.6, t2=0.2), (5, 1): _dist(),
             (5, 2): _dist()}
    probs = branch_probabilities([[5, 1, 6], [5, 2, 6], [3]], after)
    assert sum(probs) == pytest.approx(1.0)
    assert probs[0] == pytest.approx((0.2 / 0.21) * 0.75)
    assert probs[2] == pytest.approx(0.01 / 0.21)


def test_an_option_that_is_a_prefix_of_another_gets_what_the_model_does_not_give_the_longer():
    # '1' against '12': after '1' the model gives '2' 0.3, so ending at '1' keeps 0.7.
    after = {(): _dist(t1=0.9, t3=0.1), (1,): _dist(t2=0.3)}
    probs = branch_probabilities([[1], [1, 2], [3]], after)
    assert sum(probs) == pytest.approx(1.0)
    assert probs[0] == pytest.approx(0.9 * 0.7) and probs[1] == pytest.approx(0.9 * 0.3)


def test_identical_paths_share_their_probability():
    after = {(): _dist(t1=0.5, t2=0.5)}
    assert branch_probabilities([[1], [1], [2]], after) == pytest.approx([0.25, 0.25, 0.5])
    assert math.isclose(sum(branch_probabilities([[1], [1], [2]], after)), 1.0)
