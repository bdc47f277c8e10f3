"""evaluate_folder: the official numbers on the example data, dragon_eval 0.2.11's rules for
degenerate inputs (checked against dragon_eval itself), and clear failures."""

import json
import math

import pytest

from pluk.core.dragon.errors import DragonError
from pluk.core.dragon.evaluate import evaluate_folder
from tests.support.official_scorer import flat_scores, run_cli

SL_BIN_TASK = "Task101_Example_sl_bin_clf"
SL_BIN = "single_label_binary_classification_target"
SL_NER_TASK = "Task108_Example_sl_ner"
SL_NER = "named_entity_recognition_target"
ML_REG_TASK = "Task107_Example_ml_reg"
ML_REG = "multi_label_regression_target"
MACRO_AUC_TASK = "Task015_colon_pathology_clf"
ML_BIN = "multi_label_binary_classification_target"
SL_MC_TASK = "Task102_Example_sl_mc_clf"
SL_MC = "single_label_multi_class_classification_target"

BIN_TRUTH = {"c0": True, "c1": False, "c2": True, "c3": False}
BIN_SCORES = {"c0": 0.9, "c1": 0.2, "c2": 0.4, "c3": 0.6}  # AUC 3/4


def test_reproduces_every_official_number_for_the_example_predictions(synthetic):
    expected = json.loads(
        (synthetic / "expected-metrics-for-example-predictions.json").read_text()
    )
    result = evaluate_folder(
        synthetic / "example-predictions-baseline", synthetic / "ground-truth"
    )
    assert list(result) == ["case", "aggregates"]
    assert list(result["case"]) == list(expected["case"])
    assert list(result["aggregates"]) == list(expected["aggregates"])
    for task, folds in expected["case"].items():
        assert list(result["case"][task]) == list(folds)
        for fold, score in folds.items():
            assert result["case"][task][fold] == pytest.approx(score, abs=1e-9), fold
    for name, stats in expected["aggregates"].items():
        assert result["aggregates"][name] == pytest.approx(stats, abs=1e-9), name
    assert result["aggregates"]["overall"]["mean"] == pytest.approx(0.8029641421341148, abs=1e-9)


def test_scores_a_subset_of_tasks_by_prefix(synthetic):
    result = evaluate_folder(
        synthetic / "example-predictions-baseline",
        synthetic / "ground-truth",
        tasks=["Task103", "Task106"],
    )
    assert list(result["case"]) == ["Task103_Example_mednli", "Task106_Example_sl_reg"]
    means = [result["aggregates"][t]["mean"] for t in result["case"]]
    assert result["aggregates"]["overall"]["mean"] == pytest.approx(sum(means) / 2)


def test_aggregates_with_the_population_std(dragon_dirs):
    predictions, ground_truth, write = dragon_dirs
    perfect = {"c0": 0.9, "c1": 0.2, "c2": 0.8, "c3": 0.1}
    write(SL_BIN_TASK, SL_BIN, BIN_TRUTH, {0: BIN_SCORES, 1: perfect})
    result = evaluate_folder(predictions, ground_truth, folds=[0, 1])
    assert result["case"] == {
        SL_BIN_TASK: {f"{SL_BIN_TASK}-fold0": 0.75, f"{SL_BIN_TASK}-fold1": 1.0}
    }
    assert result["aggregates"][SL_BIN_TASK] == pytest.approx({"mean": 0.875, "std": 0.125})
    assert result["aggregates"]["overall"] == pytest.approx({"mean": 0.875, "std": 0.125})


def test_numeric_uids_join_as_strings(dragon_dirs):
    predictions, ground_truth, write = dragon_dirs
    write(SL_BIN_TASK, SL_BIN, {"1": True, "2": False}, {})
    (predictions / f"{SL_BIN_TASK}-fold0").mkdir()
    (predictions / f"{SL_BIN_TASK}-fold0" / "nlp-predictions-dataset.json").write_text(
        '[{"uid": 1, "single_label_binary_classification": 0.8},'
        ' {"uid": 2, "single_label_binary_classification": 0.1}]'
    )
    assert evaluate_folder(predictions, ground_truth, folds=[0])["case"][SL_BIN_TASK] == {
        f"{SL_BIN_TASK}-fold0": 1.0
    }


def test_a_missing_uid_fails_naming_task_fold_and_uid(dragon_dirs):
    predictions, ground_truth, write = dragon_dirs
    partial = {uid: s for uid, s in BIN_SCORES.items() if uid != "c2"}
    write(SL_BIN_TASK, SL_BIN, BIN_TRUTH, {0: BIN_SCORES, 1: partial})
    with pytest.raises(DragonError, match=rf"{SL_BIN_TASK} fold 1: 1 uid\(s\) missing.*c2"):
        evaluate_folder(predictions, ground_truth, folds=[0, 1])


def test_an_extra_uid_fails_naming_it(dragon_dirs):
    predictions, ground_truth, write = dragon_dirs
    write(SL_BIN_TASK, SL_BIN, BIN_TRUTH, {0: {**BIN_SCORES, "c9": 0.5}})
    with pytest.raises(DragonError, match=rf"{SL_BIN_TASK} fold 0: .*not in the ground truth: c9"):
        evaluate_folder(predictions, ground_truth, folds=[0])


def test_a_wrong_ner_length_fails_naming_the_uid(dragon_dirs):
    predictions, ground_truth, write = dragon_dirs
    truth = {"d0": ["B-X", "I-X", "O"], "d1": ["O", "B-Y"]}
    pred = {"d0": ["B-X", "I-X", "O"], "d1": ["O", "B-Y", "O"]}
    write(SL_NER_TASK, SL_NER, truth, {0: pred})
    with pytest.raises(DragonError, match=r"fold 0: .*d1: expected 2 tokens .* got 3"):
        evaluate_folder(predictions, ground_truth, folds=[0])


@pytest.mark.parametrize("bad", ["0.7", True, None, [0.7]])
def test_a_prediction_of_the_wrong_json_type_fails(dragon_dirs, bad):
    predictions, ground_truth, write = dragon_dirs
    write(SL_BIN_TASK, SL_BIN, BIN_TRUTH, {0: {**BIN_SCORES, "c3": bad}})
    field = "single_label_binary_classification"
    with pytest.raises(DragonError, match=rf"fold 0: field '{field}' is wrong for 1 uid\(s\): c3"):
        evaluate_folder(predictions, ground_truth, folds=[0])


def test_degenerate_inputs_score_as_dragon_eval_0_2_11_scores_them(dragon_dirs, tmp_path):
    predictions, ground_truth, write = dragon_dirs
    # A one-class truth: AUC 0.0 (0.2.6: NaN or an error).
    write(SL_BIN_TASK, SL_BIN, {"c0": True, "c1": True}, {0: {"c0": 0.9, "c1": 0.1}})
    # r0's null has a null truth and is dropped; r1's counts as 0: 1 - (4 / 8) / 3.
    write(ML_REG_TASK, ML_REG, {"r0": [5.0, None], "r1": [3.0, 4.0]},
          {0: {"r0": [5.0, None], "r1": [3.0, None]}})
    # Column 0 has AUC 1; column 1 holds one class and scores 0: mean 0.5.
    write(MACRO_AUC_TASK, ML_BIN, {"b0": [True, False], "b1": [False, False], "b2": [True, False]},
          {0: {"b0": [0.9, 0.1], "b1": [0.2, 0.4], "b2": [0.7, 0.6]}})
    result = evaluate_folder(predictions, ground_truth, folds=[0])
    assert {task: folds[f"{task}-fold0"] for task, folds in result["case"].items()} == (
        pytest.approx({SL_BIN_TASK: 0.0, ML_REG_TASK: 1 - 0.5 / 3, MACRO_AUC_TASK: 0.5},
                      abs=1e-15))
    official = run_cli(ground_truth, predictions, tmp_path / "metrics.json")
    assert official["version"] == "0.2.11"
    assert flat_scores(official) == pytest.approx(flat_scores(result), abs=1e-12)


def test_an_undefined_kappa_fails_where_dragon_eval_scores_nan(dragon_dirs, tmp_path):
    predictions, ground_truth, write = dragon_dirs
    write(SL_MC_TASK, SL_MC, {"c0": "1", "c1": "1"}, {0: {"c0": "1", "c1": "1"}})
    with pytest.raises(DragonError, match=rf"{SL_MC_TASK} fold 0: .*undefined.*NaN"):
        evaluate_folder(predictions, ground_truth, folds=[0])
    official = run_cli(ground_truth, predictions, tmp_path / "metrics.json")
    assert math.isnan(official["case"][SL_MC_TASK][f"{SL_MC_TASK}-fold0"])


def test_a_missing_predictions_file_fails_naming_the_fold(dragon_dirs):
    predictions, ground_truth, write = dragon_dirs
    write(SL_BIN_TASK, SL_BIN, BIN_TRUTH, {0: BIN_SCORES})
    with pytest.raises(DragonError, match=rf"{SL_BIN_TASK} fold 1: predictions file not found"):
        evaluate_folder(predictions, ground_truth, folds=[0, 1])


def test_the_target_field_name_in_predictions_gets_a_hint(dragon_dirs):
    predictions, ground_truth, write = dragon_dirs
    write(SL_BIN_TASK, SL_BIN, BIN_TRUTH, {})
    rows = [{"uid": uid, SL_BIN: s} for uid, s in BIN_SCORES.items()]
    path = predictions / f"{SL_BIN_TASK}-fold0" / "nlp-predictions-dataset.json"
    path.parent.mkdir()
    path.write_text(json.dumps(rows))
    with pytest.raises(DragonError, match="without '_target'"):
        evaluate_folder(predictions, ground_truth, folds=[0])


def test_an_unknown_task_fails(dragon_dirs):
    predictions, ground_truth, _ = dragon_dirs
    with pytest.raises(DragonError, match="unknown DRAGON task 'Task999'"):
        evaluate_folder(predictions, ground_truth, tasks=["Task999"])


def test_an_empty_ground_truth_folder_fails(dragon_dirs):
    predictions, ground_truth, _ = dragon_dirs
    with pytest.raises(DragonError, match="no tasks"):
        evaluate_folder(predictions, ground_truth)
