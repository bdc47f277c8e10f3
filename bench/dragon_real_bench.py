"""Benchmark: real models (SmolLM2-135M-Instruct, Gemma 3 270M) on the synthetic DRAGON fold 0.

Each of the nine synthetic tasks is cut to its first N test reports (file order, so the cut is
a plain sample, not the easiest cases) with the ground truth cut to the same uids; `pluk dragon
run` answers them zero-shot on one thread, and both `pluk dragon evaluate` and the official
dragon_eval 0.2.11 score the result. Reports the score per task and overall, both scorers'
largest difference, and seconds per report.

    PYTHONPATH=. .venv/bin/python bench/dragon_real_bench.py --model smollm2 --per-task 20
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = REPO.parent / "shared"
OUT = HERE / "out"
TASKS = ("Task101_Example_sl_bin_clf", "Task102_Example_sl_mc_clf", "Task103_Example_mednli",
         "Task104_Example_ml_bin_clf", "Task105_Example_ml_mc_clf", "Task106_Example_sl_reg",
         "Task107_Example_ml_reg", "Task108_Example_sl_ner", "Task109_Example_ml_ner")


def main() -> int:
    sys.path.insert(0, str(REPO))
    from pluk.core.dragon.evaluate import evaluate_folder
    from tests.support.dragon_folds import cut_fold
    from tests.support.real_models import fetch

    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=("smollm2", "gemma3"), default="smollm2")
    parser.add_argument("--per-task", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    synthetic = SHARED / "dragon" / "synthetic"
    if not synthetic.is_dir():
        print("../shared/dragon/synthetic is missing")
        return 1
    model = fetch(args.model)
    root = OUT / f"dragon-{args.model}-{args.per_task}"
    if root.exists():
        subprocess.run(["rm", "-rf", str(root)], check=True)
    for task in TASKS:
        cut_fold(synthetic, task, root, args.per_task, shortest=False)
    load = os.getloadavg()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pluk.cli", "dragon", "run", str(root / "input"),
                    "--model", str(model), "--out", str(root / "out"),
                    "--threads", str(args.threads)], check=True)
    seconds = time.perf_counter() - started
    ours = evaluate_folder(root / "out", root / "ground-truth", folds=[0])
    official_file = root / "dragon_eval_metrics.json"
    subprocess.run([sys.executable, "-m", "dragon_eval", "--ground-truth-path",
                    str(root / "ground-truth"), "--predictions-path", str(root / "out"),
                    "--output-file", str(official_file), "--folds", "0"], check=True,
                   capture_output=True)
    official = json.loads(official_file.read_text())
    result = {"model": args.model, "per_task": args.per_task, "threads": args.threads,
              "seconds": seconds, "reports": args.per_task * len(TASKS),
              "load_before": load, "load_after": os.getloadavg(), "pluk": ours,
              "dragon_eval": official, "date": str(date.today()),
              "machine": f"{platform.machine()}, {os.cpu_count()} CPUs"}
    (OUT / f"dragon-{args.model}-{args.per_task}.json").write_text(json.dumps(result, indent=1))
    print(json.dumps({"seconds_per_report": seconds / result["reports"],
                      "dragon_eval_aggregates": official.get("aggregates")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
