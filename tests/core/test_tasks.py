"""Task files: loading, every field type's validation, and complete error reports."""

from __future__ import annotations

import json

import pytest

from pluk.core.errors import TaskError
from pluk.core.tasks import json_schema, list_tasks, load_task, pydantic_model, validate_answer
from pluk.core.tasks.loader import load_task_file, parse_task

ALL_TYPES = {
    "id": "all_types",
    "title": "Every field type",
    "description": "A task using each field type once.",
    "language": "nl",
    "fields": [
        {"name": "flag", "type": "bool"},
        {"name": "count", "type": "int", "minimum": 0, "maximum": 10},
        {"name": "size", "type": "float", "unit": "mm", "optional": True},
        {"name": "note", "type": "string", "max_length": 5},
        {"name": "grade", "type": "enum", "values": ["laag", "hoog"]},
        {"name": "tags", "type": "list", "max_items": 2, "items": {"type": "string"}},
        {"name": "lesion", "type": "object", "fields": [
            {"name": "site", "type": "string"}, {"name": "new", "type": "bool", "optional": True}]},
    ],
}
GOOD = {"flag": True, "count": 3, "size": None, "note": "abc", "grade": "hoog",
        "tags": ["a", "b"], "lesion": {"site": "long", "new": None}}


def test_every_field_type_accepts_a_valid_answer():
    task = parse_task(ALL_TYPES, "all_types.json")
    fields, errors = validate_answer(task, GOOD)
    assert errors == {}
    assert fields == GOOD
    pydantic_model(task).model_validate(fields)  # the model agrees with field-wise validation


@pytest.mark.parametrize("field, bad", [
    ("flag", "yes"), ("count", 11), ("count", 2.5), ("size", "big"), ("note", "too long"),
    ("grade", "middel"), ("tags", ["a", "b", "c"]), ("lesion", {"site": 4, "new": None}),
])
def test_a_bad_value_nulls_that_field_only_with_a_reason(field, bad):
    task = parse_task(ALL_TYPES, "all_types.json")
    fields, errors = validate_answer(task, {**GOOD, field: bad})
    assert set(errors) == {field}
    assert fields[field] is None
    assert errors[field]
    assert {k: v for k, v in fields.items() if k != field} == {
        k: v for k, v in GOOD.items() if k != field}


def test_null_for_a_required_field_and_a_missing_key_are_reported():
    task = parse_task(ALL_TYPES, "all_types.json")
    answer = dict(GOOD, flag=None)
    del answer["grade"]
    fields, errors = validate_answer(task, answer)
    assert fields["flag"] is None and "required" in errors["flag"]
    assert fields["grade"] is None and "missing" in errors["grade"]


def test_schema_bounds_every_string_and_list():
    task = parse_task(ALL_TYPES, "all_types.json")
    schema = json_schema(task)

    def walk(node):
        if "anyOf" in node:
            for option in node["anyOf"]:
                walk(option)
            return
        if node.get("type") == "string" and "enum" not in node:
            assert node["maxLength"] >= 1
        if node.get("type") == "array":
            assert node["maxItems"] >= 1
            walk(node["items"])
        if node.get("type") == "object":
            assert node["required"] == list(node["properties"])
            for sub in node["properties"].values():
                walk(sub)

    walk(schema)
    assert list(schema["properties"]) == [f["name"] for f in ALL_TYPES["fields"]]


def test_every_problem_is_reported_with_file_field_and_reason(tmp_path):
    bad = {
        "id": "bad id", "title": "t", "description": "d", "colour": "red",
        "fields": [
            {"name": "a", "type": "enum", "values": []},
            {"name": "b", "type": "strin"},
            {"name": "c", "type": "int", "minimum": 5, "maximum": 1},
            {"name": "a", "type": "bool"},
        ],
    }
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    with pytest.raises(TaskError) as info:
        load_task_file(path)
    message = str(info.value)
    for expected in ["bad.json: id", "colour", "fields[0] (a).values", "fields[1] (b)",
                     "fields[2] (c)", "minimum is larger than maximum"]:
        assert expected in message
    assert "problems in the task" in message


def test_duplicate_names_and_invalid_json_are_reported(tmp_path):
    dup = dict(ALL_TYPES, fields=[{"name": "a", "type": "bool"}, {"name": "a", "type": "int"}])
    with pytest.raises(TaskError, match="used twice"):
        parse_task(dup, "dup.json")
    path = tmp_path / "broken.json"
    path.write_text('{"id": "x",')
    with pytest.raises(TaskError, match=r"broken.json: not valid JSON \(line 1"):
        load_task_file(path)


def test_examples_are_validated_against_the_fields():
    task = dict(ALL_TYPES, examples=[{"text": "Verslag.", "answer": dict(GOOD, count=99)}])
    with pytest.raises(TaskError, match=r"examples\[0\].answer.count"):
        parse_task(task, "ex.json")


def test_library_tasks_load_and_unknown_ids_suggest_the_closest():
    tasks, problems = list_tasks()
    ids = {t.id for _, t in tasks}
    assert {"prostate_mri_nl", "pathology_tissue_nl", "radiology_findings_nl"} <= ids
    assert problems == []
    # A misspelling gets the closest ids, not the whole library on one line.
    with pytest.raises(TaskError, match=r"Did you mean prostate_mri_nl\?") as raised:
        load_task("prostate_mri_n")
    assert "dragon_task001" not in str(raised.value)
    with pytest.raises(TaskError, match="Did you mean .*pathology_tissue_nl"):
        load_task("pathology")
    with pytest.raises(TaskError, match="pluk tasks list"):
        load_task("zzzz")


def test_a_task_file_is_data_never_code(tmp_path):
    marker = tmp_path / "pwned"
    hostile = dict(ALL_TYPES, id="hostile",
                   description=f"__import__('pathlib').Path('{marker}').touch()")
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile))
    task = load_task(str(path))
    validate_answer(task, GOOD)
    pydantic_model(task)
    assert not marker.exists()


def test_an_out_of_range_number_is_null_with_what_the_model_wrote():
    task = parse_task(ALL_TYPES, "all_types.json")
    fields, errors = validate_answer(task, {**GOOD, "count": 100})
    assert fields["count"] is None
    assert errors["count"] == "the model wrote 100, above the maximum 10"
    fields, errors = validate_answer(task, {**GOOD, "count": -1})
    assert errors["count"] == "the model wrote -1, below the minimum 0"


def test_a_whole_number_written_with_decimals_is_read_and_a_fraction_is_refused():
    task = parse_task(ALL_TYPES, "all_types.json")
    fields, errors = validate_answer(task, {**GOOD, "count": 3.0})
    assert errors == {} and fields["count"] == 3 and isinstance(fields["count"], int)
    fields, errors = validate_answer(task, {**GOOD, "count": 2.5})
    assert fields["count"] is None and errors["count"] == "the model wrote 2.5, not a whole number"


def test_a_number_like_choice_written_bare_maps_to_the_choice():
    task = parse_task({**ALL_TYPES, "fields": [
        {"name": "pirads", "type": "enum", "values": ["1", "2", "3", "4", "5"]}]}, "t.json")
    assert validate_answer(task, {"pirads": 4}) == ({"pirads": "4"}, {})
    fields, errors = validate_answer(task, {"pirads": 7})
    assert fields["pirads"] is None and "not one of the choices" in errors["pirads"]


def test_a_repeated_list_item_is_kept_once_with_a_note():
    task = parse_task(ALL_TYPES, "all_types.json")
    notes: list[str] = []
    fields, errors = validate_answer(task, {**GOOD, "tags": ["a", "a"]}, notes)
    assert errors == {} and fields["tags"] == ["a"]
    assert notes == ["tags: the model repeated 1 list item(s); each is kept once"]
