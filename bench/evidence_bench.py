"""Benchmark: how many values Pluk grounds in the report text (evidence status exact, fuzzy,
not_found) and what finding the evidence costs per report.

Three sets: the 14 labelled English MRI reports (tests/support/english_mri.py, task
prostate_mri_nl), the 28 Dutch DRAGON sample reports (each with its task from tasks/dragon) and
the first N test reports of each synthetic DRAGON task (Task101-109). For each set two sources
of values are aligned: the reference labels ("gold": what a perfect model would answer; NER
labels are token tags and are left out) and a real model's answers ("model": SmolLM2 or
Gemma 3, zero-shot, one thread). Evidence is timed on its own (find_evidence per report), apart
from the model's seconds.

    PYTHONPATH=. .venv/bin/python bench/evidence_bench.py --model smollm2 --per-task 5
    PYTHONPATH=. .venv/bin/python bench/evidence_bench.py --no-model      # labels only
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "dragon"
SYNTHETIC = ("Task101_Example_sl_bin_clf", "Task102_Example_sl_mc_clf", "Task103_Example_mednli",
             "Task104_Example_ml_bin_clf", "Task105_Example_ml_mc_clf", "Task106_Example_sl_reg",
             "Task107_Example_ml_reg", "Task108_Example_sl_ner", "Task109_Example_ml_ner")


def _spec_type(task, path: str) -> str:
    specs, spec = task.fields, None
    for part in re.sub(r"\[\d+\]", "", path).split("."):
        spec = next(s for s in specs if s.name == part)
        while spec.type == "list":
            spec = spec.items
        specs = spec.fields if spec.type == "object" else []
    return spec.type


class Tally:
    def __init__(self):
        self.status: Counter = Counter()
        self.by_type: dict[str, Counter] = {}
        self.seconds: list[float] = []
        self.model_seconds: list[float] = []
        self.reports = 0

    def add(self, task, fields: dict[str, Any], text: str, model_seconds: float | None = None):
        from pluk.core.extraction.evidence import find_evidence

        started = time.perf_counter()
        evidence = find_evidence(task, fields, text)
        self.seconds.append(time.perf_counter() - started)
        if model_seconds is not None:
            self.model_seconds.append(model_seconds)
        self.reports += 1
        for path, e in evidence.items():
            if text[e.start:e.end] != e.quote and e.status != "not_found":
                raise AssertionError(f"evidence of {path} is not at its offsets")
            self.status[e.status] += 1
            self.by_type.setdefault(_spec_type(task, path), Counter())[e.status] += 1

    def result(self) -> dict[str, Any]:
        total = sum(self.status.values())
        share = {s: round(self.status[s] / total, 3) if total else None
                 for s in ("exact", "fuzzy", "not_found")}
        out = {"reports": self.reports, "values": total, "counts": dict(self.status),
               "share": share,
               "by_type": {t: dict(c) for t, c in sorted(self.by_type.items())},
               "evidence_ms_per_report_mean": round(1000 * statistics.mean(self.seconds), 2)
               if self.seconds else None,
               "evidence_ms_per_report_max": round(1000 * max(self.seconds), 2)
               if self.seconds else None}
        if self.model_seconds:
            out["model_s_per_report_mean"] = round(statistics.mean(self.model_seconds), 2)
        return out


def _label_fields(task, target: Any) -> dict[str, Any] | None:
    """A DRAGON label as the task's fields (None for NER, whose labels are token tags)."""
    if task.dragon is None or "named_entity" in task.dragon.kind:
        return None
    if isinstance(target, str) and target.startswith("["):
        target = json.loads(target.replace("'", '"').replace("None", "null"))
    targets = target if isinstance(target, list) else [target]
    fields: dict[str, Any] = {s.name: None for s in task.fields}
    for name, value in zip(task.dragon.fields, targets):
        spec = task.field(name)
        if spec.type == "bool" and isinstance(value, str):
            value = value == "True"
        elif spec.type == "enum" and value is not None:
            value = str(value)
        elif spec.type in ("int", "float") and value is not None:
            value = float(value)
        fields[name] = value
    return fields


def _dragon_tasks() -> dict[str, Any]:
    from pluk.core.tasks.loader import load_task_file

    out = {}
    for path in sorted((REPO / "tasks" / "dragon").glob("*.json")):
        task = load_task_file(path)
        if task.dragon is not None:
            out[task.dragon.task_name] = task
    return out


def _model_records(engine, task, reports):
    from pluk.core.extraction.loop import run_extraction

    return list(run_extraction(task, reports, engine))


def _run_set(name, groups, engine, results):
    """groups: [(task, [(report, label_fields | None)])]."""
    gold, model = Tally(), Tally()
    for task, items in groups:
        for report, fields in items:
            if fields is not None and report.text:
                gold.add(task, fields, report.text)
        if engine is not None:
            for record in _model_records(engine, task, [r for r, _ in items]):
                if record.fields and record.status != "error":
                    text = next(r.text for r, _ in items if r.id == record.id)
                    values = {k: v for k, v in record.fields.items()}
                    model.add(task, values, text, record.seconds)
    results[name] = {"gold": gold.result()}
    if engine is not None:
        results[name]["model"] = model.result()
    print(name, json.dumps(results[name]), flush=True)


def main() -> int:
    sys.path.insert(0, str(REPO))
    from pluk.core.readers import read_inputs
    from pluk.core.tasks import load_task
    from tests.support.english_mri import labels, reports

    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=("smollm2", "gemma3"), default="smollm2")
    parser.add_argument("--no-model", action="store_true", help="align the labels only")
    parser.add_argument("--per-task", type=int, default=5, help="synthetic reports per task")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ctx", type=int, default=4096)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "evidence.json")
    args = parser.parse_args()

    engine = None
    if not args.no_model:
        from pluk.core.engine.decoder import Decoder, DecoderOptions
        from tests.support.real_models import fetch

        engine = Decoder(fetch(args.model), DecoderOptions(
            n_ctx=args.ctx, n_threads=args.threads, n_threads_batch=args.threads))
    results: dict[str, Any] = {"model": None if args.no_model else args.model}
    try:
        truth = labels()
        english = reports()
        _run_set("english_mri", [(load_task("prostate_mri_nl"),
                                  [(r, truth[r.id]) for r in english])], engine, results)
        tasks = _dragon_tasks()
        samples = SHARED / "sample_reports" / "dutch_sample_reports_dragon_format.json"
        if samples.is_file():
            rows = {row["uid"]: row for row in json.loads(samples.read_text(encoding="utf-8"))}
            groups = []
            for report in read_inputs([samples]):
                row = rows[report.id]
                task = tasks[row["task_name"]]
                groups.append((task, [(report, _label_fields(task, row[task.dragon.label_name]))]))
            _run_set("dragon_samples", groups, engine, results)
        groups = []
        for name in SYNTHETIC:
            path = SHARED / "synthetic" / "ground-truth" / f"{name}.json"
            if not path.is_file():
                continue
            rows = {r["uid"]: r for r in json.loads(path.read_text(encoding="utf-8"))}
            task = tasks[name.replace("Example_", "Example_")]
            chosen = read_inputs([path])[: args.per_task]
            groups.append((task, [(r, _label_fields(task, rows[r.id][task.dragon.label_name]))
                                  for r in chosen]))
        if groups:
            _run_set(f"dragon_synthetic_{args.per_task}_per_task", groups, engine, results)
    finally:
        if engine is not None:
            engine.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
