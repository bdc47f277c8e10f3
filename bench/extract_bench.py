"""Benchmark: `pluk extract` on a 1B-shape random-weight model over real Dutch reports.

Builds (once) a llama-architecture GGUF with TinyLlama-like dimensions (2048 wide, 22 layers,
Q4_0) and the real Qwen2 tokenizer from ../shared/vocab, so token counts and grammar cost are
those of a real model family, then runs `pluk extract` over the DRAGON Dutch sample reports twice:
one report at a time (the CPU default) and --parallel N at once. Reports reports/min, prompt
tokens evaluated per report (the shared prefix is evaluated once per run), and the peak
resident memory of the extraction process.

    .venv/bin/python bench/extract_bench.py [--reports N] [--task prostate_mri_nl] [--parallel 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared"
OUT = HERE / "out"
SAMPLE_REPORTS = SHARED / "dragon" / "sample_reports" / "dutch_sample_reports_dragon_format.json"


def build_model() -> Path:
    from pluk.core.models.random_model import ModelShape, build_random_gguf

    path = OUT / "bench-1b-q4_0-qwen2vocab.gguf"
    if not path.exists():
        started = time.perf_counter()
        shape = ModelShape(n_embd=2048, n_layer=22, n_head=32, n_head_kv=4, n_ff=5632,
                           quantization="Q4_0", context_length=8192)
        build_random_gguf(path, shape, vocab_path=SHARED / "vocab" / "ggml-vocab-qwen2.gguf")
        print(f"built {path.name} ({path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path


def run_extract(model: Path, reports: Path, task: str, limit: int, parallel: int) -> dict:
    out = OUT / f"run-parallel-{parallel}"
    if out.exists():
        for child in out.iterdir():
            child.unlink()
    cmd = [sys.executable, "-m", "pluk.cli", "extract", "--task", task, "--input", str(reports),
           "--model", str(model), "--out", str(out), "--limit", str(limit)]
    cmd += ["--parallel", str(parallel)]
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    used = [r for r in records if r["raw"] is not None]
    evaluated = [r["tokens_prompt"] - (r["tokens_cached"] or 0) for r in used]
    # Wall time of the answers: with several at once their own seconds overlap.
    seconds = min(sum(r["seconds"] for r in used), wall)
    return {
        "reports": len(records),
        "ok": sum(r["status"] == "ok" for r in records),
        "wall_s": wall,
        "reports_per_min": 60 * len(used) / seconds,
        "prompt_tokens_mean": statistics.mean(r["tokens_prompt"] for r in used),
        "evaluated_mean": statistics.mean(evaluated),
        "evaluated_after_first_mean": statistics.mean(evaluated[1:]) if len(evaluated) > 1 else 0,
        "output_tokens_mean": statistics.mean(r["tokens_output"] for r in used),
        "seconds_per_report": seconds / len(used),
    }


def parse_args(default_reports: int) -> argparse.Namespace | None:
    """--reports and --task; None (after saying why) when ../shared is missing."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=default_reports)
    parser.add_argument("--task", default="prostate_mri_nl")
    parser.add_argument("--parallel", type=int, default=2,
                        help="reports at once in the second run (extract_bench)")
    args = parser.parse_args()
    if not SHARED.is_dir():
        print("../shared is missing: the benchmark needs its vocabulary and reports")
        return None
    OUT.mkdir(exist_ok=True)
    return args


def write_result(name: str, lines: list[str]) -> None:
    """The result table, printed and kept in bench/out/NAME for BENCHMARKS.md."""
    text = "\n".join(lines)
    (OUT / name).write_text(text + "\n")
    print(text)


def main() -> int:
    args = parse_args(default_reports=10)
    if args is None:
        return 1
    model = build_model()
    reports = SAMPLE_REPORTS
    results = {}
    for parallel in (1, args.parallel):
        results[parallel] = run_extract(model, reports, args.task, args.reports, parallel)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    r, n = results[1], results[args.parallel]
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; date {date.today()}; model {model.name} "
        f"({model.stat().st_size / 1e6:.0f} MB); task {args.task}; {r['reports']} reports.",
        "",
        f"| | one at a time | {args.parallel} at once |",
        "|---|---|---|",
        f"| reports/min | {r['reports_per_min']:.2f} | {n['reports_per_min']:.2f} |",
        f"| seconds/report | {r['seconds_per_report']:.1f} | {n['seconds_per_report']:.1f} |",
        f"| prompt tokens per report (mean) | {r['prompt_tokens_mean']:.0f} | "
        f"{n['prompt_tokens_mean']:.0f} |",
        f"| prompt tokens evaluated per report (mean, all) | {r['evaluated_mean']:.0f} | "
        f"{n['evaluated_mean']:.0f} |",
        f"| prompt tokens evaluated per report (mean, after the first) | "
        f"{r['evaluated_after_first_mean']:.0f} | {n['evaluated_after_first_mean']:.0f} |",
        f"| output tokens per report (mean) | {r['output_tokens_mean']:.0f} | "
        f"{n['output_tokens_mean']:.0f} |",
        f"| ok records | {r['ok']}/{r['reports']} | {n['ok']}/{n['reports']} |",
        f"| wall time of `pluk extract` (incl. load, hash) | {r['wall_s']:.0f} s | "
        f"{n['wall_s']:.0f} s |",
        "",
        f"Peak resident memory of an extraction process: {peak_mb:.0f} MB.",
    ]
    write_result("extract_bench.md", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
