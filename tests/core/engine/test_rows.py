"""The decoder's row passes on several threads (engine/rows.py) give bit for bit what one
thread gives: the argmax of every row of a logits table, and each row's log-sum-exp."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from pluk.core.engine import scratch
from pluk.core.engine.rows import DecodeRows, RowWork


def _table(rows: int, n_vocab: int = 152_064, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    table = rng.standard_normal((rows, n_vocab), dtype=np.float32)
    # Ties: every row's maximum twice, so the first one must win as numpy's argmax picks it.
    for k in range(rows):
        top = int(table[k].argmax())
        table[k, (top + 7 + k) % n_vocab] = table[k, top]
    if rows > 3:
        table[3, 5:9] = 40.0  # a tie of several at a huge value
    return table


@pytest.mark.parametrize("threads", [2, 3, 8])
@pytest.mark.parametrize("rows", [1, 7, 16, 64, 65])
def test_argmax_on_threads_is_numpys_argmax(threads, rows):
    table = _table(rows)
    work = RowWork(threads)
    try:
        got = work.argmax(table)
        assert got.dtype == np.intp
        assert (got == table.argmax(axis=1)).all()
        # A slice of the table (batch.py hands the rows from the first choice to the last).
        assert (work.argmax(table[1:]) == table[1:].argmax(axis=1)).all()
    finally:
        work.close()


def test_the_pool_never_has_more_threads_than_memory_bandwidth_uses():
    """A GPU host's n_threads_batch (say 15) gives rows.py at most its cap of 8."""
    assert RowWork(15).threads == 8 and RowWork(8).threads == 8
    assert RowWork(3).threads == 3 and RowWork(0).threads == 1


def test_argmax_is_split_between_threads():
    """Not a timing: the pool's threads really run parts of a big table's argmax."""
    seen = set()
    original = np.ndarray.argmax
    table = _table(64, n_vocab=4096)
    work = RowWork(4)

    together = threading.Barrier(4, timeout=30)  # the four parts run at the same time

    class Spy(np.ndarray):
        def argmax(self, *args, **kwargs):
            seen.add(threading.current_thread().name)
            together.wait()
            return original(np.asarray(self), *args, **kwargs)

    try:
        assert (work.argmax(table.view(Spy)) == table.argmax(axis=1)).all()
        assert len(seen) == 4 and threading.current_thread().name in seen
    finally:
        work.close()


@pytest.mark.parametrize("threads", [1, 2, 5])
def test_log_sum_exps_on_threads_are_one_threads(threads):
    table = _table(11, seed=3)
    table[2] *= 30  # a wide row: most terms underflow
    table[4, 100:200] = -np.inf
    rows = [table[k] for k in range(11)]
    work = RowWork(threads)
    try:
        assert work.log_sum_exps(rows) == [scratch.log_sum_exp(row) for row in rows]
        assert work.log_sum_exps([]) == []
    finally:
        work.close()


def test_a_decodes_rows_compute_each_lse_once(monkeypatch):
    """DecodeRows: what batch.advance computes beforehand is not computed again; an entry's
    lse() of another row computes it once for the whole decode; with_lse hands a known one
    over at once and keeps the others for finish(), which computes each row once."""
    table = _table(5, n_vocab=1000)
    calls = []
    real = scratch.log_sum_exp
    monkeypatch.setattr(scratch, "log_sum_exp", lambda row: calls.append(1) or real(row))
    work = RowWork(2)
    try:
        decode = DecodeRows(table)
        decode.compute([2, 2], work)
        assert len(calls) == 1 and decode.lses == {2: real(table[2])}
        rows = decode.entry({0: 1, 5: 2, 6: 3})
        other = decode.entry({0: 4, 1: 3})
        assert (rows(0) == table[1]).all() and (rows(6) == table[3]).all()
        assert rows.lse(5) == real(table[2]) and len(calls) == 1  # computed beforehand
        assert rows.lse(0) == real(table[1]) == rows.lse(0) and len(calls) == 2
        got = []
        assert rows.with_lse(5, got.append) and got == [real(table[2])]
        assert not rows.with_lse(6, got.append) and not other.with_lse(1, got.append)
        assert not other.with_lse(0, got.append) and len(got) == 1 and len(calls) == 2
        decode.finish(work)
        assert got[1:] == [real(table[3]), real(table[3]), real(table[4])]
        assert len(calls) == 4  # rows 3 and 4, once each
        decode.finish(work)  # nothing left
        assert len(got) == 4
    finally:
        work.close()
