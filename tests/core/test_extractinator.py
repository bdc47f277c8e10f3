"""llm_extractinator Taskfile import: inline schemas, parser files read as data, never run."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from pluk.commands.tasks_import import add_import_command
from pluk.core.tasks import json_schema, validate_answer
from pluk.core.tasks.extractinator import ImportRefused, import_taskfile, parse_parser_source

SAFE_PARSER = '''"""A parser made by hand."""
from typing import List, Literal, Optional
from pydantic import BaseModel, Field
from enum import Enum


class Side(str, Enum):
    LEFT = "links"
    RIGHT = "rechts"


class Lesion(BaseModel):
    """One lesion."""
    size_mm: float = Field(..., description="Size in mm", ge=0, le=500)
    side: Optional[Side] = None


class OutputParser(BaseModel):
    psa: Optional[float] = Field(None, description="PSA in ng/mL")
    grade: Literal["laag", "hoog"]
    count: Literal[0, 1, 2, 3]
    lesions: List[Lesion] = Field(description="All")
'''


def write_taskfile(folder: Path, parser_format, **extra) -> Path:
    path = folder / "Task900_demo.json"
    path.write_text(json.dumps({"Task": "Demo", "Description": "Extract things.",
                                "Parser_Format": parser_format, **extra}), encoding="utf-8")
    return path


def test_inline_parser_format_with_every_type(tmp_path):
    spec = {
        "reasoning": {"type": "str", "description": "Why."},
        "present": {"type": "bool"},
        "count": {"type": "int", "literals": [0, 1, 2]},
        "size": {"type": "float", "optional": True},
        "grade": {"type": "str", "literals": ["laag", "hoog"]},
        "code": {"type": "int", "literals": [1, 5, 9]},
        "extra": {"type": "any"},
        "items": {"type": "list", "items": {"type": "list", "items": {"type": "str",
                                                                      "Optional": "True"}}},
        "case": {"type": "dict", "properties": {
            "number": {"type": "int"},
            "kind": {"type": "str", "examples": ["nodular"]}}},
    }
    task, notes = import_taskfile(write_taskfile(tmp_path, spec, Data_Path="x.json"),
                                  language="nl")
    assert task.id == "Task900_demo" and task.title == "Demo" and task.language == "nl"
    types = {f.name: f.type for f in task.fields}
    assert types == {"reasoning": "string", "present": "bool", "count": "int", "size": "float",
                     "grade": "enum", "code": "enum", "extra": "string", "items": "list",
                     "case": "object"}
    assert (task.field("count").minimum, task.field("count").maximum) == (0, 2)
    assert task.field("code").values == ["1", "5", "9"]
    assert task.field("size").optional and not task.field("present").optional
    assert "nodular" in task.field("case").fields[1].description
    joined = "\n".join(notes)
    for needle in ("'any' became a text field", "'Optional' is ignored", "'Data_Path'",
                   "became text labels", "200 characters"):
        assert needle in joined
    json_schema(task)


@pytest.mark.parametrize("spec, message", [
    ({"x": {"type": "date"}}, "unknown type 'date'"),
    ({"x": {"type": "dict"}}, "needs 'properties'"),
    ({"x": {"type": "list"}}, "needs 'items'"),
    ({"bad name": {"type": "str"}}, "field name 'bad name'"),
    ({"x": {"type": "str", "optional": "maybe"}}, "'optional' must be true or false"),
    ({}, "declares no fields"),
])
def test_inline_schemas_that_cannot_convert_are_refused_clearly(tmp_path, spec, message):
    with pytest.raises(ImportRefused, match=message):
        import_taskfile(write_taskfile(tmp_path, spec))


def test_every_shared_taskfile_converts_or_is_refused_with_a_reason(shared_dir):
    files = sorted((shared_dir / "dragon" / "llm_extractinator_taskfiles").glob("Task*.json"))
    assert len(files) == 37
    for path in files:
        try:
            task, _ = import_taskfile(path, language="nl")
        except ImportRefused as exc:
            assert path.name in str(exc) and len(str(exc)) > 40
            continue
        assert task.fields and task.description
        json_schema(task)


def test_a_parser_file_is_read_as_declarations(tmp_path):
    (tmp_path / "parsers").mkdir()
    (tmp_path / "parsers" / "demo.py").write_text(SAFE_PARSER, encoding="utf-8")
    task, notes = import_taskfile(write_taskfile(tmp_path, "demo.py"))
    fields = {f.name: f for f in task.fields}
    assert fields["psa"].type == "float" and fields["psa"].optional
    assert fields["psa"].description == "PSA in ng/mL"
    assert fields["grade"].values == ["laag", "hoog"]
    assert (fields["count"].minimum, fields["count"].maximum) == (0, 3)
    lesion = fields["lesions"].items
    assert lesion.type == "object" and lesion.fields[0].maximum == 500
    assert lesion.fields[1].type == "enum" and lesion.fields[1].values == ["links", "rechts"]
    answer = {"psa": None, "grade": "hoog", "count": 2,
              "lesions": [{"size_mm": 12.5, "side": "links"}]}
    assert validate_answer(task, answer)[1] == {}


MALICIOUS = {
    "module-level call": ("import os\nos.system('touch {marker}')\n", "line 1"),
    "call from an allowed import": (
        "from pydantic import BaseModel\n__import__('os').system('touch {marker}')\n"
        "class OutputParser(BaseModel):\n    x: int\n", "line 2: a function call"),
    "code as a default": (
        "from pydantic import BaseModel\nclass OutputParser(BaseModel):\n"
        "    x: int = __import__('os').system('touch {marker}')\n", "line 3"),
    "code in Field()": (
        "from pydantic import BaseModel, Field\nclass OutputParser(BaseModel):\n"
        "    x: int = Field(default=open('{marker}', 'w'))\n", "line 3"),
    "validator": (
        "from pydantic import BaseModel\nclass OutputParser(BaseModel):\n    x: int\n"
        "    def check(self):\n        open('{marker}', 'w')\n", "line 4: method 'check'"),
    "decorator": (
        "from pydantic import BaseModel\n@print\nclass OutputParser(BaseModel):\n    x: int\n",
        "line 2"),
    "annotation with a call": (
        "from pydantic import BaseModel\nclass OutputParser(BaseModel):\n"
        "    x: __import__('os').system('touch {marker}')\n", "line 3"),
    "unknown type": (
        "from pydantic import BaseModel\nfrom typing import Dict\nclass OutputParser(BaseModel):\n"
        "    x: Dict[str, str]\n", "line 4: OutputParser.x: free-form dicts"),
    "import of another module": (
        "from subprocess import run\n", "line 1: import from subprocess"),
}


@pytest.mark.parametrize("case", sorted(MALICIOUS))
def test_code_in_a_parser_is_refused_with_its_line_and_never_runs(tmp_path, case):
    marker = tmp_path / "pwned"
    source, where = MALICIOUS[case]
    (tmp_path / "evil.py").write_text(source.format(marker=marker), encoding="utf-8")
    taskfile = write_taskfile(tmp_path, "evil.py")
    with pytest.raises(ImportRefused, match="never runs them") as info:
        import_taskfile(taskfile)
    assert where in str(info.value)
    assert "evil.py" in str(info.value)
    assert not marker.exists()


def test_the_output_model_is_outputparser_or_the_single_top_level_model():
    source = ("from pydantic import BaseModel\nclass Inner(BaseModel):\n    a: int\n"
              "class Report(BaseModel):\n    inner: 'Inner'\n")
    notes: list[str] = []
    fields = parse_parser_source(source, "p.py", notes)
    assert fields[0]["name"] == "inner" and fields[0]["type"] == "object"
    assert "used Report" in notes[0]
    with pytest.raises(ImportRefused, match="refers to itself"):
        parse_parser_source("from pydantic import BaseModel\nfrom typing import List, Optional"
                            "\nclass OutputParser(BaseModel):\n"
                            "    kids: Optional[List['OutputParser']] = None\n")


def test_cli_writes_the_task_and_refuses_to_overwrite(tmp_path, capsys):
    from pluk.core.errors import PlukError
    from pluk.core.tasks import load_task_file

    taskfile = write_taskfile(tmp_path, {"label": {"type": "bool"}})
    parser = argparse.ArgumentParser()
    tasks = parser.add_subparsers(dest="cmd").add_parser("tasks").add_subparsers(dest="sub")
    add_import_command(tasks)
    out = tmp_path / "out" / "demo.json"
    args = parser.parse_args(["tasks", "import-extractinator", str(taskfile), "--out", str(out),
                              "--language", "nl", "--id", "demo_nl"])
    assert args.func(args) == 0
    task = load_task_file(out)
    assert task.id == "demo_nl" and task.language == "nl"
    with pytest.raises(PlukError, match="already exists"):
        args.func(args)
    args = parser.parse_args(["tasks", "import-extractinator", str(taskfile)])
    capsys.readouterr()
    assert args.func(args) == 0
    assert json.loads(capsys.readouterr().out)["fields"][0]["type"] == "bool"
