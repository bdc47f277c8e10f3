"""Scores a folder of DRAGON predictions against a folder of ground truth, as the official
scorer dragon_eval 0.2.11 does (the tests check that the two agree to 1e-9).

Layout (docs/dragon.md §2): `<predictions>/<task>-fold<k>/nlp-predictions-dataset.json` and
`<ground truth>/<task>.json`, both JSON arrays of records keyed by `uid`. The result has exactly
the shape of dragon_eval's metrics.json: per task and fold a score ("case"), per task the mean
and population std over folds, and overall the mean of the task means and of the task stds
("aggregates").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pluk.core.dragon.errors import DragonError, shorten
from pluk.core.dragon.scoring import score_task
from pluk.core.dragon.tasks import DragonTask, get_task
from pluk.core.json_depth import JsonTooDeep, loads_bounded

FOLDS = (0, 1, 2, 3, 4)
PREDICTIONS_FILE = "nlp-predictions-dataset.json"


def evaluate_folder(
    predictions_dir: str | Path,
    ground_truth_dir: str | Path,
    tasks: Iterable[str] | None = None,
    *,
    folds: Sequence[int] = FOLDS,
) -> dict[str, Any]:
    """Score every fold of every task; `tasks` defaults to each task with a ground-truth file.

    Degenerate inputs score as dragon_eval 0.2.11 scores them (a one-class AUC truth 0.0, a
    null regression prediction imputed as 0). Raises DragonError on anything dragon_eval 0.2.11
    refuses or scores NaN, so a NaN never reaches the aggregates.
    """
    predictions_dir, ground_truth_dir = Path(predictions_dir), Path(ground_truth_dir)
    if not predictions_dir.is_dir():
        raise DragonError(f"predictions folder not found: {predictions_dir}")
    names = _select_tasks(ground_truth_dir, tasks)
    if not folds:
        raise DragonError("no folds to evaluate")
    case: dict[str, dict[str, float]] = {}
    for name in names:
        task = get_task(name)
        truth = load_ground_truth(ground_truth_dir / f"{name}.json", task)
        case[name] = {
            f"{name}-fold{fold}": score_fold(task, truth, predictions_dir, fold) for fold in folds
        }
    return {"case": case, "aggregates": aggregate(case)}


def score_fold(task: DragonTask, truth: dict[str, Any], predictions_dir: Path, fold: int) -> float:
    """One task's score on one fold, predictions joined to `truth` (uid -> target) on uid."""
    where = f"{task.name} fold {fold}"
    path = Path(predictions_dir) / f"{task.name}-fold{fold}" / PREDICTIONS_FILE
    if not path.is_file():
        raise DragonError(f"{where}: predictions file not found: {path}")
    predicted = _read_records(path, task.prediction_name, where)
    # The official evaluator outer-joins on uid and fails on any case without a partner.
    missing = [uid for uid in truth if uid not in predicted]
    extra = [uid for uid in predicted if uid not in truth]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"{len(missing)} uid(s) missing from the predictions: {shorten(missing)}")
        if extra:
            parts.append(f"{len(extra)} uid(s) not in the ground truth: {shorten(extra)}")
        raise DragonError(f"{where}: " + "; ".join(parts))
    uids = list(truth)
    return score_task(
        task, uids, [truth[uid] for uid in uids], [predicted[uid] for uid in uids], where
    )


def load_ground_truth(path: Path, task: DragonTask) -> dict[str, Any]:
    """uid -> target from a ground-truth file."""
    if not path.is_file():
        raise DragonError(f"{task.name}: ground truth file not found: {path}")
    return _read_records(path, task.label_name, f"{task.name} ground truth")


def aggregate(case: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Per task the mean and population std over folds; overall the mean of both over tasks."""
    aggregates: dict[str, dict[str, float]] = {}
    for name, fold_scores in case.items():
        scores = np.array(list(fold_scores.values()), dtype=float)
        # dragon_eval uses numpy's default std (ddof=0), not the sample std.
        aggregates[name] = {"mean": float(np.mean(scores)), "std": float(np.std(scores))}
    per_task = list(aggregates.values())
    aggregates["overall"] = {
        "mean": float(np.mean([a["mean"] for a in per_task])),
        "std": float(np.mean([a["std"] for a in per_task])),
    }
    return aggregates


def _select_tasks(ground_truth_dir: Path, tasks: Iterable[str] | None) -> list[str]:
    if not ground_truth_dir.is_dir():
        raise DragonError(f"ground truth folder not found: {ground_truth_dir}")
    if tasks is not None:
        names = sorted({get_task(name).name for name in tasks})
    else:
        names = sorted(get_task(path.stem).name for path in ground_truth_dir.glob("Task*.json"))
    if not names:
        raise DragonError(f"no tasks to evaluate: no Task*.json in {ground_truth_dir}")
    return names


def _read_records(path: Path, field: str, where: str) -> dict[str, Any]:
    """uid -> value of `field` from a JSON array of records."""
    try:
        rows = loads_bounded(path.read_text(encoding="utf-8"))  # deep nesting: an error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, JsonTooDeep) as exc:
        raise DragonError(f"{where}: cannot read {path}: {exc}") from None
    if not isinstance(rows, list):
        raise DragonError(f"{where}: {path} must hold a JSON array of records")
    values: dict[str, Any] = {}
    duplicates, lacking = [], []
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or "uid" not in row:
            raise DragonError(f"{where}: record {i} of {path} is not an object with a uid")
        uid = row["uid"]
        # dragon_eval reads uids as strings, so a numeric uid 7 joins with "7".
        if isinstance(uid, int) and not isinstance(uid, bool):
            uid = str(uid)
        if not isinstance(uid, str):
            raise DragonError(f"{where}: record {i} of {path} has a uid that is not a string")
        if uid in values:
            duplicates.append(uid)
        if field not in row:
            lacking.append(uid)
        values[uid] = row.get(field)
    if duplicates:
        raise DragonError(f"{where}: duplicate uid(s) in {path}: {shorten(duplicates)}")
    if lacking:
        hint = ""
        if rows and isinstance(rows[0], dict) and f"{field}_target" in rows[0]:
            hint = f" (predictions use {field!r}, without '_target')"
        raise DragonError(
            f"{where}: field {field!r} missing for uid(s) {shorten(lacking)} in {path}{hint}"
        )
    return values
