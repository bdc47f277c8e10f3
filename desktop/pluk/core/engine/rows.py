"""Passes over whole rows of a decode's logits table, spread over threads: the argmax of every
answer's row, and the log-sum-exp of the rows a decision reads.

Both are numpy loops over the vocabulary (152k to 262k numbers a row) that release the GIL, and
between two decodes llama.cpp's threads are idle, so rows are split between this pool's threads
and the caller's. Each row is still one numpy call over that row alone, with the same operations
in the same order: every result is bit for bit what one thread gives (tests/core/engine/
test_rows.py). Small jobs stay on the caller's thread, where a hand-off would cost more than it
saves.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from pluk.core.engine import scratch

# Rows per argmax job: fewer go to one thread (a 152k row's argmax takes about 20 us; a
# hand-off to another thread about as much).
_MIN_ARGMAX_ROWS = 8
# Memory bandwidth, not cores, bounds these passes: more threads than this gain nothing.
_MAX_THREADS = 8


def default_threads() -> int:
    return max(1, min(_MAX_THREADS, os.cpu_count() or 1))


class RowWork:
    """A decoder's pool for its per-step row passes; `threads` counts the caller's own."""

    def __init__(self, threads: int | None = None):
        self.threads = default_threads() if threads is None else max(1, threads)
        self._pool: ThreadPoolExecutor | None = None

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.threads - 1, thread_name_prefix="pluk-rows")
        return self._pool

    def argmax(self, table: np.ndarray) -> np.ndarray:
        """The argmax of every row of a 2-d table (each row's first maximum, as numpy's)."""
        n = table.shape[0]
        parts = min(self.threads, n // _MIN_ARGMAX_ROWS)
        if parts <= 1:
            return table.argmax(axis=1)
        bounds = [n * k // parts for k in range(parts + 1)]
        out = np.empty(n, dtype=np.intp)

        def part(k: int) -> None:
            lo, hi = bounds[k], bounds[k + 1]
            table[lo:hi].argmax(axis=1, out=out[lo:hi])

        futures = [self._executor().submit(part, k) for k in range(1, parts)]
        part(0)
        for future in futures:
            future.result()
        return out

    def log_sum_exps(self, rows: list[np.ndarray]) -> list[float]:
        """scratch.log_sum_exp of each row (each thread writes into its own work array)."""
        if len(rows) <= 1 or self.threads == 1:
            return [scratch.log_sum_exp(row) for row in rows]
        mine = rows[::self.threads]
        futures = [self._executor().submit(_lses, rows[k::self.threads])
                   for k in range(1, min(self.threads, len(rows)))]
        results: list[list[float]] = [_lses(mine)] + [future.result() for future in futures]
        out = [0.0] * len(rows)
        for k, values in enumerate(results):
            out[k::self.threads] = values
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


def _lses(rows: list[np.ndarray]) -> list[float]:
    return [scratch.log_sum_exp(row) for row in rows]


class EntryRows:
    """The logits of one batch entry after its decode: `rows(i)` is the row of its token i,
    `rows.lse(i)` that row's log-sum-exp, each computed once per decode (batch.advance computes
    the ones it knows will be read beforehand, together)."""

    __slots__ = ("table", "where", "lses")

    def __init__(self, table: np.ndarray, where: dict[int, int], lses: dict[int, float]):
        self.table = table
        self.where = where  # token i -> its row of the table
        self.lses = lses    # row of the table -> its log-sum-exp, shared by the decode's entries

    def __call__(self, i: int) -> np.ndarray:
        return self.table[self.where[i]]

    def lse(self, i: int) -> float:
        k = self.where[i]
        value = self.lses.get(k)
        if value is None:
            value = self.lses[k] = scratch.log_sum_exp(self.table[k])
        return value
