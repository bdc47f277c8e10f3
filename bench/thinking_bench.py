"""Benchmark: what a thinking budget costs, on a random-weight model whose chat template opens
a <think> block (as DeepSeek-R1 distills' do; no real thinking model can be had offline here).

Builds (once) a llama-architecture GGUF, 512 wide, 8 layers, F32, with Pluk's own small
vocabulary plus <think>/</think> control tokens and models/random_model.THINK_TEMPLATE, then
runs run_job over N short Dutch reports at each budget (default 0, 64, 256) with temperature 1
(a random model at temperature 0 loops at once, and the repeat guard ends its thinking after
16 tokens; sampling lets it think to the budget, as a real model would). Reports seconds per
report, thinking tokens per report (mean, max), how often the budget closed the block, the
answer tokens, and the context Pluk planned (the budget is reserved in it).

    .venv/bin/python bench/thinking_bench.py [--reports 4] [--budgets 0,64,256]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def build_model() -> Path:
    from pluk.core.models.random_model import (THINK_TEMPLATE, THINK_TOKENS, ModelShape,
                                               build_random_gguf)

    path = OUT / "bench-think-512x8-f32.gguf"
    if not path.exists():
        shape = ModelShape(n_embd=512, n_layer=8, n_head=8, n_head_kv=8, n_ff=1536)
        build_random_gguf(path, shape, chat_template=THINK_TEMPLATE, special_tokens=THINK_TOKENS)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=4)
    parser.add_argument("--budgets", default="0,64,256")
    args = parser.parse_args()
    from pluk.core.extraction.job import run_job
    from pluk.core.options import DecodingOptions, RunOptions
    from pluk.core.readers.reports import Report
    from pluk.core.runs.folder import RunFolder
    from pluk.core.tasks import load_task

    model = build_model()
    reports = [Report.from_text(id=f"r{i}", source="bench", format="txt",
                                text=f"MRI prostaat. PSA {i + 4},{i} ng/ml. Volume {30 + i} ml. "
                                     f"PI-RADS {i % 5 + 1} laesie in de perifere zone.")
               for i in range(args.reports)]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; {date.today()}; load average "
          f"{'/'.join(f'{x:.2f}' for x in os.getloadavg())}; model {model.name}; "
          f"{args.reports} reports, task prostate_mri_nl, temperature 1, seed 0")
    print("| budget | s/report | thinking tokens mean / max | budget hit | answer tokens "
          "mean | n_ctx planned | records parsed |")
    print("|---|---|---|---|---|---|---|")
    for budget in (int(b) for b in args.budgets.split(",")):
        out = Path(tempfile.mkdtemp()) / "run"
        options = RunOptions(decoding=DecodingOptions(thinking_budget=budget, temperature=1.0,
                                                      probabilities=False))
        started = time.perf_counter()
        result = run_job(load_task("prostate_mri_nl"), reports, model, out, options)
        wall = time.perf_counter() - started
        records = RunFolder(out).records()
        thought = [r.thinking.tokens if r.thinking else 0 for r in records]
        hit = sum(1 for r in records if r.thinking and r.thinking.budget_hit)
        parsed = sum(1 for r in records if r.status in ("ok", "invalid")
                     and "not valid JSON" not in (r.error or ""))
        seconds = statistics.mean(r.seconds for r in records)
        print(f"| {budget} | {seconds:.2f} | {statistics.mean(thought):.0f} / {max(thought)} | "
              f"{hit}/{len(records)} | {statistics.mean(r.tokens_output or 0 for r in records):.0f}"
              f" | {result.n_ctx} | {parsed}/{len(records)} |", flush=True)
        print(f"  (wall {wall:.1f} s incl. load and hash)", file=sys.stderr)


if __name__ == "__main__":
    main()
