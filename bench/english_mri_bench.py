"""Benchmark: accuracy of a real model on the small labelled English MRI set
(tests/support/english_mri.py, 14 invented reports) with the prostate_mri_nl task, whether each
bool/enum field's most probable option is the answered one, and seconds per report.

    PYTHONPATH=. .venv/bin/python bench/english_mri_bench.py --model smollm2|gemma3
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    sys.path.insert(0, str(REPO))
    from pluk.core.engine.decoder import Decoder, DecoderOptions
    from pluk.core.extraction.loop import run_extraction
    from pluk.core.tasks import load_task
    from tests.support.english_mri import labels, reports
    from tests.support.real_models import fetch

    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=("smollm2", "gemma3"), default="smollm2")
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    truth = labels()
    correct: dict[str, int] = {name: 0 for name in next(iter(truth.values()))}
    agree = disagree = 0
    seconds = []
    load = os.getloadavg()
    options = DecoderOptions(n_ctx=2048, n_threads=args.threads, n_threads_batch=args.threads)
    with Decoder(fetch(args.model), options) as eng:
        task = load_task("prostate_mri_nl")
        started = time.perf_counter()
        for record in run_extraction(task, reports(), eng):
            seconds.append(record.seconds)
            fields = record.fields or {}
            for name, value in truth[record.id].items():
                correct[name] += fields.get(name) == value
            for name, options in record.probabilities.items():
                value = fields.get(name)
                key = "null" if value is None else (
                    str(value).lower() if isinstance(value, bool) else value)
                if max(options, key=options.get) == key:
                    agree += 1
                else:
                    disagree += 1
        wall = time.perf_counter() - started
    print(json.dumps({"model": args.model, "reports": len(seconds), "correct": correct,
                      "most_probable_is_answer": f"{agree}/{agree + disagree}",
                      "seconds_per_report": round(wall / len(seconds), 2),
                      "first_report_s": round(seconds[0], 2), "load_before": load,
                      "load_after": os.getloadavg()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
