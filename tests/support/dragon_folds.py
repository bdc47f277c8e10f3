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


def cut_fold(synthetic: Path, task: str, root: Path, n: int,
             keep: Callable[[Any], bool] = lambda truth: True, *, shortest: bool = True
             ) -> list[Any]:
    """root/input/<task>-fold0 with n test reports whose truth passes `keep` (the shortest, or
    the first in file order), and root/ground-truth/<task>.json with their truth; returns
    those truths."""
    src = synthetic / "algorithm-input" / f"{task}-fold0"
    dst = root / "input" / src.name
    dst.mkdir(parents=True)
    for name in ("nlp-task-configuration.json", "nlp-training-dataset.json"):
        shutil.copy(src / name, dst / name)
    label = _read(src / "nlp-task-configuration.json")["label_name"]
    truth = {row["uid"]: row for row in _read(synthetic / "ground-truth" / f"{task}.json")}
    rows = _read(src / "nlp-test-dataset.json")
    if shortest:
        rows = sorted(rows, key=lambda row: (len(json.dumps(row)), row["uid"]))
    chosen = [row for row in rows if keep(truth[row["uid"]][label])][:n]
    (dst / "nlp-test-dataset.json").write_text(json.dumps(chosen), encoding="utf-8")
    (root / "ground-truth").mkdir(exist_ok=True)
    (root / "ground-truth" / f"{task}.json").write_text(
        json.dumps([truth[row["uid"]] for row in chosen]), encoding="utf-8")
    return [truth[row["uid"]][label] for row in chosen]
