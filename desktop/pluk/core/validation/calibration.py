"""Calibration of a confidence against correctness: the expected calibration error (ECE) over
equal-width bins, with the count, mean confidence and accuracy of every bin (the reliability
diagram's data), and a seeded percentile bootstrap interval of the ECE.

`calibration` takes any list of (confidence, correct) pairs, so it serves every confidence a
record can carry: the option probability of a bool or enum answer (the probability the model
gave the option it answered; correct = the answer equals the reference), and the agreement of
several passes (k of N answers gave the kept value, as k / N); `evaluate` adds a Calibration
with source "probability" and, for a run with --passes, one with source "agreement".
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from pluk.core.validation.metrics import DEFAULT_SEED, _interval, _resample_indices

DEFAULT_BINS = 10


def _bin_index(confidence: np.ndarray, bins: int) -> np.ndarray:
    """Bin i holds [i/bins, (i+1)/bins); the last bin also holds 1.0."""
    return np.minimum((confidence * bins).astype(np.int64), bins - 1)


def calibration(pairs: Iterable[tuple[float, bool]], *, bins: int = DEFAULT_BINS,
                resamples: int = 0, seed: int = DEFAULT_SEED) -> dict:
    """ECE and per-bin statistics of (confidence, correct) pairs; confidences in [0, 1].

    ECE = sum over bins of (bin count / n) * |accuracy(bin) - mean confidence(bin)|, which is
    (1/n) * sum over bins of |sum of (confidence - correct) in the bin|. With no pairs the ECE
    is None. Returns plain data: n, bins, ece {value, ci_low, ci_high}, and one entry per bin
    (lower, upper, count, mean_confidence, accuracy; the last two None for an empty bin).
    """
    if bins < 1:
        raise ValueError("calibration needs at least one bin")
    items = [(float(c), bool(ok)) for c, ok in pairs]
    conf = np.clip(np.array([c for c, _ in items], dtype=float), 0.0, 1.0)
    correct = np.array([ok for _, ok in items], dtype=float)
    n = conf.size
    index = _bin_index(conf, bins)
    gap = conf - correct
    counts = np.bincount(index, minlength=bins)
    conf_sum = np.bincount(index, weights=conf, minlength=bins)
    correct_sum = np.bincount(index, weights=correct, minlength=bins)
    ece = float(np.abs(conf_sum - correct_sum).sum() / n) if n else None
    low = high = None
    if n and resamples:
        samples = []
        for block in _resample_indices(n, resamples, seed):
            offsets = (np.arange(block.shape[0]) * bins)[:, None]
            sums = np.bincount((index[block] + offsets).ravel(), weights=gap[block].ravel(),
                               minlength=block.shape[0] * bins).reshape(-1, bins)
            samples.append(np.abs(sums).sum(axis=1) / n)
        low, high = _interval(np.concatenate(samples))
    table = []
    for i in range(bins):
        count = int(counts[i])
        table.append({"lower": i / bins, "upper": (i + 1) / bins, "count": count,
                      "mean_confidence": float(conf_sum[i] / count) if count else None,
                      "accuracy": float(correct_sum[i] / count) if count else None})
    return {"n": n, "bins": table, "ece": {"value": ece, "ci_low": low, "ci_high": high}}
