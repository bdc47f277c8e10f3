"""The decoder's reused work arrays (engine/scratch.py) give bit for bit the numbers of the
fresh-array expressions they replace: the decisions' log-sum-exp and a temperature draw."""

from __future__ import annotations

import threading

import numpy as np

from pluk.core.engine import scratch


def _fresh_lse(row):
    top = float(row.max())
    return top + float(np.log(np.exp(row.astype(np.float64) - top).sum()))


def _fresh_draw(row, temperature, u):
    scaled = row.astype(np.float64) / temperature
    cdf = np.cumsum(np.exp(scaled - scaled.max()))
    return min(int(np.searchsorted(cdf, u * cdf[-1], side="right")), len(cdf) - 1)


def test_same_bits_as_fresh_arrays_for_every_vocabulary_size():
    rng = np.random.default_rng(1)
    for n in (300, 49152, 151936, 300):  # sizes change: each call gets an array of its size
        for _ in range(10):
            row = (rng.standard_normal(n) * rng.uniform(0.1, 30)).astype(np.float32)
            if rng.random() < 0.3:
                row[rng.integers(0, n, 50)] = -np.inf  # masked-out tokens
            assert scratch.log_sum_exp(row) == _fresh_lse(row)
            temperature, u = float(rng.uniform(0.1, 2)), float(rng.random())
            assert scratch.draw(row, temperature, u) == _fresh_draw(row, temperature, u)


def test_each_thread_has_its_own_arrays():
    seen = {}

    def work(name):
        seen[name] = scratch.buffer("lse", 1000)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["a"] is not seen["b"]
    assert scratch.buffer("lse", 1000) is scratch.buffer("lse", 1000)
