"""Task files are bounded when they are read (issue 29, items 12 and 15): their size, the number
of fields and of allowed values, how deep fields nest and how deep the JSON nests. Each is a
one-line refusal before a run starts, never a traceback (or an hour of work) later; the same
holds for llm_extractinator Taskfiles and DRAGON's nlp-task-configuration.json."""

from __future__ import annotations

import json

import pytest

from pluk.cli import main
from pluk.core.dragon.errors import DragonError
from pluk.core.dragon.folders import CONFIG_FILE, TEST_FILE, find_task_folders, read_task_folder
from pluk.core.dragon.tasks import task_for_configuration
from pluk.core.errors import TaskError
from pluk.core.tasks import json_schema, pydantic_model, validate_answer
from pluk.core.tasks import loader
from pluk.core.tasks.extractinator import ImportRefused, import_taskfile, parse_parser_source
from pluk.core.tasks.loader import load_task_file, parse_task


def task(fields, **extra) -> dict:
    return {"id": "t", "title": "T", "description": "D.", "fields": fields, **extra}


def nested_lists(levels: int) -> dict:
    """A field of `levels` lists inside each other around an int: levels + 1 deep."""
    spec: dict = {"type": "int"}
    for _ in range(levels):
        spec = {"type": "list", "items": spec}
    return {"name": "x", **spec}


def write(tmp_path, data, name="t.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def one_line(exc: pytest.ExceptionInfo) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


# -- item 12: size, fields and allowed values -----------------------------------------------------

def test_a_task_file_over_the_size_limit_is_refused_unread(tmp_path):
    assert loader.MAX_TASK_FILE_BYTES == 1024 * 1024
    path = write(tmp_path, task([{"name": "x", "type": "int"}],
                                instructions="Lees goed. " * 200_000))
    with pytest.raises(TaskError) as exc:
        load_task_file(path)
    message = one_line(exc)
    assert "2.1 MB" in message and "limit of 1.0 MB" in message and str(path) in message


def test_instructions_over_the_text_limit_are_refused_in_a_task_not_from_a_file():
    with pytest.raises(TaskError) as exc:
        parse_task(task([{"name": "x", "type": "int"}], instructions="x" * 2_000_000),
                   "this task")
    assert "characters" in one_line(exc) and "1,000,000" in str(exc.value)


def test_an_enum_with_too_many_values_is_refused(tmp_path):
    values = [f"v{i}" for i in range(loader.MAX_ENUM_VALUES + 1)]
    with pytest.raises(TaskError) as exc:
        load_task_file(write(tmp_path, task([{"name": "code", "type": "enum", "values": values}])))
    message = one_line(exc)
    assert "code" in message and f"{len(values):,} allowed values" in message
    assert f"at most {loader.MAX_ENUM_VALUES:,}" in message


def test_a_million_enum_values_are_refused_by_size_first(tmp_path):
    values = [f"v{i}" for i in range(1_000_000)]
    with pytest.raises(TaskError) as exc:
        load_task_file(write(tmp_path, task([{"name": "code", "type": "enum", "values": values}])))
    assert "over the limit of 1.0 MB" in one_line(exc)


def test_too_many_fields_are_refused():
    fields = [{"name": f"f{i}", "type": "int"} for i in range(loader.MAX_FIELDS + 1)]
    with pytest.raises(TaskError) as exc:
        parse_task(task(fields), "t.json")
    assert f"{len(fields)} fields" in one_line(exc) and f"at most {loader.MAX_FIELDS}" in \
        str(exc.value)


def test_the_largest_allowed_task_loads():
    values = [f"v{i}" for i in range(loader.MAX_ENUM_VALUES)]
    fields = [{"name": f"f{i}", "type": "int"} for i in range(loader.MAX_FIELDS - 1)]
    parse_task(task([*fields, {"name": "code", "type": "enum", "values": values}]), "t.json")


# -- item 15: nesting ---------------------------------------------------------------------------

def test_sixty_nested_lists_are_refused_when_the_task_is_read_not_after_the_model(tmp_path):
    path = write(tmp_path, task([nested_lists(60)]))
    assert path.stat().st_size < 3000
    with pytest.raises(TaskError) as exc:
        load_task_file(path)
    message = one_line(exc)
    assert "fields[0] (x)" in message and "61 levels deep" in message
    assert f"at most {loader.MAX_FIELD_DEPTH}" in message


def test_tasks_show_refuses_it_with_one_line(tmp_path, capsys):
    path = write(tmp_path, task([nested_lists(60)]))
    assert main(["tasks", "show", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "levels deep" in err and "Traceback" not in err


def test_objects_count_as_levels_too():
    spec: dict = {"name": "v", "type": "int"}
    for _ in range(loader.MAX_FIELD_DEPTH):
        spec = {"name": "v", "type": "object", "fields": [spec]}
    with pytest.raises(TaskError) as exc:
        parse_task(task([spec]), "t.json")
    assert f"{loader.MAX_FIELD_DEPTH + 1} levels deep" in one_line(exc)


def test_a_task_at_the_depth_limit_validates_answers_deep_in_the_stack():
    levels = loader.MAX_FIELD_DEPTH - 1  # lists, plus the int inside them
    answer: object = 7
    for _ in range(levels):
        answer = [answer]
    t = parse_task(task([nested_lists(levels)]), "t.json")

    def deep_in(frames: int):  # a run answers deep in threads, the GUI and the engine
        if frames:
            return deep_in(frames - 1)
        json_schema(t)
        pydantic_model(t)
        return validate_answer(t, {"x": answer})

    assert deep_in(300) == ({"x": answer}, {})


def test_a_task_file_of_json_nested_too_deep_is_refused(tmp_path):
    path = write(tmp_path, '{"id": "t", "fields": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(TaskError) as exc:
        load_task_file(path)
    assert "nested 100,001 levels deep" in one_line(exc) and str(path) in str(exc.value)


def test_task_data_nested_too_deep_is_refused_without_a_file():
    data = task([{"name": "x", "type": "int"}])
    inner: list = []
    for _ in range(5000):
        inner = [inner]
    data["examples"] = [{"text": "x", "answer": {"x": inner}}]
    with pytest.raises(TaskError) as exc:
        parse_task(data, "this task")
    assert "levels deep" in one_line(exc)


# -- llm_extractinator Taskfiles ------------------------------------------------------------------

def write_taskfile(folder, parser_format):
    return write(folder, {"Description": "x", "Parser_Format": parser_format}, "Task900_d.json")


def test_a_taskfile_of_json_nested_too_deep_is_refused(tmp_path):
    path = write(tmp_path, '{"Description": "x", "Parser_Format": ' + "[" * 100_000
                 + "]" * 100_000 + "}", "Task900_deep.json")
    with pytest.raises(ImportRefused) as exc:
        import_taskfile(path)
    assert "nested 100,001 levels deep" in one_line(exc)


def test_a_taskfile_with_inline_fields_nested_too_deep_is_refused(tmp_path):
    spec: dict = {"type": "int"}
    for _ in range(60):
        spec = {"type": "list", "items": spec}
    path = write(tmp_path, {"Description": "x", "Parser_Format": {"x": spec}}, "Task900_d.json")
    with pytest.raises(TaskError) as exc:
        import_taskfile(path)
    assert "levels deep" in one_line(exc)


def test_a_taskfile_over_the_size_limit_is_refused(tmp_path):
    path = write(tmp_path, {"Description": "x" * 2_000_000, "Parser_Format": {"x": {
        "type": "int"}}}, "Task900_big.json")
    with pytest.raises(ImportRefused) as exc:
        import_taskfile(path)
    assert "over the limit of 1.0 MB" in one_line(exc)


@pytest.mark.parametrize("expression", ["-" * 100_000 + "1", "+".join(["1"] * 100_000)])
def test_a_parser_file_too_deep_for_python_s_parser_is_refused(expression):
    source = ("from pydantic import BaseModel\nclass OutputParser(BaseModel):\n"
              f"    x: int = {expression}\n")
    with pytest.raises(ImportRefused) as exc:
        parse_parser_source(source, "p.py", [])
    assert "p.py" in one_line(exc) and "too deep" in str(exc.value)


def test_a_parser_file_with_types_nested_too_deep_is_refused(tmp_path):
    inner = "List[" * 180 + "int" + "]" * 180  # a string annotation, parsed once more
    (tmp_path / "parsers").mkdir()
    (tmp_path / "parsers" / "deep.py").write_text(
        "from typing import List\nfrom pydantic import BaseModel\n"
        "class OutputParser(BaseModel):\n"
        f"    x: {'List[' * 180}'{inner}'{']' * 180}\n", encoding="utf-8")
    with pytest.raises(TaskError) as exc:
        import_taskfile(write_taskfile(tmp_path, "deep.py"))
    assert "levels deep" in one_line(exc)


# -- DRAGON's nlp-task-configuration.json ---------------------------------------------------------

def test_a_dragon_configuration_nested_too_deep_is_refused(tmp_path):
    folder = tmp_path / "Task101_Example_sl_bin_clf-fold0"
    folder.mkdir()
    (folder / CONFIG_FILE).write_text('{"task_name": ' + "[" * 100_000 + "]" * 100_000 + "}",
                                      encoding="utf-8")
    (folder / TEST_FILE).write_text("[]", encoding="utf-8")
    [found] = find_task_folders(tmp_path)
    with pytest.raises(DragonError) as exc:
        read_task_folder(found)
    assert CONFIG_FILE in one_line(exc) and "nested 100,001 levels deep" in str(exc.value)


@pytest.mark.parametrize("config", [
    {"task_name": ["Task101"], "label_name": "single_label_binary_classification_target"},
    {"task_name": "Task101_Example_sl_bin_clf", "label_name": {"a": 1}},
    {"task_name": "Task101_Example_sl_bin_clf",
     "label_name": "single_label_binary_classification_target", "input_name": [1]},
])
def test_a_dragon_configuration_of_the_wrong_shape_is_refused(tmp_path, config):
    folder = tmp_path / "Task101_Example_sl_bin_clf-fold0"
    folder.mkdir()
    (folder / CONFIG_FILE).write_text(json.dumps(config), encoding="utf-8")
    (folder / TEST_FILE).write_text("[]", encoding="utf-8")
    with pytest.raises(DragonError) as exc:
        read_task_folder(folder)
    assert CONFIG_FILE in one_line(exc)


@pytest.mark.parametrize("config", [[1], "x", None])
def test_task_for_configuration_refuses_what_is_not_an_object(config):
    with pytest.raises(DragonError):
        task_for_configuration(config)
