"""Benchmark: what one llama_decode costs on this machine by its shape, on Pluk's native context
(engine/native.py) after a 500-token prompt: one token with and without logits, one token of
each of 2 and 4 sequences at once, and 8 or 64 tokens of one sequence. It explains the decoder's
floors in BENCHMARKS.md (the output layer's share of a step; how little batching several
answers gains on a CPU at one thread).

    PYTHONPATH=desktop:. .venv/bin/python bench/step_cost_bench.py --model PATH [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    sys.path.insert(0, str(REPO / "desktop"))
    from pluk.core.engine.native import Batch, NativeContext, NativeModel

    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    load = os.getloadavg()
    model = NativeModel(args.model)
    ctx = NativeContext(model, n_ctx=8192, n_batch=512, n_seq_max=5, n_threads=args.threads,
                        n_threads_batch=args.threads, flash_attn=False)
    batch = Batch(512)
    for i in range(500):
        batch.add(100 + i % 50, i, 1, i == 499)
    assert ctx.decode(batch) == 0
    for seq in range(2, 5):
        ctx.seq_cp(1, seq)

    def median_ms(seqs: int, tokens: int, logits: int) -> float:
        """One decode of `tokens` tokens in each of `seqs` sequences, the last `logits` of each
        with logits; the tokens are removed again after each timing."""
        spent = []
        for _ in range(args.repeat):
            batch.clear()
            for seq in range(1, seqs + 1):
                for i in range(tokens):
                    batch.add(200 + i % 7, 500 + i, seq, i >= tokens - logits)
            started = time.perf_counter()
            if ctx.decode(batch) != 0:
                raise RuntimeError("llama_decode failed")
            spent.append(time.perf_counter() - started)
            for seq in range(1, seqs + 1):
                ctx.seq_rm(seq, 500, -1)
        return round(1000 * statistics.median(spent), 2)

    result = {"model": args.model.name, "threads": args.threads, "ms": {
        "1 token, logits": median_ms(1, 1, 1),
        "1 token, no logits": median_ms(1, 1, 0),
        "2 sequences x 1 token, logits": median_ms(2, 1, 1),
        "2 sequences x 1 token, no logits": median_ms(2, 1, 0),
        "4 sequences x 1 token, logits": median_ms(4, 1, 1),
        "4 sequences x 1 token, no logits": median_ms(4, 1, 0),
        "8 tokens, logits at the last": median_ms(1, 8, 1),
        "8 tokens, logits at all": median_ms(1, 8, 8),
        "64 tokens, logits at the last": median_ms(1, 64, 1),
    }, "load_before": load, "load_after": os.getloadavg()}
    ctx.close()
    model.close()
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
