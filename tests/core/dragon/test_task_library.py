"""The DRAGON task library (tasks/dragon/): 37 tasks whose kinds, label vocabularies and label
orders match the DRAGON registry, the public facts and the public data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from pluk.core.dragon.tasks import TASKS
from pluk.core.errors import TaskError
from pluk.core.tasks import json_schema, list_tasks
from pluk.core.tasks.loader import parse_task

from .conftest import SHARED, SYNTHETIC

LIBRARY = Path(__file__).parents[3] / "tasks" / "dragon"
SAMPLES = SHARED / "dragon" / "sample_reports" / "dutch_sample_reports_dragon_format.json"

# Label vocabularies and orders as stored in the DRAGON data (docs/dragon.md §1).
VOCABULARY = {
    "Task009_pdac_diagnosis_clf": [{"PDAC", "Other pancreatic disease", "Normal pancreas"}],
    "Task010_prostate_radiology_clf": [{"0", "1", "2", "3", "4"}],
    "Task011_prostate_pathology_clf": [{"0", "1", "2", "3"}],
    "Task012_pathology_tissue_type_clf": [{"Biopsy", "Resection", "Excision"}],
    "Task013_pathology_tissue_origin_clf": [
        {"lung", "lymph node", "bronchus", "liver", "brain", "bone", "other"}],
    "Task014_textual_entailment_clf": [{"contradiction", "entailment", "neutral"}],
    "Task017_pdac_attributes_clf": [{"hyper", "hypo", "iso", "not mentioned"},
                                    {"head", "body", "tail", "not mentioned"}],
    "Task018_osteoarthritis_clf": [{"0", "1", "2", "3", "4", "n", "p"}] * 2,
}
POSITIONS = {
    "Task015_colon_pathology_clf": ["biopsy", "cancer", "high_grade_dysplasia",
                                    "hyperplastic_polyp", "low_grade_dysplasia",
                                    "non_informative", "serrated_polyp"],
    "Task016_recist_lesion_size_presence_clf": [f"lesion_{i}" for i in range(1, 6)],
    "Task017_pdac_attributes_clf": ["attenuation", "location"],
    "Task018_osteoarthritis_clf": ["left", "right"],
    "Task024_recist_lesion_size_reg": [f"lesion_{i}" for i in range(1, 6)],
    "Task104_Example_ml_bin_clf": [f"lesion_{i}" for i in range(1, 6)],
    "Task105_Example_ml_mc_clf": ["diagnosis", "treatment"],
    "Task107_Example_ml_reg": [f"lesion_{i}" for i in range(1, 6)],
}
UNITS = {"Task019_prostate_volume_reg": "cm³", "Task020_psa_reg": "ng/mL",
         "Task021_psad_reg": "ng/mL²", "Task022_pdac_size_reg": "mm",
         "Task023_nodule_diameter_reg": "mm", "Task024_recist_lesion_size_reg": "mm",
         "Task106_Example_sl_reg": "mm", "Task107_Example_ml_reg": "mm"}
RIGHT_TRUNCATED = {"Task005", "Task006", "Task013", "Task019", "Task020", "Task021"}
NER_TYPES = {
    "Task025_anonymisation_ner": {"<PERSOON>", "<DATUM>", "<TIJD>", "<PLAATS>", "<PHINUMMER>",
                                  "<RAPPORT_ID>", "<STUDIE_NAAM>", "<ACCREDITATIE_NUMMER>",
                                  "<LEEFTIJD>"},
    "Task026_medical_terminology_ner": {"MENTION"},
    "Task027_prostate_biopsy_ner": {"locatie naald", "representatief", "niet representatief",
                                    "ambigu"},
}
# Spellings in the public sample that differ from dragon_prep's labels (docs/dragon.md §1).
KNOWN_SAMPLE_SPELLINGS = {"<RAPPORT-ID>", "<ACCREDATIE_NUMMER>"}


def library() -> dict[str, tuple[Path, object]]:
    tasks, problems = list_tasks()
    assert problems == []
    found = {t.dragon.task_name: (p, t) for p, t in tasks if t.dragon is not None}
    return found


def label_fields(task) -> list:
    return [task.field(name) for name in task.dragon.fields]


def entity_types(task) -> list[str]:
    entity = label_fields(task)[0].items
    return next(f for f in entity.fields if f.name == "type").values


def test_every_task_file_loads_and_the_37_dragon_tasks_exist():
    found = library()
    assert set(found) == set(TASKS)
    for name, (path, task) in found.items():
        assert path.parent == LIBRARY
        assert path.stem == task.id and task.id.startswith("dragon_task")
        assert task.id.startswith("dragon_" + name[:7].lower())
        json_schema(task)


def test_kinds_languages_and_truncation_match_the_registry():
    for name, (_, task) in library().items():
        spec = task.dragon
        assert spec.label_name == TASKS[name].label_name
        assert spec.kind == TASKS[name].prediction_name
        assert task.language == ("en" if name > "Task100" else "nl")
        assert task.too_long == "truncate"
        if name < "Task100":
            expected = "right" if name[:7] in RIGHT_TRUNCATED else "left"
            assert task.truncation_side == expected, name


def test_field_types_follow_the_kind():
    for name, (_, task) in library().items():
        fields = label_fields(task)
        kind = task.dragon.kind
        if kind.endswith("binary_classification"):
            assert all(f.type == "bool" for f in fields)
        elif kind.endswith("multi_class_classification"):
            assert all(f.type == "enum" for f in fields)
        elif kind.endswith("regression"):
            assert all(f.type == "float" and f.unit == UNITS[name] for f in fields)
            # single-label regression always yields a number; absent lesions may be null
            assert all(f.optional == (kind == "multi_label_regression") for f in fields)
        else:
            entity = fields[0].items
            assert fields[0].type == "list" and entity.type == "object"
            assert {"text", "type"} <= {f.name for f in entity.fields}
            numbered = "{number}" in task.dragon.entity_tag
            assert numbered == (kind == "multi_label_named_entity_recognition")
        if kind.startswith("multi_label") and "entity" not in kind:
            assert task.dragon.fields == POSITIONS[name]
        else:
            assert len(fields) == 1


def test_label_vocabularies_are_spelled_as_in_the_dragon_data():
    found = library()
    for name, vocabularies in VOCABULARY.items():
        task = found[name][1]
        assert [set(f.values) for f in label_fields(task)] == vocabularies, name
    for name, types in NER_TYPES.items():
        assert set(entity_types(found[name][1])) == types


def test_a_dragon_key_that_does_not_fit_the_task_is_refused():
    path, task = library()["Task001_adhesion_clf"]
    data = json.loads(path.read_text(encoding="utf-8"))
    bad = dict(data, dragon=dict(data["dragon"], fields=["nope"]))
    with pytest.raises(TaskError, match="dragon.fields names 'nope'"):
        parse_task(bad, "bad.json")
    bad = dict(data, dragon=dict(data["dragon"], label_name="multi_label_regression_target"))
    with pytest.raises(TaskError, match="label_name must be"):
        parse_task(bad, "bad.json")


def _dataset_records(task_name: str) -> list[dict]:
    records = []
    for folder in sorted((SYNTHETIC / "algorithm-input").glob(f"{task_name}-fold*")):
        for kind in ("training", "validation"):
            records += json.loads((folder / f"nlp-{kind}-dataset.json").read_text())
    records += json.loads((SYNTHETIC / "ground-truth" / f"{task_name}.json").read_text())
    return records


def test_synthetic_tasks_match_the_labels_and_configuration_of_the_data(synthetic):
    for name, (_, task) in library().items():
        if name < "Task100":
            continue
        config = json.loads((synthetic / "algorithm-input" / f"{name}-fold0" /
                             "nlp-task-configuration.json").read_text())
        assert config["label_name"] == task.dragon.label_name
        assert config["recommended_truncation_side"] == task.truncation_side
        labels = [r[config["label_name"]] for r in _dataset_records(name)]
        fields = label_fields(task)
        kind = task.dragon.kind
        if kind.endswith("multi_class_classification"):
            columns = [labels] if kind.startswith("single") else list(zip(*labels))
            for field, column in zip(fields, columns, strict=True):
                assert set(column) == set(field.values), (name, field.name)
        elif kind.startswith("multi_label") and "entity" not in kind:
            assert {len(v) for v in labels} == {len(fields)}
        elif kind == "named_entity_recognition":
            used = {tag[2:] for tags in labels for tag in tags if tag != "O"}
            assert used == set(entity_types(task))
        elif kind == "multi_label_named_entity_recognition":
            used = {tag[2:] for tags in labels for token in tags for tag in token if tag != "O"}
            allowed = {task.dragon.entity_tag.format(number=n, type=t)
                       for n in range(0, 100) for t in entity_types(task)}
            assert used and used <= allowed


def test_the_dutch_sample_labels_are_in_the_vocabularies():
    if not SAMPLES.is_file():
        pytest.skip(f"the DRAGON sample reports are not at {SAMPLES}")
    found = library()
    for sample in json.loads(SAMPLES.read_text(encoding="utf-8")):
        task = found[sample["task_name"]][1]
        value = sample[task.dragon.label_name]
        kind = task.dragon.kind
        fields = label_fields(task)
        if kind.endswith("multi_class_classification"):
            values = [value] if kind.startswith("single") else value
            for field, label in zip(fields, values, strict=True):
                assert label in field.values, (sample["task_name"], label)
        elif kind == "named_entity_recognition":
            used = {tag[2:] for tag in value if tag != "O"}
            assert used - KNOWN_SAMPLE_SPELLINGS <= set(entity_types(task))
        elif kind == "multi_label_named_entity_recognition":
            used = {tag[2:] for token in value for tag in token if tag != "O"}
            allowed = {task.dragon.entity_tag.format(number=n, type=t)
                       for n in range(1, 100) for t in entity_types(task)}
            assert used <= allowed, used - allowed
        elif kind.startswith("multi_label"):
            assert len(value) == len(fields)
    assert Counter(s["task_name"][:7] for s in json.loads(SAMPLES.read_text())) == Counter(
        n[:7] for n in TASKS if n < "Task100")
