"""Reused work arrays for the decoder's passes over a whole vocabulary (a log-sum-exp, a draw).

A fresh numpy array of a big vocabulary (152k float64: 1.2 MB) is above the C library's mmap
threshold: every one is mapped, page-faulted in and unmapped again, which made a log-sum-exp
cost 1.3 ms where the arithmetic takes 0.2. These arrays are made once per thread and size and
written in place, with the same operations in the same order, so every number is bit for bit
what the fresh arrays gave. One per thread: the decoder is used by one thread at a time, but two
decoders may run in two threads.
"""

from __future__ import annotations

import threading

import numpy as np

_local = threading.local()


def buffer(name: str, size: int, dtype=np.float64) -> np.ndarray:
    """This thread's work array `name` of `size` elements (its contents are garbage)."""
    arrays = getattr(_local, "arrays", None)
    if arrays is None:
        arrays = _local.arrays = {}
    found = arrays.get(name)
    if found is None or found.shape[0] != size or found.dtype != dtype:
        found = arrays[name] = np.empty(size, dtype=dtype)
    return found


def log_sum_exp(row: np.ndarray) -> float:
    """log(sum(exp(row))) in float64, as `top + log(exp(row - top).sum())`."""
    top = float(row.max())
    work = buffer("lse", row.shape[0])
    np.copyto(work, row)
    np.subtract(work, top, out=work)
    np.exp(work, out=work)
    return top + float(np.log(work.sum()))


def draw(logits: np.ndarray, temperature: float, u: float) -> int:
    """The token a uniform `u` in [0, 1) picks from softmax(logits / temperature)."""
    scaled = buffer("draw", logits.shape[0])
    np.copyto(scaled, logits)
    np.divide(scaled, temperature, out=scaled)
    np.subtract(scaled, scaled.max(), out=scaled)
    np.exp(scaled, out=scaled)
    cdf = buffer("cdf", logits.shape[0])
    np.cumsum(scaled, out=cdf)
    index = int(np.searchsorted(cdf, u * cdf[-1], side="right"))
    return min(index, len(cdf) - 1)
