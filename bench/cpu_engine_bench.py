"""Benchmark (issue 22): what each way of building and running llama.cpp's CPU code costs on
this machine, as speeds relative to the README's install (a native build, extra buffer types
on), all measured in one run.

The ways:
- native: the README's install (-march=native, AMX off; on a CPU without AMX the same code
  as a plain native build);
- native, no extra buffer types: the load probe's fallback where the default crashes (no AMX
  buffers, and no CPU weight repacking);
- the installer's engine (GGML_BACKEND_DL, all CPU variants), when --variants DIR names a
  folder holding its unpacked llama_cpp package: the variant Pluk picks for this CPU, and the
  lower ones forced with PLUK_CPU_VARIANT (haswell is the AVX2-only level that the installers
  shipped before).

Each way runs in a child process of its own: load the model, decode a 256-token prompt in one
batch, then 32 steps of one token, twice (the better of two), with the given threads.

    PYTHONPATH=desktop:. .venv/bin/python bench/cpu_engine_bench.py --model gemma3
        [--variants /tmp/dlwheel] [--threads 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROMPT, STEPS = 256, 32


def child(model: str, threads: int, extra_bufts: bool) -> dict:
    from pluk.core.engine.native import Batch, NativeContext, NativeModel
    from pluk.core.models.backends import describe

    native = NativeModel(model, extra_bufts=extra_bufts)
    ctx = NativeContext(native, n_ctx=1024, n_batch=512, n_seq_max=1, n_threads=threads,
                        n_threads_batch=threads, flash_attn=False)
    batch = Batch(512)
    best_prompt = best_step = float("inf")
    for _ in range(2):
        ctx.seq_rm(0)
        batch.clear()
        for pos in range(PROMPT):
            batch.add(100 + pos, pos, 0, pos == PROMPT - 1)
        started = time.perf_counter()
        assert ctx.decode(batch) == 0
        best_prompt = min(best_prompt, time.perf_counter() - started)
        started = time.perf_counter()
        for step in range(STEPS):
            batch.clear()
            batch.add(200 + step, PROMPT + step, 0, True)
            assert ctx.decode(batch) == 0
        best_step = min(best_step, (time.perf_counter() - started) / STEPS)
    return {"engine": describe().summary(), "prompt_tok_s": round(PROMPT / best_prompt, 1),
            "step_ms": round(best_step * 1000, 2)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="gemma3")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--variants", help="folder with the installer engine's llama_cpp")
    parser.add_argument("--child", nargs=2, metavar=("MODEL", "EXTRA_BUFTS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.threads, args.child[1] == "1")))
        return 0
    model = args.model
    if model in ("gemma3", "smollm2"):
        sys.path.insert(0, str(REPO))
        from tests.support.real_models import fetch

        model = str(fetch(model))
    base = {**os.environ, "PYTHONPATH": f"{REPO / 'desktop'}{os.pathsep}{REPO}"}
    base.pop("PLUK_CPU_VARIANT", None)
    ways = [("native", base, "1"), ("native, no extra buffer types", base, "0")]
    if args.variants:
        dl = {**base, "PYTHONPATH": f"{args.variants}{os.pathsep}{base['PYTHONPATH']}"}
        ways.append(("installer engine, Pluk's choice", dl, "1"))
        for variant in ("icelake", "skylakex", "haswell"):
            ways.append((f"installer engine, {variant}", {**dl, "PLUK_CPU_VARIANT": variant}, "1"))
    rows = []
    for name, env, extra in ways:
        done = subprocess.run([sys.executable, __file__, "--threads", str(args.threads),
                               "--child", model, extra], env=env, capture_output=True,
                              text=True)
        if done.returncode != 0:
            rows.append({"way": name, "error": done.stderr.strip().splitlines()[-1:]})
            continue
        rows.append({"way": name, **json.loads(done.stdout.strip().splitlines()[-1])})
    ref = rows[0]
    for row in rows:
        if "prompt_tok_s" in row and "prompt_tok_s" in ref:
            row["prompt_vs_native"] = round(row["prompt_tok_s"] / ref["prompt_tok_s"], 2)
            row["step_vs_native"] = round(ref["step_ms"] / row["step_ms"], 2)
    print(json.dumps({"model": Path(model).name, "threads": args.threads, "ways": rows},
                     indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
