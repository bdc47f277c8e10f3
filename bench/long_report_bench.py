"""Benchmark: a report longer than the context, read in sections (issue 17, item 1).

The clinical letter of tests/core/test_real_long_reports.py (filler paragraphs, the PSA stated
only in its last line) at K times the context, extracted with the real model; prints, per run,
whether the PSA came out right, what each section answered, and the cost of splitting in
tokens: the tokens evaluated for the split report (every section's prompt suffix, report part
and answer; the shared prefix once) against the report's own tokens.

    PYTHONPATH=. .venv/bin/python bench/long_report_bench.py --model smollm2 --times 3 5
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "desktop"))


def main() -> int:
    from pluk.core.extraction.loop import run_extraction
    from pluk.core.readers.reports import Report
    from pluk.core.tasks.loader import parse_task
    from tests.core.test_real_long_reports import TASK, letter
    from tests.support.decoders import open_decoder
    from tests.support.real_models import fetch

    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="smollm2", help="smollm2 or gemma3")
    parser.add_argument("--n-ctx", type=int, default=1024)
    parser.add_argument("--times", type=float, nargs="+", default=[3.0])
    args = parser.parse_args()
    task = parse_task(TASK, "memory")
    with open_decoder(fetch(args.model), args.n_ctx) as engine:
        for times in args.times:
            text = letter(int(times * args.n_ctx), engine.count_tokens)
            report = Report.from_text(id="letter", source="bench", format="txt", text=text)
            load = os.getloadavg()[0]
            started = time.perf_counter()
            (record,) = run_extraction(task, [report], engine)
            seconds = time.perf_counter() - started
            split = record.split
            evaluated = (record.tokens_prompt or 0) - (record.tokens_cached or 0) + (
                record.tokens_output or 0)
            print(json.dumps({
                "model": args.model, "n_ctx": args.n_ctx, "times_context": times,
                "report_tokens": split.report_tokens if split else None,
                "sections": len(split.sections) if split else 1,
                "section_tokens": [s.tokens for s in split.sections] if split else None,
                "psa": record.fields.get("psa") if record.fields else None,
                "right": bool(record.fields) and record.fields.get("psa") == 7.3,
                "answers": record.raw, "tokens_evaluated": evaluated,
                "evaluated_over_report": round(evaluated / split.report_tokens, 3)
                if split else None,
                "seconds": round(seconds, 1), "load": round(load, 2),
                "warnings": record.warnings}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
