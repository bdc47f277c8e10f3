"""What the option probabilities of a report's bool/enum fields cost, on the 1B-shape random
model of extract_bench.py: the same reports with the decisions read and without.

The decoder reads a decision from the logits that choose the value as the answer is written,
and evaluates side tokens only for options the answer's own tokens did not pass through; the
answers are the same either way. Runs in-process on the DRAGON sample reports.

    python bench/scoring_bench.py --reports 4      # writes bench/out/scoring_bench.md
"""

from __future__ import annotations

import os
import platform
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
    from pluk.core.engine.decoder import Decoder, DecoderOptions
    from pluk.core.extraction.loop import run_extraction
    from pluk.core.options import DecodingOptions, RunOptions
    from pluk.core.readers import read_inputs
    from pluk.core.tasks import load_task_file

    model = build_model()
    task = load_task_file(REPO / "tasks" / f"{args.task}.json")
    reports = [r for r in read_inputs([str(SAMPLE_REPORTS)]) if r.text][: args.reports]
    runs = {}
    with Decoder(model, DecoderOptions(n_ctx=4096)) as engine:
        for scored in (False, True):
            options = RunOptions(decoding=DecodingOptions(probabilities=scored))
            before = engine.stats.model_copy()
            started = time.perf_counter()
            records = list(run_extraction(task, reports, engine, options))
            stats = engine.stats.model_copy()
            runs[scored] = dict(seconds=time.perf_counter() - started, records=records,
                                side=stats.side_tokens - before.side_tokens,
                                decodes=stats.decode_calls - before.decode_calls)
    same = [r.raw for r in runs[True]["records"]] == [r.raw for r in runs[False]["records"]]
    n = len(reports)
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; date {date.today()}; model {model.name}; task "
        f"{args.task}; {n} reports; command `python bench/scoring_bench.py --reports "
        f"{args.reports}`.",
        "",
        "| per report (mean) | without probabilities | with |",
        "|---|---|---|",
        f"| seconds | {runs[False]['seconds'] / n:.2f} | {runs[True]['seconds'] / n:.2f} |",
        f"| decode calls | {runs[False]['decodes'] / n:.0f} | {runs[True]['decodes'] / n:.0f} |",
        f"| side tokens evaluated | {runs[False]['side'] / n:.1f} | "
        f"{runs[True]['side'] / n:.1f} |",
        "",
        f"The same answers both ways: {'yes' if same else 'NO'}.",
    ]
    write_result("scoring_bench.md", lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
