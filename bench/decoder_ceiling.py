"""Benchmark: the decoder's own cost per decode step, with llama.cpp's decode replaced by a
stand-in that costs nothing. This is the ceiling a GPU meets: when a 64-sequence step of the
model takes 23 ms on the GPU (the GPU issue's measurement), whatever the decoder spends between
two decodes in Python comes on top, and is all that is left to win.

The model is a one-layer random model with the Qwen2 vocabulary (152k tokens, ../shared/vocab),
so the grammar, masks and vocabulary passes cost what they cost for Qwen2.5; its llama_decode is
never called. The stand-in hands back logit rows:

- "random": rows of random numbers, so the model's choice is almost never allowed and every
  step computes a full grammar mask (the worst case);
- "model-like": the same run again, each row's top token set to the token the random run
  chose there, so the choice is allowed at once, as a trained model's usually is.

Reports: the English MRI set repeated, 2 x parallel of them, task prostate_mri_nl, answers cut
at --max-tokens. ms_per_step is the decoder's wall time over its decode calls (prompt batches
included, each a call), measured after the shared prefix is in place.

    PYTHONPATH=desktop:. .venv/bin/python bench/decoder_ceiling.py --parallel 64

--threads (default: the machine's CPUs) is the decoder's n_threads_batch, which is also how
many threads its per-step passes over whole rows use (engine/rows.py); llguidance's masks use
the machine's CPUs whatever it is.

The last line is a JSON object with "parallel", "threads" and "ms_per_step" (the random case)
and "ms_per_step_model_like".
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
VOCAB = REPO.parent / "shared" / "vocab" / "ggml-vocab-qwen2.gguf"
MODEL = Path("/tmp/pluk-bench/ceiling-qwen2vocab.gguf")
# The model-like case's top logit: far above the random rows' N(0, 1) values, as a confident
# model's choice is, and still an ordinary number for exp() (a huge one makes every other
# term underflow, which slows the log-sum-exp of the decisions several times).
MODEL_TOP = 20.0
# Random rows the stand-in's tables are cut from (195 MB on the Qwen2 vocabulary).
POOL_ROWS = 320


def _model() -> Path:
    from pluk.core.models.random_model import ModelShape, build_random_gguf

    if not MODEL.exists():
        build_random_gguf(MODEL, ModelShape(n_embd=64, n_layer=1, n_head=4, n_head_kv=4,
                                            n_ff=128), vocab_path=VOCAB)
    return MODEL


def _reports(n: int):
    from pluk.core.readers.reports import Report
    from tests.support.english_mri import reports

    base = reports()
    return [Report.from_text(id=f"r{i:03d}", source="bench", format="txt",
                             text=base[i % len(base)].text) for i in range(n)]


def _run(parallel: int, max_tokens: int, chosen: dict[str, list[int]] | None, threads: int):
    """One pass of the decoder over 2 x parallel reports; with `chosen`, each step's row has the
    token the random run chose on top."""
    from pluk.core.engine import batch as batches
    from pluk.core.engine.decoder import Decoder, DecoderOptions
    from tests.core.engine.conftest import build_requests, prostate_task

    rng = np.random.default_rng(0)
    decoder = Decoder(_model(), DecoderOptions(n_ctx=2048, parallel=parallel, n_threads=threads,
                                               n_threads_batch=threads))
    n_vocab = decoder._ctx.n_vocab
    # The stand-in's logits tables: windows of one pool of random rows, shifted by a row per
    # decode (a view, as llama.cpp's own table is), so rows differ between steps and slots.
    pool = rng.standard_normal((POOL_ROWS, n_vocab), dtype=np.float32)
    batch = decoder._batch
    calls = {"n": 0}

    def decode(batch, abort=None) -> int:
        calls["n"] += 1
        return 0

    def outputs() -> np.ndarray:
        n = batch.n_outputs
        if n > POOL_ROWS:
            raise RuntimeError("the stand-in's pool is too small for this batch")
        start = calls["n"] % (POOL_ROWS - n + 1)
        return pool[start:start + n]

    prompt, requests = build_requests(decoder, prostate_task(), _reports(2 * parallel),
                                      max_tokens=max_tokens)
    decoder.grammar(requests[0].grammar.gbnf)  # compiled once per run, before the clock
    decoder._ctx.decode = decode
    decoder._ctx.outputs = outputs
    advance = batches.advance
    if chosen is not None:
        # Before the slots read a decode's rows, each answer's step row gets the token the
        # random run chose there on top; the rows are restored after the step.
        def advance_model_like(plan, ctx, masks, work):
            table = outputs()
            changed: list[tuple[np.ndarray, int, float]] = []
            for entry in plan.entries:
                slot, last = entry.slot, entry.count - 1
                tokens = chosen.get(slot.request.id, [])
                k = len(slot.output)
                steps = slot.finish is None and not slot.thinking and last in entry.rows and (
                    entry.kind == "answer" or entry.count == len(slot.prompt))
                if steps and k < len(tokens):
                    row = table[entry.rows[last]]
                    changed.append((row, tokens[k], float(row[tokens[k]])))
                    row[tokens[k]] = MODEL_TOP
            try:
                return advance(plan, ctx, masks, work)
            finally:
                for row, token, before in reversed(changed):
                    row[token] = before

        batches.advance = advance_model_like
    try:
        calls_before = decoder.stats.decode_calls
        started = time.perf_counter()
        results = list(decoder.extract(prompt, requests))
        wall = time.perf_counter() - started
    finally:
        batches.advance = advance
    steps = decoder.stats.decode_calls - calls_before
    stats = decoder.stats
    decoder.close()
    return results, {"steps": steps, "wall_s": round(wall, 3),
                     "ms_per_step": round(1e3 * wall / max(1, steps), 3),
                     "masks_computed": stats.masks_computed,
                     "sampled_tokens": stats.sampled_tokens,
                     "forced_tokens": stats.forced_tokens,
                     "answers": len(results)}


def main() -> int:
    sys.path.insert(0, str(REPO))
    parser = argparse.ArgumentParser()
    parser.add_argument("--parallel", type=int, default=64)
    parser.add_argument("--max-tokens", type=int, default=96)
    # The decoder's row passes use n_threads_batch threads (all cores idle between decodes).
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    load = os.getloadavg()
    results, random_case = _run(args.parallel, args.max_tokens, None, args.threads)
    print(json.dumps({"case": "random", **random_case}), flush=True)
    chosen = {r.id: list(r.output_tokens) for r in results}
    again, model_like = _run(args.parallel, args.max_tokens, chosen, args.threads)
    same = {r.id: r.text for r in again} == {r.id: r.text for r in results}
    print(json.dumps({"case": "model-like", **model_like, "same_answers": same}), flush=True)
    print(json.dumps({"parallel": args.parallel, "threads": args.threads,
                      "ms_per_step": random_case["ms_per_step"],
                      "ms_per_step_model_like": model_like["ms_per_step"],
                      "load_before": [round(x, 2) for x in load],
                      "load_after": [round(x, 2) for x in os.getloadavg()]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
