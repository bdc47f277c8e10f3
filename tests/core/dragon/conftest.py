"""Shared fixtures: the public DRAGON example data beside the repository, and a writer for
small prediction folders of the tests' own."""

import json
from pathlib import Path

import pytest

SHARED = Path(__file__).parents[3].parent / "shared"
SYNTHETIC = SHARED / "dragon" / "synthetic"


@pytest.fixture
def synthetic() -> Path:
    if not (SYNTHETIC / "expected-metrics-for-example-predictions.json").is_file():
        pytest.skip(f"the DRAGON example data is not at {SYNTHETIC}")
    return SYNTHETIC


def write_json(path: Path, value) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")


@pytest.fixture
def dragon_dirs(tmp_path: Path):
    """(predictions dir, ground truth dir, writer): writer(task, field, truth, folds) writes the
    ground truth and one predictions file per fold, each a dict uid -> value."""
    predictions, ground_truth = tmp_path / "predictions", tmp_path / "ground-truth"
    predictions.mkdir()
    ground_truth.mkdir()

    def write(task: str, label_name: str, truth: dict, folds: dict[int, dict]) -> None:
        write_json(
            ground_truth / f"{task}.json",
            [{"uid": uid, label_name: value} for uid, value in truth.items()],
        )
        field = label_name.removesuffix("_target")
        for fold, predicted in folds.items():
            write_json(
                predictions / f"{task}-fold{fold}" / "nlp-predictions-dataset.json",
                [{"uid": uid, field: value} for uid, value in predicted.items()],
            )

    return predictions, ground_truth, write
