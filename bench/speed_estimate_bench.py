"""Benchmark: how fast this CPU reads a prompt and writes an answer token, per model size, and
how far the catalogue's speed estimate (pluk.core.models.speed) is from a real run.

Per model: a 400-token prompt decoded in one batch (prompt reading), then 64 one-token steps
(answer writing), each timed in-process on Pluk's own native context, the prompt timed three
times and the steps 64 times (medians). Then `pluk extract`'s own loop over the 14 English MRI
reports (prostate_mri_nl, n_ctx 2048): the measured seconds per report beside the estimate.

    PYTHONPATH=desktop:. .venv/bin/python bench/speed_estimate_bench.py [--random-1b]

`--random-1b` adds a random-weight model of Qwen2.5-0.5B's shape (896 wide, 24 layers, Q4_0,
Pluk's small vocabulary), built once under /tmp.
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


def _time_model(path: Path, threads: int) -> dict:
    from pluk.core.engine.decoder import Decoder, DecoderOptions
    from pluk.core.engine.native import Batch
    from pluk.core.extraction.loop import run_extraction
    from pluk.core.models.speed import reports_per_minute, seconds_per_report
    from pluk.core.tasks import load_task
    from tests.support.english_mri import reports

    size = path.stat().st_size
    with Decoder(path, DecoderOptions(n_ctx=2048, n_threads=threads,
                                      n_threads_batch=threads)) as decoder:
        ctx = decoder._ctx
        text = " ".join(r.text for r in reports())
        tokens = (decoder.tokenize(text) * 4)[:400]
        batch = Batch(512)
        prompt_times = []
        for _ in range(3):
            ctx.seq_rm(1, -1, -1)
            batch.clear()
            for i, token in enumerate(tokens):
                batch.add(token, i, 1, i == len(tokens) - 1)
            started = time.perf_counter()
            assert ctx.decode(batch) == 0
            prompt_times.append(time.perf_counter() - started)
        step_times = []
        for k in range(64):
            batch.clear()
            batch.add(tokens[k], len(tokens) + k, 1, True)
            started = time.perf_counter()
            assert ctx.decode(batch) == 0
            step_times.append(time.perf_counter() - started)
        batch.free()
        ctx.seq_rm(1, -1, -1)
        task = load_task("prostate_mri_nl")
        list(run_extraction(task, reports()[:1], decoder))  # the prefix, once
        started = time.perf_counter()
        records = list(run_extraction(task, reports(), decoder))
        per_report = (time.perf_counter() - started) / len(records)
    prompt_s = statistics.median(prompt_times) / len(tokens)
    step_s = statistics.median(step_times)
    estimate = reports_per_minute(size, threads)
    prompt_tokens = statistics.mean(r.tokens_prompt - r.tokens_cached for r in records)
    answer_tokens = statistics.mean(r.tokens_output for r in records)
    these = 60 / seconds_per_report(size, threads, prompt_tokens, answer_tokens)
    return {"model": path.name, "bytes": size, "threads": threads,
            "prompt_ms_per_token": round(prompt_s * 1e3, 3),
            "answer_ms_per_token": round(step_s * 1e3, 2),
            "prompt_s_per_byte_core": f"{prompt_s * threads / size:.3g}",
            "answer_s_per_byte_core": f"{step_s * threads / size:.3g}",
            "measured_reports_per_min": round(60 / per_report, 1),
            "estimated_for_these_reports": round(these, 1),
            "estimated_for_a_typical_report": round(estimate, 1),
            "prompt_tokens_mean": round(statistics.mean(
                r.tokens_prompt - r.tokens_cached for r in records)),
            "answer_tokens_mean": round(statistics.mean(r.tokens_output for r in records))}


def main() -> int:
    sys.path.insert(0, str(REPO))
    from pluk.core.models.hardware import default_threads
    from tests.support.real_models import fetch

    parser = argparse.ArgumentParser()
    parser.add_argument("--random-1b", action="store_true")
    args = parser.parse_args()
    threads = default_threads()
    paths = [fetch("smollm2"), fetch("gemma3")]
    if args.random_1b:
        from pluk.core.models.random_model import ModelShape, build_random_gguf

        big = Path("/tmp/pluk-bench/qwen05b-shape-q4_0.gguf")
        if not big.exists():
            build_random_gguf(big, ModelShape(n_embd=896, n_layer=24, n_head=14, n_head_kv=2,
                                              n_ff=4864, quantization="Q4_0"))
        paths.append(big)
    load = os.getloadavg()
    rows = []
    for path in paths:
        rows.append(_time_model(path, threads))
        print(json.dumps(rows[-1]), flush=True)
    print(json.dumps({"rows": rows, "load_before": load, "load_after": os.getloadavg()},
                     indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
