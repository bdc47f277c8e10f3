"""Scoring one task on one fold: checks each case's values against the task's JSON shape, pools
them the way dragon_eval does, and calls the task's metric. Pure: no files, no I/O.

Values come as parsed JSON. Strings are compared as strings: dragon_eval's pandas loading turns
all-numeric label strings ("0".."4") into integers, but for every DRAGON label vocabulary that
leaves the sorted order, and so every score, unchanged; a prediction column that mixes "2" and
"unknown" makes dragon_eval (0.2.6 and 0.2.11) crash with "Mix of label input types", and is
scored here with "unknown" as one more (wrong) label. The rules for degenerate inputs are
dragon_eval 0.2.11's (see `metrics`): a one-class AUC truth scores 0.0, also per column of the
macro AUC, and a null regression prediction counts as 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pluk.core.dragon import metrics
from pluk.core.dragon.errors import DragonError, shorten
from pluk.core.dragon.tasks import (
    ML_BIN,
    ML_MC,
    ML_NER,
    ML_REG,
    SL_BIN,
    SL_MC,
    SL_NER,
    SL_REG,
    DragonTask,
)


def score_task(
    task: DragonTask,
    uids: Sequence[str],
    truths: Sequence[Any],
    predictions: Sequence[Any],
    where: str = "",
) -> float:
    """The task's metric over cases already joined on uid; `where` prefixes every error."""
    prefix = f"{where}: " if where else f"{task.name}: "
    if not uids:
        raise DragonError(f"{prefix}no cases to score")
    _check_values(task, uids, truths, predictions, prefix)
    try:
        return _score(task, uids, truths, predictions)
    except DragonError as exc:
        raise DragonError(f"{prefix}{exc}") from None


def _score(task: DragonTask, uids, truths, predictions) -> float:
    if task.metric == "auc":
        return metrics.roc_auc(_pool(task, truths), _pool(task, predictions))
    if task.metric == "macro_auc":
        columns = range(len(truths[0]))
        if any(len(truth) != len(columns) for truth in truths):
            raise DragonError("the ground truth lists differ in length, so there are no columns")
        # A column whose truth holds one class scores 0.0 (dragon_eval 0.2.11), not an error.
        per_column = [
            metrics.roc_auc([t[j] for t in truths], [p[j] for p in predictions]) for j in columns
        ]
        return sum(per_column) / len(per_column)
    if task.metric in ("kappa", "linear_kappa"):
        weights = "linear" if task.metric == "linear_kappa" else None
        return metrics.cohen_kappa(_pool(task, truths), _pool(task, predictions), weights)
    if task.metric == "rsmape":
        # A null prediction is not refused: dragon_eval 0.2.11 imputes it as 0 (metrics.rsmape).
        return metrics.rsmape(_pool(task, truths), _pool(task, predictions), task.epsilon)
    if task.metric == "ner_f1_macro":
        return metrics.ner_f1_macro(truths, predictions)
    if task.metric == "multi_label_ner_f1_weighted":
        return metrics.multi_label_ner_f1_weighted(truths, predictions)
    raise AssertionError(f"no scorer for metric {task.metric!r}")


def _pool(task: DragonTask, values: Sequence[Any]) -> list[Any]:
    # Multi-label targets are flattened into one long list of pairs (dragon.md §4.1-4.3).
    if task.label_name in (ML_BIN, ML_MC, ML_REG):
        return [item for value in values for item in value]
    return list(values)


def _check_values(task, uids, truths, predictions, prefix: str) -> None:
    # The ground truth first: a broken truth file must not be blamed on the predictions.
    for field, is_prediction in ((task.label_name, False), (task.prediction_name, True)):
        problems = []
        for uid, truth, pred in zip(uids, truths, predictions):
            problem = value_problem(task, pred, truth) if is_prediction else value_problem(
                task, truth
            )
            if problem:
                problems.append(f"{uid}: {problem}")
        if problems:
            raise DragonError(
                f"{prefix}{'' if is_prediction else 'ground truth '}field {field!r} is wrong for "
                f"{len(problems)} uid(s): {shorten(problems, 5, sep='; ')}"
            )


_NO_TRUTH = object()


def value_problem(task: DragonTask, value: Any, truth: Any = _NO_TRUTH) -> str | None:
    """Why `value` does not fit the task's field, or None if it fits. Given the case's `truth`,
    `value` is a prediction: scores replace booleans, and lists must match the truth's length."""
    is_prediction = truth is not _NO_TRUTH
    label = task.label_name
    if label == SL_BIN:
        return _scalar_problem(value, "finite number" if is_prediction else "bool")
    if label == SL_MC:
        return _scalar_problem(value, "string")
    if label == SL_REG:
        return _scalar_problem(value, "number or null")
    item = {
        ML_BIN: "finite number" if is_prediction else "bool",
        ML_MC: "string",
        ML_REG: "number or null",
        SL_NER: "tag",
        ML_NER: "tag list",
    }[label]
    if not isinstance(value, list):
        return f"expected a list, got {_json_type(value)}"
    if is_prediction and isinstance(truth, list) and len(value) != len(truth):
        unit = "tokens" if label in (SL_NER, ML_NER) else "values"
        return f"expected {len(truth)} {unit} as in the ground truth, got {len(value)}"
    for i, element in enumerate(value):
        problem = _scalar_problem(element, item)
        if problem:
            return f"item {i}: {problem}"
    return None


def _scalar_problem(value: Any, expected: str) -> str | None:
    if expected == "bool":
        ok = isinstance(value, bool)
    elif expected == "finite number":
        ok = _is_number(value) and math.isfinite(value)
    elif expected == "number or null":
        ok = value is None or (_is_number(value) and not math.isinf(value))
    elif expected == "string":
        ok = isinstance(value, str)
    elif expected == "tag":
        ok = metrics.is_bio_tag(value)
    else:  # "tag list": the tags of one token in multi-label NER
        ok = isinstance(value, list) and all(metrics.is_bio_tag(tag) for tag in value)
    if ok:
        return None
    if expected.startswith("tag") and isinstance(value, (str, list)):
        return f"expected BIO tags ('O', 'B-<type>', 'I-<type>'), got {_shown(value)}"
    return f"expected a {expected}, got {_json_type(value)} {_shown(value)}"


def _is_number(value: Any) -> bool:
    # JSON true/false are booleans, not scores: a bool prediction is a writer's bug.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if _is_number(value):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
