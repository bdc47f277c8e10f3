"""Records to DRAGON predictions, without a model: how each label type is filled, what falls
back to the training labels, and how NER entities become tags on the given tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pluk.core.dragon.errors import DragonError
from pluk.core.dragon.folders import read_task_folder
from pluk.core.dragon.predict import build_predictions
from pluk.core.dragon.run import find_task
from pluk.core.runs.records import Record


def _folder(tmp_path: Path, label_name: str, test, training, input_name="text"):
    task_name = {
        "single_label_binary_classification_target": "Task101_Example_sl_bin_clf",
        "single_label_multi_class_classification_target": "Task103_Example_mednli",
        "multi_label_regression_target": "Task107_Example_ml_reg",
        "named_entity_recognition_target": "Task108_Example_sl_ner",
        "multi_label_named_entity_recognition_target": "Task109_Example_ml_ner",
    }[label_name]
    (tmp_path / "nlp-task-configuration.json").write_text(json.dumps(
        {"task_name": task_name, "label_name": label_name, "input_name": input_name}))
    (tmp_path / "nlp-test-dataset.json").write_text(json.dumps(test))
    (tmp_path / "nlp-training-dataset.json").write_text(json.dumps(training))
    return read_task_folder(tmp_path), find_task(task_name)


def _record(uid, status="ok", fields=None, probabilities=None, **extra):
    return Record(id=uid, source="mem", sha256="0", status=status, fields=fields,
                  probabilities=probabilities or {}, **extra)


def test_binary_uses_the_probability_and_fails_loudly_without_one(tmp_path):
    folder, task = _folder(tmp_path, "single_label_binary_classification_target",
                           [{"uid": "a", "text": "x"}, {"uid": "b", "text": "y"}],
                           [{"uid": "t", "text": "z",
                             "single_label_binary_classification_target": True}] * 3)
    field = task.dragon.fields[0]
    records = [_record("a", fields={field: True},
                       probabilities={field: {"true": 0.3, "false": 0.6, "null": 0.1}}),
               _record("b", status="error", error="engine failed")]
    rows, notes = build_predictions(task, folder, records)
    assert rows[0]["single_label_binary_classification"] == pytest.approx(1 / 3)
    assert rows[1]["single_label_binary_classification"] == 1.0  # training prevalence
    assert notes["uids_with_fallbacks"] == ["b"]
    with pytest.raises(DragonError, match="no probability"):
        build_predictions(task, folder, [_record("a", fields={field: True}), records[1]])


def test_multi_class_failures_take_a_training_label(tmp_path):
    label = "single_label_multi_class_classification_target"
    training = [{"uid": f"t{i}", "text_parts": ["p", "h"], label: v}
                for i, v in enumerate(["neutral", "neutral", "entailment"])]
    test = [{"uid": u, "text_parts": ["p", "h"]} for u in "abcd"]
    folder, task = _folder(tmp_path, label, test, training, "text_parts")
    field = task.dragon.fields[0]
    records = [
        _record("a", fields={field: "entailment"}),
        _record("b", status="invalid", fields={field: None}, field_errors={field: "bad"},
                probabilities={field: {"contradiction": 0.7, "entailment": 0.2,
                                       "neutral": 0.1}}),
        _record("c", status="error", error="too long"),
        _record("d", fields={field: "contradiction"}),
    ]
    rows, notes = build_predictions(task, folder, records)
    # "contradiction" never occurs in training: out of the vocabulary, even as the best guess.
    assert [r["single_label_multi_class_classification"] for r in rows] == [
        "entailment", "entailment", "neutral", "neutral"]
    assert notes["uids_with_fallbacks"] == ["b", "c", "d"]


def test_regression_always_gives_numbers(tmp_path):
    label = "multi_label_regression_target"
    training = [{"uid": "t1", "text": "x", label: [4.0, 10.0, None, None, None]},
                {"uid": "t2", "text": "x", label: [6.0, None, None, None, None]}]
    folder, task = _folder(tmp_path, label, [{"uid": "a", "text": "x"},
                                             {"uid": "b", "text": "y"}], training)
    names = task.dragon.fields
    records = [_record("a", fields=dict(zip(names, [3.0, None, None, None, None]))),
               _record("b", status="error", error="failed")]
    rows, notes = build_predictions(task, folder, records)
    assert rows[0]["multi_label_regression"] == [3.0, 10.0, 6.0, 6.0, 6.0]
    assert rows[1]["multi_label_regression"] == [5.0, 10.0, 6.0, 6.0, 6.0]
    assert notes["uids_with_fallbacks"] == ["b"]
    assert notes["uids_with_null_answers"] == ["a"]


def test_ner_entities_become_tags_on_the_given_tokens(tmp_path):
    label = "named_entity_recognition_target"
    tokens = ["Patient", "presents", "with", "lesion", "of", "3.8", "mm.", "II", "Subject",
              "describes", "lesion", "."]
    training = [{"uid": "t", "text_parts": ["I", "lesion"], label: ["B-ROMAN_NUMERAL",
                                                                   "B-STRUCTURE"]}]
    folder, task = _folder(tmp_path, label, [{"uid": "a", "text_parts": tokens},
                                             {"uid": "b", "text_parts": tokens}], training,
                           "text_parts")
    entities = [{"text": "lesion", "type": "STRUCTURE"}, {"text": "II", "type": "ROMAN_NUMERAL"},
                {"text": "LESION", "type": "STRUCTURE"}, {"text": "absent", "type": "STRUCTURE"},
                {"text": "Patient presents with", "type": "PREFIX"}]
    records = [_record("a", fields={"entities": entities}), _record("b", status="error",
                                                                    error="too long")]
    rows, notes = build_predictions(task, folder, records)
    assert rows[0]["named_entity_recognition"] == [
        "O", "O", "O", "B-STRUCTURE", "O", "O", "O", "B-ROMAN_NUMERAL", "O", "O", "B-STRUCTURE",
        "O"]
    assert rows[1]["named_entity_recognition"] == ["O"] * len(tokens)
    alignment = notes["ner_alignment"]
    assert alignment["counts"] == {"exact": 2, "fuzzy": 1, "not_found": 1}
    assert alignment["not_found"] == [{"uid": "a", "text": "absent", "tag": "STRUCTURE"}]
    # PREFIX never occurs in training: a type of its own would only add a zero to macro F1.
    assert alignment["dropped_types"] == [{"uid": "a", "text": "Patient presents with",
                                           "tag": "PREFIX"}]
    assert notes["uids_with_fallbacks"] == ["b"]


def test_multi_label_ner_tags_carry_the_entity_number(tmp_path):
    label = "multi_label_named_entity_recognition_target"
    tokens = ["I+II", "lesion", "of", "12", "mm", ".", "III", "normal", "of", "4", "mm", "."]
    folder, task = _folder(tmp_path, label, [{"uid": "a", "text_parts": tokens}], [],
                           "text_parts")
    entities = [{"number": 0, "text": "12 mm", "type": "lesion"},
                {"number": 1, "text": "12 mm", "type": "lesion"},
                {"number": 2, "text": "4 mm", "type": "lesion"}]
    rows, _ = build_predictions(task, folder, [_record("a", fields={"entities": entities})])
    assert rows[0]["multi_label_named_entity_recognition"] == [
        ["O"], ["O"], ["O"], ["B-0-lesion", "B-1-lesion"], ["I-0-lesion", "I-1-lesion"], ["O"],
        ["O"], ["O"], ["O"], ["B-2-lesion"], ["I-2-lesion"], ["O"]]
