"""Records to DRAGON predictions: one prediction per test uid, in test order and in the JSON types
the evaluator expects, and the notes on how each was made (`run` writes them to
`pluk-dragon-notes.json`): every uid whose prediction did not come straight from the model's
answer (and why), and how the NER entities aligned.

A prediction is never left out and never a type the evaluator refuses: a failed multi-class
answer takes the model's most probable label, or else the most frequent training label; a failed
number takes the training median. A binary prediction is the model's probability of true; a run
without probabilities fails rather than turning the answers into hard 0/1 scores.
"""

from __future__ import annotations

import math
from collections import Counter
from statistics import median
from typing import Any

from pluk.core.dragon import ner_align
from pluk.core.dragon.errors import DragonError, shorten
from pluk.core.dragon.folders import (BIN_LABELS, MC_LABELS, NER_LABELS, REG_LABELS, TaskFolder,
                                      label_values, row_tokens)
from pluk.core.dragon.scoring import value_problem
from pluk.core.dragon.tasks import ML_BIN, ML_MC, ML_NER, ML_REG, get_task
from pluk.core.runs.records import Record
from pluk.core.tasks import TaskDefinition


# -- records to predictions ------------------------------------------------------------------------

class _Notes:
    def __init__(self) -> None:
        self.fallbacks: list[dict[str, Any]] = []
        self.alignment: Counter[str] = Counter()
        self.not_found: list[dict[str, Any]] = []
        self.dropped: list[dict[str, Any]] = []

    def fallback(self, uid: str, field: str, value: Any, reason: str, failed: bool = True
                 ) -> None:
        # failed=False: the model answered, but null (an absent lesion), and needs a number.
        self.fallbacks.append({"uid": uid, "field": field, "value": value, "reason": reason,
                               "failed": failed})

    def as_json(self, folder: TaskFolder, task: TaskDefinition) -> dict[str, Any]:
        return {
            "task_name": folder.task_name, "pluk_task": task.id, "label_name": folder.label_name,
            "uids_with_fallbacks": sorted({f["uid"] for f in self.fallbacks if f["failed"]}),
            "uids_with_null_answers": sorted({f["uid"] for f in self.fallbacks
                                              if not f["failed"]}),
            "fallbacks": self.fallbacks,
            "ner_alignment": {"counts": dict(self.alignment), "not_found": self.not_found,
                              "dropped_types": self.dropped}
            if folder.label_name in NER_LABELS else None,
        }


def _why(record: Record | None, field: str) -> str:
    if record is None:
        return "not run (--limit or a stopped run)"
    if record.status == "error":
        return f"no answer: {record.error}"
    return f"no valid answer: {record.field_errors.get(field) or record.error}"


def _training_column(folder: TaskFolder, n_fields: int, j: int) -> list[Any]:
    column = []
    for row in folder.training:
        values = label_values(row.get(folder.label_name), n_fields, folder.label_name)
        if values:
            column.append(values[j])
    return column


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _binary(record: Record | None, field: str, prior: float, uid: str, notes: _Notes) -> float:
    probs = record.probabilities.get(field) if record is not None else None
    if probs is None:
        if record is not None and record.status == "ok":
            raise DragonError(f"uid {uid}: the record has no probability for '{field}'; a "
                              "binary DRAGON prediction must be the model's probability "
                              "(was the run made without probabilities?)")
        notes.fallback(uid, field, prior, _why(record, field) + "; training prevalence")
        return prior
    yes, no = probs.get("true", 0.0), probs.get("false", 0.0)
    if yes + no <= 0 or not math.isfinite(yes + no):
        notes.fallback(uid, field, prior, "no usable probability; training prevalence")
        return prior
    return yes / (yes + no)  # an optional field's "null" share is left out


def _label(record: Record | None, field: str, vocabulary: list[str], frequent: str, uid: str,
           notes: _Notes) -> str:
    value = (record.fields or {}).get(field) if record is not None else None
    if value in vocabulary:
        return value
    probs = record.probabilities.get(field, {}) if record is not None else {}
    allowed = {label: p for label, p in probs.items() if label in vocabulary}
    if value is not None:
        reason = f"the model's label {value!r} is not in the training labels"
    else:
        reason = _why(record, field)
    if allowed:
        best = max(sorted(allowed), key=lambda label: allowed[label])
        notes.fallback(uid, field, best, reason + "; most probable training label")
        return best
    notes.fallback(uid, field, frequent, reason + "; most frequent training label")
    return frequent


def _number(record: Record | None, field: str, fill: float, uid: str, notes: _Notes) -> float:
    value = (record.fields or {}).get(field) if record is not None else None
    if _is_number(value):
        return value
    if value is None and record is not None and record.status == "ok":
        notes.fallback(uid, field, fill, "the model answered null (not stated); training "
                       "median", failed=False)
    else:
        notes.fallback(uid, field, fill, _why(record, field) + "; training median")
    return fill


def _ner(task: TaskDefinition, record: Record | None, tokens: list[str], types: set[str],
         multi_label: bool, uid: str, notes: _Notes) -> list:
    field = task.dragon.fields[0]
    entities = (record.fields or {}).get(field) if record is not None else None
    if not isinstance(entities, list):
        notes.fallback(uid, field, "O", _why(record, field) + "; no entities")
        entities = []
    pairs = []
    for entity in entities:
        tag = task.dragon.entity_tag.format(**entity)
        if not multi_label and types and tag not in types:
            # Macro F1 runs over the union of types: an invented type only adds a zero.
            notes.dropped.append({"uid": uid, "text": entity["text"], "tag": tag})
            continue
        pairs.append((entity["text"], tag))
    tags, alignments = ner_align.tag_tokens(tokens, pairs, multi_label=multi_label)
    for alignment, (_, tag) in zip(alignments, pairs):
        notes.alignment[alignment.status] += 1
        if alignment.status == "not_found":
            notes.not_found.append({"uid": uid, "text": alignment.text, "tag": tag})
    return tags


def build_predictions(task: TaskDefinition, folder: TaskFolder, records: list[Record]
                      ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One prediction per test uid, in test order, and the notes on how each was made."""
    label_name = folder.label_name
    fields = task.dragon.fields
    field_name = label_name.removesuffix("_target")
    by_id = {r.id: r for r in records}
    notes = _Notes()
    columns = [_training_column(folder, len(fields), j) for j in range(len(fields))]
    vocabularies, frequent, prevalence, fills = [], [], [], []
    all_numbers = [v for c in columns for v in c if _is_number(v)]
    for j, column in enumerate(columns):
        vocabulary = sorted({v for v in column if isinstance(v, str)})
        if not vocabulary and task.field(fields[j]).type == "enum":
            vocabulary = list(task.field(fields[j]).values)
        vocabularies.append(vocabulary)
        counts = Counter(v for v in column if v in vocabulary)
        frequent.append(min(counts, key=lambda v: (-counts[v], v)) if counts
                        else (vocabulary or [""])[0])
        flags = [v for v in column if isinstance(v, bool)]
        prevalence.append(sum(flags) / len(flags) if flags else 0.5)
        numbers = [v for v in column if _is_number(v)] or all_numbers
        fills.append(float(median(numbers)) if numbers else 0.0)
    ner_types = set()
    if label_name in NER_LABELS:
        for row in folder.training:
            for token in row.get(label_name) or []:
                ner_types.update(t[2:] for t in ([token] if isinstance(token, str) else token)
                                 if t != "O")
    per_field = range(len(fields))
    rows = []
    for row in folder.test:
        uid = row["uid"]
        record = by_id.get(uid)
        if label_name in BIN_LABELS:
            values = [_binary(record, fields[j], prevalence[j], uid, notes) for j in per_field]
        elif label_name in MC_LABELS:
            values = [_label(record, fields[j], vocabularies[j], frequent[j], uid, notes)
                      for j in per_field]
        elif label_name in REG_LABELS:
            values = [_number(record, fields[j], fills[j], uid, notes) for j in per_field]
        else:
            values = [_ner(task, record, row_tokens(row, f"uid {uid}"), ner_types,
                           label_name == ML_NER, uid, notes)]
        value = values if label_name in (ML_BIN, ML_MC, ML_REG) else values[0]
        rows.append({"uid": uid, field_name: value})
    _validate(folder, rows, field_name, len(fields),
              vocabularies if label_name in MC_LABELS else None)
    return rows, notes.as_json(folder, task)


def _validate(folder: TaskFolder, rows: list[dict], field_name: str, n_fields: int,
              vocabularies: list[list[str]] | None) -> None:
    """What the evaluator would refuse, refused here before anything is written."""
    dragon_task = get_task(folder.task_name)
    problems = []
    for row, test in zip(rows, folder.test):
        value = row[field_name]
        if folder.label_name in NER_LABELS:
            stand_in: Any = ["O"] * len(test["text_parts"])
        elif folder.label_name in (ML_BIN, ML_MC, ML_REG):
            stand_in = [None] * n_fields
        else:
            stand_in = None
        problem = value_problem(dragon_task, value, stand_in)
        scores = value if isinstance(value, list) else [value]
        if not problem and folder.label_name in BIN_LABELS and not all(
                0.0 <= s <= 1.0 for s in scores):
            problem = "a score outside [0, 1]"
        if not problem and folder.label_name in REG_LABELS and any(s is None for s in scores):
            problem = "a null number"
        if not problem and vocabularies is not None and not all(
                v in vocab for v, vocab in zip(scores, vocabularies)):
            problem = "a label outside the training labels"
        if problem:
            problems.append(f"{row['uid']}: {problem}")
    if [r["uid"] for r in rows] != [t["uid"] for t in folder.test]:
        problems.append("the uids differ from the test set")
    if problems:
        raise DragonError(f"{folder.path.name}: the predictions would not score: "
                          f"{shorten(problems, 5, sep='; ')}")
