"""Where the time of one report goes: prompt, generation, and the probability scoring of its
bool/enum fields, on the 1B-shape random model of extract_bench.py.

Runs the pipeline in-process on the DRAGON sample reports and times every llama.cpp eval call,
so the cost of scoring (and of each multi-token batch it evaluates) is measured, not guessed.

    python bench/scoring_bench.py --reports 4      # writes bench/out/scoring_bench.md
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from extract_bench import (REPO, SAMPLE_REPORTS, build_model, parse_args,  # noqa: E402
                           write_result)


def main() -> int:
    args = parse_args(default_reports=4)
    if args is None:
        return 1
    from pluk.core.engine.llama import LlamaEngine
    from pluk.core.extraction.loop import run_extraction
    from pluk.core.options import HardwareOptions, RunOptions
    from pluk.core.readers import read_inputs
    from pluk.core.tasks import load_task_file

    model = build_model()
    task = load_task_file(REPO / "tasks" / f"{args.task}.json")
    reports = [r for r in read_inputs([str(SAMPLE_REPORTS)]) if r.text][: args.reports]
    engine = LlamaEngine(model, 4096, HardwareOptions(n_threads=os.cpu_count()))

    evals: list[tuple[int, float, str]] = []  # (tokens, seconds, phase)
    phase = ["generate"]
    raw_eval = engine._llm.eval

    def timed_eval(tokens):
        started = time.perf_counter()
        raw_eval(tokens)
        evals.append((len(tokens), time.perf_counter() - started, phase[0]))

    engine._llm.eval = timed_eval
    raw_probs = engine.option_probabilities

    def timed_probs(*a, **k):
        phase[0] = "score"
        try:
            return raw_probs(*a, **k)
        finally:
            phase[0] = "generate"

    engine.option_probabilities = timed_probs
    rows = []
    mark = 0
    for record in run_extraction(task, reports, engine, RunOptions()):
        mine, mark = evals[mark:], len(evals)
        score = [e for e in mine if e[2] == "score"]
        generate = [e for e in mine if e[2] == "generate"]
        rows.append({
            "seconds": record.seconds,
            "prompt_eval_s": sum(s for n, s, _ in generate if n > 1),
            "decode_s": sum(s for n, s, _ in generate if n == 1),
            "decodes": sum(1 for n, _, _ in generate if n == 1),
            "score_s": sum(s for _, s, _ in score),
            "score_evals": len(score),
            "score_batches": [(n, s) for n, s, _ in score if n > 1],
        })
    mean = lambda key: statistics.mean(r[key] for r in rows)  # noqa: E731
    batches = [b for r in rows for b in r["score_batches"]]
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; date {date.today()}; model {model.name}; task "
        f"{args.task}; {len(rows)} reports; command `python bench/scoring_bench.py --reports "
        f"{args.reports}`.",
        "",
        "| per report (mean) | |",
        "|---|---|",
        f"| total seconds (record.seconds) | {mean('seconds'):.1f} |",
        f"| prompt evaluation | {mean('prompt_eval_s'):.1f} s |",
        f"| generation: decode steps | {mean('decodes'):.0f} x "
        f"{mean('decode_s') / max(mean('decodes'), 1):.3f} s |",
        f"| probability scoring | {mean('score_s'):.2f} s in {mean('score_evals'):.0f} evals |",
        f"| scoring batches of more than one token | {len(batches)} in all: "
        + (", ".join(f"{n} tokens {s:.2f} s" for n, s in batches) or "none") + " |",
    ]
    write_result("scoring_bench.md", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
