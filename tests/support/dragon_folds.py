"""Cut-down DRAGON task folders with their ground truth, for tests and benchmarks that cannot
run a whole synthetic fold (about 2,000 reports) on a real model."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def flat(value) -> list:
    if isinstance(value, list):
        return [x for item in value for x in flat(item)]
    return [value]


def _write_cut(synthetic: Path, task: str, fold: int, root: Path,
               select: Callable[[list[dict], Callable[[dict], Any]], list[dict]]) -> list[Any]:
    """root/input/<task>-fold<k> with the test rows `select(rows, truth_of)` keeps, and
    root/ground-truth/<task>.json with their truth; returns those truths."""
    src = synthetic / "algorithm-input" / f"{task}-fold{fold}"
    dst = root / "input" / src.name
    dst.mkdir(parents=True)
    for name in ("nlp-task-configuration.json", "nlp-training-dataset.json"):
        shutil.copy(src / name, dst / name)
    label = _read(src / "nlp-task-configuration.json")["label_name"]
    truth = {row["uid"]: row for row in _read(synthetic / "ground-truth" / f"{task}.json")}
    chosen = select(_read(src / "nlp-test-dataset.json"), lambda row: truth[row["uid"]][label])
    (dst / "nlp-test-dataset.json").write_text(json.dumps(chosen), encoding="utf-8")
    (root / "ground-truth").mkdir(exist_ok=True)
    (root / "ground-truth" / f"{task}.json").write_text(
        json.dumps([truth[row["uid"]] for row in chosen]), encoding="utf-8")
    return [truth[row["uid"]][label] for row in chosen]


def _by_length(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: (len(json.dumps(row)), row["uid"]))


def cut_fold(synthetic: Path, task: str, root: Path, n: int,
             keep: Callable[[Any], bool] = lambda truth: True, *, shortest: bool = True
             ) -> list[Any]:
    """Fold 0 cut to n test reports whose truth passes `keep`: the shortest, or the first in
    file order."""
    def select(rows, truth_of):
        ordered = _by_length(rows) if shortest else rows
        return [row for row in ordered if keep(truth_of(row))][:n]

    return _write_cut(synthetic, task, 0, root, select)


def subset_task_folder(synthetic: Path, task: str, fold: int, root: Path, n: int) -> None:
    """A fold cut to its n shortest test reports, one more where they hold a single truth
    value, so every metric has two classes to tell apart."""
    def select(rows, truth_of):
        ordered = sorted(rows, key=lambda row: len(json.dumps(row)))
        chosen = ordered[:n]
        seen = {json.dumps(v) for row in chosen for v in flat(truth_of(row))}
        if len(seen) < 2:
            chosen.append(next(row for row in ordered[n:] if any(
                json.dumps(v) not in seen for v in flat(truth_of(row)))))
        return chosen

    _write_cut(synthetic, task, fold, root, select)
