"""Answers fingerprint: decodes the English MRI reports with the suite's two real models in
seven configurations and writes every answer (text, tokens, finish reason, decision
probabilities, decode counts) to one JSON file. Run it before and after a decoder change and
compare the two files: a change that should not alter answers must leave them byte for byte
equal.

    PYTHONPATH=desktop:. .venv/bin/python bench/answers_dump.py OUT.json

Not a speed benchmark: it times nothing. It needs the real models
(`python -m tests.support.real_models`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.core.engine.conftest import build_requests, list_task, make_decoder, prostate_task
from tests.support.english_mri import reports as english_reports
from pluk.core.readers.reports import Report
from tests.support.real_models import fetch

# (model, task, options): temperature 0 and 0.8, parallel 1/3/4, a shared cache, prompts mixed
# into the answers' batch.
CONFIGS = [
    ("smollm2", "prostate", dict(parallel=1)),
    ("smollm2", "prostate", dict(parallel=3)),
    ("smollm2", "list", dict(parallel=4, temperature=0.8, seed=7)),
    ("smollm2", "prostate", dict(parallel=4, kv_unified=True, isolate_prompts=False)),
    ("gemma", "prostate", dict(parallel=1)),
    ("gemma", "list", dict(parallel=3)),
    ("gemma", "prostate", dict(parallel=4, temperature=0.8, seed=3)),
]


def _reports():
    chosen = english_reports()[:7]
    # Every third report carries a decimal the guard must find in the text.
    for index, report in enumerate(chosen):
        if index % 3 == 0:
            chosen[index] = Report.from_text(id=report.id, source=report.source,
                                             format=report.format,
                                             text=report.text + "\nPSA 9,7")
    return chosen


def main(out: str) -> None:
    models = {"smollm2": fetch("smollm2"), "gemma": fetch("gemma3")}
    tasks = {"prostate": prostate_task(), "list": list_task()}
    reports = _reports()
    dump = {}
    for model, task, options in CONFIGS:
        decoder = make_decoder(models[model], **options)
        try:
            prompt, requests = build_requests(decoder, tasks[task], reports)
            for result in decoder.extract(prompt, requests):
                key = f"{model}/{task}/{json.dumps(options, sort_keys=True)}/{result.id}"
                dump[key] = dict(text=result.text, tokens=result.output_tokens,
                                 finish=result.finish_reason, probabilities=result.probabilities,
                                 stats=result.stats.model_dump())
        finally:
            decoder.close()
    Path(out).write_text(json.dumps(dump, indent=1, sort_keys=True))
    print(f"{len(dump)} answers written to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
