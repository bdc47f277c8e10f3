"""The official DRAGON scorer, dragon_eval 0.2.11 (a dev dependency), as the tests' reference.

`run_cli` runs it the way the benchmark does, `python -m dragon_eval --ground-truth-path ...
--predictions-path ... --output-file ... --folds ...`, in a subprocess, and returns its
metrics.json. `score_cases` scores one task's cases in-process (one import of pandas and
scikit-learn instead of one per case), for the many small crafted cases of the metric tests.
Both skip the calling test when dragon_eval is not installed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import subprocess
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

VERSION = "0.2.11"
PREDICTIONS_FILE = "nlp-predictions-dataset.json"


class OfficialScorerFailed(RuntimeError):
    """dragon_eval stopped with an error (a crash is its way to refuse an input)."""


def require() -> None:
    """Skip the calling test unless the pinned dragon_eval is importable."""
    if importlib.util.find_spec("dragon_eval") is None:
        pytest.skip(f"dragon_eval {VERSION} is not installed (pip install -e '.[dev]')")
    from importlib.metadata import version

    if version("dragon_eval") != VERSION:
        pytest.skip(f"dragon_eval {version('dragon_eval')} is installed, the tests pin {VERSION}")


def run_cli(ground_truth: Path, predictions: Path, out_file: Path,
            folds: Sequence[int] = (0,), tasks: Sequence[str] | None = None,
            timeout: float = 300) -> dict[str, Any]:
    """metrics.json of `python -m dragon_eval` over the folders (NaN stays NaN)."""
    require()
    command = [sys.executable, "-m", "dragon_eval", "--ground-truth-path", str(ground_truth),
               "--predictions-path", str(predictions), "--output-file", str(out_file),
               "--folds", *map(str, folds)]
    if tasks:
        command += ["--tasks", *tasks]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines() or ["no output"]
        raise OfficialScorerFailed(f"dragon_eval exited with {result.returncode}: {lines[-1]}")
    # dragon_eval writes NaN as the bare token NaN, which json.loads accepts.
    return json.loads(out_file.read_text(encoding="utf-8"))


def write_cases(root: Path, task: str, label_name: str, truth: dict[str, Any],
                predictions: dict[str, Any], fold: int = 0) -> tuple[Path, Path]:
    """root/ground-truth/<task>.json and root/predictions/<task>-fold<k>/...: (gt, predictions)."""
    ground_truth, predicted = root / "ground-truth", root / "predictions"
    job = predicted / f"{task}-fold{fold}"
    job.mkdir(parents=True, exist_ok=True)
    ground_truth.mkdir(parents=True, exist_ok=True)
    field = label_name.removesuffix("_target")
    (ground_truth / f"{task}.json").write_text(
        json.dumps([{"uid": uid, label_name: value} for uid, value in truth.items()]))
    (job / PREDICTIONS_FILE).write_text(
        json.dumps([{"uid": uid, field: value} for uid, value in predictions.items()]))
    return ground_truth, predicted


def score_cases(root: Path, task: str, label_name: str, truth: Sequence[Any],
                predictions: Sequence[Any]) -> float:
    """dragon_eval's fold-0 score of one task's cases (uids c0, c1, ...), NaN included.

    Raises OfficialScorerFailed with dragon_eval's own error when it refuses the input.
    """
    require()
    from dragon_eval import DragonEval

    uids = [f"c{i}" for i in range(len(truth))]
    ground_truth, predicted = write_cases(root, task, label_name, dict(zip(uids, truth)),
                                          dict(zip(uids, predictions)))
    out_file = root / "metrics.json"
    # dragon_eval prints every merged table; scikit-learn warns on undefined metrics.
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            DragonEval(ground_truth_path=ground_truth, predictions_path=predicted,
                       output_file=out_file, folds=[0], tasks=[task]).evaluate()
        except Exception as exc:  # noqa: BLE001 - any crash is the scorer's refusal
            raise OfficialScorerFailed(f"{type(exc).__name__}: {exc}") from exc
    return json.loads(out_file.read_text())["case"][task][f"{task}-fold0"]


def flat_scores(metrics: dict[str, Any]) -> dict[str, float]:
    """Every number of a metrics.json, keyed "case/<task>/<job>" and "aggregates/<name>/<stat>",
    so two results compare key by key (and dragon_eval's extra "version" drops out)."""
    flat = {f"case/{task}/{job}": score
            for task, jobs in metrics["case"].items() for job, score in jobs.items()}
    flat.update({f"aggregates/{name}/{stat}": value
                 for name, stats in metrics["aggregates"].items() for stat, value in stats.items()})
    return flat
