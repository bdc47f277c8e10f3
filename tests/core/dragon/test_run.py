"""`pluk dragon run`: DRAGON task folders in, prediction files that `pluk dragon evaluate`
scores out, with the tiny model (the records-to-predictions rules are in test_predict).

Every end-to-end test runs twice: on a subset of each fold-0 test set (the shortest reports,
with at least two different truths, scored against the same subset of the ground truth), and,
marked `slow`, on the first SAMPLE test reports of every task in file order (360 of fold 0's
1995, long ones included), on one thread so that a busy machine slows it in proportion: about
20 seconds with Pluk's decoder (about two minutes on llama-cpp-python's path before it). (The
complete fold 0 took over ten minutes under load on that path, past pytest's limit;
BENCHMARKS.md has it.) `pytest -m "not slow"` leaves the sample run out.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest

from pluk.cli import main
from pluk.core.dragon.errors import DragonError
from pluk.core.dragon.evaluate import evaluate_folder
from pluk.core.dragon.folders import find_task_folders, read_task_folder, training_examples
from pluk.core.dragon.run import NOTES_FILE, DragonOptions, find_task, run_dragon
from pluk.core.runs.records import Record
from pluk.core.tasks import load_task_file, validate_answer
from tests.support.dragon_folds import cut_fold
from tests.support.dragon_folds import flat as _flat
from tests.support.dragon_folds import subset_task_folder as cut_to_shortest

SUBSET = 5
TASKS = ("Task101_Example_sl_bin_clf", "Task102_Example_sl_mc_clf", "Task103_Example_mednli",
         "Task104_Example_ml_bin_clf", "Task105_Example_ml_mc_clf", "Task106_Example_sl_reg",
         "Task107_Example_ml_reg", "Task108_Example_sl_ner", "Task109_Example_ml_ner")
PREDICTION_FIELDS = {
    "Task101": "single_label_binary_classification",
    "Task102": "single_label_multi_class_classification",
    "Task103": "single_label_multi_class_classification",
    "Task104": "multi_label_binary_classification",
    "Task105": "multi_label_multi_class_classification",
    "Task106": "single_label_regression",
    "Task107": "multi_label_regression",
    "Task108": "named_entity_recognition",
    "Task109": "multi_label_named_entity_recognition",
}


def _read(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def subset_task_folder(synthetic: Path, task: str, fold: int, out: Path, n: int = SUBSET
                       ) -> None:
    """OUT/input/<task>-fold<k>/ with the n shortest test reports (two truths at least) and
    OUT/ground-truth/<task>.json with their truth."""
    cut_to_shortest(synthetic, task, fold, out, n)


SAMPLE = 40


@pytest.fixture(scope="module", params=["subset", pytest.param("sample", marks=pytest.mark.slow)])
def all_tasks_run(request, tiny_model, tmp_path_factory):
    """`pluk dragon run` over a folder of the nine fold-0 task folders: (root, out), where
    root/input holds the task folders and root/ground-truth their truth."""
    synthetic = Path(__file__).parents[3].parent / "shared" / "dragon" / "synthetic"
    if not (synthetic / "ground-truth").is_dir():
        pytest.skip(f"the DRAGON example data is not at {synthetic}")
    root = tmp_path_factory.mktemp(f"dragon-run-{request.param}")
    if request.param == "subset":
        for task in TASKS:
            subset_task_folder(synthetic, task, 0, root)
    else:
        for task in TASKS:
            cut_fold(synthetic, task, root, SAMPLE, shortest=False)
    out = root / "out"
    code = main(["dragon", "run", str(root / "input"), "--model", str(tiny_model),
                 "--out", str(out), "--threads", "1"])
    assert code == 0
    return root, out


def test_every_synthetic_task_scores_without_error(all_tasks_run):
    root, out = all_tasks_run
    metrics = evaluate_folder(out, root / "ground-truth", folds=[0])
    assert set(metrics["case"]) == set(TASKS)
    for task, folds in metrics["case"].items():
        score = folds[f"{task}-fold0"]
        assert math.isfinite(score), task
    assert math.isfinite(metrics["aggregates"]["overall"]["mean"])
    # The CLI scores the same folder.
    assert main(["dragon", "evaluate", "--predictions", str(out), "--ground-truth",
                 str(root / "ground-truth"), "--folds", "0"]) == 0


def test_prediction_files_have_the_test_uids_fields_and_types(all_tasks_run):
    root, out = all_tasks_run
    for task in TASKS:
        test = _read(root / "input" / f"{task}-fold0" / "nlp-test-dataset.json")
        rows = _read(out / f"{task}-fold0" / "nlp-predictions-dataset.json")
        field = PREDICTION_FIELDS[task[:7]]
        assert [r["uid"] for r in rows] == [r["uid"] for r in test], task
        assert all(set(r) == {"uid", field} for r in rows), task
        for row, case in zip(rows, test):
            value = row[field]
            if "binary" in field:
                scores = value if field.startswith("multi") else [value]
                assert len(scores) == (5 if field.startswith("multi") else 1)
                # The model's own probability: graded, never a hard 0/1.
                assert all(type(s) is float and 0.0 < s < 1.0 for s in scores), (task, value)
            elif "class" in field:
                labels = value if field.startswith("multi") else [value]
                assert all(isinstance(v, str) for v in labels)
            elif "regression" in field:
                numbers = value if field.startswith("multi") else [value]
                assert all(isinstance(v, (int, float)) and not isinstance(v, bool)
                           and math.isfinite(v) for v in numbers)
            else:
                assert len(value) == len(case["text_parts"]), task
                if field.startswith("multi"):
                    assert all(isinstance(tags, list) and tags for tags in value)
                else:
                    assert all(isinstance(tag, str) for tag in value)


def test_multi_class_predictions_stay_in_the_training_labels(all_tasks_run):
    root, out = all_tasks_run
    for task in ("Task102_Example_sl_mc_clf", "Task103_Example_mednli",
                 "Task105_Example_ml_mc_clf"):
        folder = read_task_folder(root / "input" / f"{task}-fold0")
        rows = _read(out / f"{task}-fold0" / "nlp-predictions-dataset.json")
        labels = {json.dumps(v) for r in folder.training for v in _flat(r[folder.label_name])}
        field = PREDICTION_FIELDS[task[:7]]
        assert all(json.dumps(v) in labels for r in rows for v in _flat(r[field]))


def test_each_task_folder_has_a_run_folder_and_notes(all_tasks_run):
    root, out = all_tasks_run
    for task in TASKS:
        task_out = out / f"{task}-fold0"
        manifest = _read(task_out / "run" / "manifest.json")
        assert manifest["status"] == "finished"
        assert manifest["task"]["dragon"]["task_name"] == task
        n = len(_read(root / "input" / f"{task}-fold0" / "nlp-test-dataset.json"))
        assert manifest["counts"]["total"] == n
        notes = _read(task_out / NOTES_FILE)
        assert notes["task_name"] == task
        assert set(notes["uids_with_fallbacks"]) <= {f["uid"] for f in notes["fallbacks"]}


def test_folder_detection(all_tasks_run, tmp_path):
    root, _ = all_tasks_run
    single = root / "input" / "Task101_Example_sl_bin_clf-fold0"
    assert find_task_folders(single) == [single]
    assert len(find_task_folders(root / "input")) == len(TASKS)
    with pytest.raises(DragonError, match="neither a DRAGON task folder"):
        find_task_folders(tmp_path)


# -- NER through the model, with bounds the tiny model can answer in its context ------------

def _small_ner_task(name: str):
    task = find_task(name)
    data = task.model_dump(mode="json")
    entities = data["fields"][0]
    entities["max_items"] = 4
    for item in entities["items"]["fields"]:
        if item["name"] == "text":
            item["max_length"] = 30
    return type(task).model_validate(data)


@pytest.mark.parametrize("task_name", ["Task108_Example_sl_ner", "Task109_Example_ml_ner"])
def test_ner_answers_are_aligned_to_the_given_tokens(tiny_model, synthetic, tmp_path, task_name):
    subset_task_folder(synthetic, task_name, 0, tmp_path, n=3)
    task = _small_ner_task(task_name)
    results = run_dragon(tmp_path / "input", tiny_model, tmp_path / "out", task=task)
    (result,) = results
    assert result.counts["error"] == 0
    task_out = tmp_path / "out" / f"{task_name}-fold0"
    notes = _read(task_out / NOTES_FILE)
    records = [Record.model_validate_json(line) for line in
               (task_out / "run" / "records.jsonl").read_text().splitlines()]
    named = sum(len(r.fields["entities"]) for r in records if r.fields)
    counted = sum(notes["ner_alignment"]["counts"].values()) + len(
        notes["ner_alignment"]["dropped_types"])
    assert counted == named
    evaluate_folder(tmp_path / "out", tmp_path / "ground-truth", folds=[0])


# -- limit, fold reuse, few-shot -------------------------------------------------------------

def test_limit_fills_the_rest_and_lists_them(tiny_model, synthetic, tmp_path):
    folder = synthetic / "algorithm-input" / "Task103_Example_mednli-fold0"
    out = tmp_path / "out"
    assert main(["dragon", "run", str(folder), "--model", str(tiny_model), "--out", str(out),
                 "--limit", "2"]) == 0
    rows = _read(out / folder.name / "nlp-predictions-dataset.json")
    assert len(rows) == 90
    notes = _read(out / folder.name / NOTES_FILE)
    assert len(notes["uids_with_fallbacks"]) == 88
    assert all("not run" in f["reason"] for f in notes["fallbacks"])
    evaluate_folder(out, synthetic / "ground-truth", ["Task103"], folds=[0])


def test_zero_shot_folds_share_the_answers_of_the_first(tiny_model, synthetic, tmp_path):
    for fold in (0, 1):
        subset_task_folder(synthetic, "Task103_Example_mednli", fold, tmp_path / f"f{fold}")
        shutil.move(tmp_path / f"f{fold}" / "input" / f"Task103_Example_mednli-fold{fold}",
                    tmp_path / "input" / f"Task103_Example_mednli-fold{fold}")
    said: list[str] = []
    results = run_dragon(tmp_path / "input", tiny_model, tmp_path / "out", on_status=said.append)
    assert [r.reused_from is None for r in results] == [True, False]
    a, b = (_read(Path(r.predictions)) for r in results)
    assert a == b
    # The second fold's answers are all there already: its model is never loaded.
    loaded = [s.split(":")[0] for s in said if "Loading the model" in s]
    assert loaded == ["Task103_Example_mednli-fold0"]


def test_the_cli_passes_seed_temperature_and_time_limit_to_the_run(tiny_model, synthetic,
                                                                    tmp_path):
    subset_task_folder(synthetic, "Task101_Example_sl_bin_clf", 0, tmp_path, n=2)
    out = tmp_path / "out"
    assert main(["dragon", "run", str(tmp_path / "input"), "--model", str(tiny_model),
                 "--out", str(out), "--threads", "1", "--seed", "7", "--temperature", "0.5",
                 "--time-limit", "60", "--limit", "1", "--ctx", "4096"]) == 0
    run = out / "Task101_Example_sl_bin_clf-fold0" / "run"
    options = _read(run / "manifest.json")["options"]
    assert options["decoding"]["seed"] == 7 and options["decoding"]["temperature"] == 0.5
    assert options["decoding"]["time_limit"] == 60 and options["hardware"]["n_threads"] == 1
    assert options["reading"]["limit"] == 1 and options["context"]["ctx_cap"] == 4096
    assert options["dragon"] == {"shots": 0, "fixed_shots": False}
    (record,) = [Record.model_validate_json(line)
                 for line in (run / "records.jsonl").read_text().splitlines()]
    assert record.time_limit_s == 60  # the limit reached the report's completion


def test_run_flags_out_of_bounds_are_one_line_errors(tiny_model, synthetic, tmp_path, capsys):
    folder = synthetic / "algorithm-input" / "Task101_Example_sl_bin_clf-fold0"
    assert main(["dragon", "run", str(folder), "--model", str(tiny_model), "--out",
                 str(tmp_path / "out"), "--temperature", "3"]) == 2
    assert "--temperature" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_few_shot_per_report_and_fixed(tiny_model, synthetic, tmp_path):
    subset_task_folder(synthetic, "Task103_Example_mednli", 0, tmp_path, n=3)
    runs = {}
    for name, dragon in {"zero": DragonOptions(),
                         "per_report": DragonOptions(shots=2),
                         "fixed": DragonOptions(shots=2, fixed_shots=True)}.items():
        (result,) = run_dragon(tmp_path / "input", tiny_model, tmp_path / name, dragon=dragon)
        records = [Record.model_validate_json(line) for line in
                   Path(result.run_dir, "records.jsonl").read_text().splitlines()]
        runs[name] = (_read(Path(result.run_dir) / "manifest.json"), records)
    zero = [r.tokens_prompt for r in runs["zero"][1]]
    assert all(f > z for f, z in zip([r.tokens_prompt for r in runs["per_report"][1]], zero))
    assert runs["per_report"][0]["options"]["dragon"]["shots"] == 2
    fixed_manifest, fixed_records = runs["fixed"]
    assert len(fixed_manifest["task"]["examples"]) == 2
    # In the fixed prefix the examples are evaluated once for the whole run.
    assert all(r.tokens_cached > z for r, z in zip(fixed_records[1:], zero[1:]))


def test_training_examples_fit_every_synthetic_task(synthetic):
    for task_name in TASKS:
        folder = read_task_folder(synthetic / "algorithm-input" / f"{task_name}-fold0")
        task = find_task(task_name)
        examples = training_examples(task, folder)
        assert examples, task_name
        for example in examples[:20]:
            assert validate_answer(task, example.answer)[1] == {}


def test_a_task_must_answer_the_folders_label(tmp_path, synthetic):
    folder = synthetic / "algorithm-input" / "Task101_Example_sl_bin_clf-fold0"
    other = load_task_file(Path(__file__).parents[3] / "tasks" / "dragon" /
                           "dragon_task106_example_sl_reg.json")
    with pytest.raises(DragonError, match="asks for single_label_binary"):
        run_dragon(folder, "unused.gguf", tmp_path, task=other)
