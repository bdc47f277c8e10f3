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

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from pluk.core.engine import scratch

# Rows per argmax job: fewer go to one thread (a 152k row's argmax takes about 20 us; a
# hand-off to another thread about as much).
_MIN_ARGMAX_ROWS = 8
# Memory bandwidth, not cores, bounds these passes: more threads than this gain nothing.
_MAX_THREADS = 8


class RowWork:
    """A decoder's pool for its per-step row passes; `threads` counts the caller's own (at
    most _MAX_THREADS are used)."""

    def __init__(self, threads: int):
        self.threads = max(1, min(_MAX_THREADS, threads))
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


class DecodeRows:
    """One decode's logits table and the log-sum-exps of its rows, each computed once: those
    batch.advance knows will be read, together before the slots step (`compute`); those only
    the step's own token asks for (a decision watch it opens), together after the step's
    choices (`finish`)."""

    def __init__(self, table: np.ndarray):
        self.table = table
        self.lses: dict[int, float] = {}  # row -> its log-sum-exp
        self._later: list[tuple[int, Callable[[float], None]]] = []

    def entry(self, where: dict[int, int]) -> "EntryRows":
        return EntryRows(self, where)

    def compute(self, rows: list[int], work: RowWork) -> None:
        if not rows:
            return
        rows = sorted(set(rows) - self.lses.keys())
        self.lses.update(zip(rows, work.log_sum_exps([self.table[k] for k in rows])))

    def finish(self, work: RowWork) -> None:
        """The log-sum-exps asked for with `EntryRows.with_lse` during the step, handed over."""
        if not self._later:
            return
        later, self._later = self._later, []
        self.compute([k for k, _ in later], work)
        for k, use in later:
            use(self.lses[k])


class EntryRows:
    """The logits of one batch entry after its decode: `rows(i)` is the row of its token i,
    `rows.lse(i)` that row's log-sum-exp (DecodeRows computes each once)."""

    __slots__ = ("decode", "where")

    def __init__(self, decode: DecodeRows, where: dict[int, int]):
        self.decode = decode
        self.where = where  # token i -> its row of the table

    def __call__(self, i: int) -> np.ndarray:
        return self.decode.table[self.where[i]]

    def lse(self, i: int) -> float:
        k = self.where[i]
        value = self.decode.lses.get(k)
        if value is None:
            value = self.decode.lses[k] = scratch.log_sum_exp(self.decode.table[k])
        return value

    def with_lse(self, i: int, use: Callable[[float], None]) -> bool:
        """use(row i's log-sum-exp) now where it is known (True), else once the step's choices
        are made, computed together with the decode's other late ones (False)."""
        value = self.decode.lses.get(self.where[i])
        if value is None:
            self.decode._later.append((self.where[i], use))
            return False
        use(value)
        return True
