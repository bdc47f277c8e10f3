"""Benchmark: what self-consistency (--passes N) costs against one pass, and what it changes.

SmolLM2 (the real 135M model) on the 14 labelled English MRI reports (tests/support/english_mri.py)
with the prostate_mri_nl task, n_ctx 2048, temperature 0 for the first pass (the others sample
at 0.7, each its own seed). One engine per `--parallel`, so each pair of rows (1 pass, N passes)
shares its engine and its warm prompt prefix; wall seconds cover the whole run. Also: fields
right against the labels, and how many values were kept by fewer than all N answers.

    PYTHONPATH=desktop:. .venv/bin/python bench/passes_bench.py --passes 5 --parallel 1 5
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    sys.path.insert(0, str(REPO))
    from pluk.core.engine.decoder import Decoder, DecoderOptions
    from pluk.core.extraction.loop import run_extraction
    from pluk.core.options import DecodingOptions, RunOptions
    from pluk.core.tasks import load_task
    from tests.support.english_mri import labels, reports
    from tests.support.real_models import fetch

    parser = argparse.ArgumentParser()
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--parallel", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    truth = labels()
    task = load_task("prostate_mri_nl")
    rows = []
    load = os.getloadavg()
    for parallel in args.parallel:
        options = DecoderOptions(n_ctx=2048, n_threads=args.threads,
                                 n_threads_batch=args.threads, parallel=parallel)
        with Decoder(fetch("smollm2"), options) as engine:
            list(run_extraction(task, reports()[:1], engine))  # warm: the prefix is cached
            for passes in (1, args.passes):
                run = RunOptions(decoding=DecodingOptions(passes=passes))
                started = time.perf_counter()
                records = list(run_extraction(task, reports(), engine, run))
                wall = time.perf_counter() - started
                right = total = 0
                split: Counter = Counter()
                for record in records:
                    fields = record.fields or {}
                    for name, value in truth[record.id].items():
                        right += fields.get(name) == value
                        total += 1
                    for name, agreed in (record.agreement or {}).items():
                        split["all agreed" if agreed == passes else "fewer"] += 1
                rows.append({"parallel": parallel, "passes": passes, "reports": len(records),
                             "wall_s": round(wall, 1),
                             "s_per_report": round(wall / len(records), 2),
                             "right": f"{right}/{total}", "agreement": dict(split),
                             "tied_null": sum("passes tie" in e for r in records
                                              for e in r.field_errors.values())})
                print(json.dumps(rows[-1]), flush=True)
    base = {r["parallel"]: r["wall_s"] for r in rows if r["passes"] == 1}
    for row in rows:
        row["cost_vs_1_pass_same_parallel"] = round(row["wall_s"] / base[row["parallel"]], 2)
    print(json.dumps({"rows": rows, "load_before": load, "load_after": os.getloadavg()},
                     indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
