"""The DRAGON task registry against docs/dragon.md §1 and the example task configurations."""

import json
from collections import Counter

import pytest

from pluk.core.dragon.errors import DragonError
from pluk.core.dragon.tasks import (
    BENCHMARK_TASKS,
    SYNTHETIC_TASKS,
    TASKS,
    get_task,
    task_for_configuration,
)


def test_registry_holds_the_28_benchmark_and_9_synthetic_tasks():
    assert len(BENCHMARK_TASKS) == 28 and len(SYNTHETIC_TASKS) == 9
    assert [name[:7] for name in BENCHMARK_TASKS] == [f"Task{i:03d}" for i in range(1, 29)]
    assert [name[:7] for name in SYNTHETIC_TASKS] == [f"Task{i:03d}" for i in range(101, 110)]


def test_benchmark_task_types_match_the_published_counts():
    counts = Counter(TASKS[name].label_name for name in BENCHMARK_TASKS)
    assert counts == {
        "single_label_binary_classification_target": 8,
        "single_label_multi_class_classification_target": 6,
        "multi_label_binary_classification_target": 2,
        "multi_label_multi_class_classification_target": 2,
        "single_label_regression_target": 5,
        "multi_label_regression_target": 1,
        "named_entity_recognition_target": 2,
        "multi_label_named_entity_recognition_target": 2,
    }


def test_metrics_and_epsilons():
    assert {n[:7] for n, t in TASKS.items() if t.metric == "linear_kappa"} == {
        "Task010", "Task011", "Task014", "Task102", "Task103"
    }
    assert get_task("Task015").metric == "macro_auc"
    assert get_task("Task016").metric == "auc"
    assert {n[:7]: t.epsilon for n, t in TASKS.items() if t.metric == "rsmape"} == {
        "Task019": 4.0, "Task020": 0.4, "Task021": 0.04, "Task022": 4.0, "Task023": 4.0,
        "Task024": 4.0, "Task106": 4.0, "Task107": 4.0,
    }
    assert get_task("Task027").prediction_name == "multi_label_named_entity_recognition"


def test_get_task_by_prefix_and_unknown_name():
    assert get_task("Task014").name == "Task014_textual_entailment_clf"
    with pytest.raises(DragonError, match="unknown"):
        get_task("Task014_entailment")


def test_registry_agrees_with_the_example_task_configurations(synthetic):
    configs = sorted((synthetic / "algorithm-input").glob("*-fold0/nlp-task-configuration.json"))
    assert len(configs) == 9
    for path in configs:
        config = json.loads(path.read_text())
        assert task_for_configuration(config).name == config["task_name"]


def test_a_configuration_with_another_label_name_is_refused():
    config = {
        "task_name": "Task101_Example_sl_bin_clf",
        "label_name": "single_label_regression_target",
    }
    with pytest.raises(DragonError, match="label_name"):
        task_for_configuration(config)
