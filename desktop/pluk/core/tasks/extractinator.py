"""Imports llm_extractinator Taskfiles as Pluk tasks, reading their parsers as data only.

A Taskfile (`TaskNNN_name.json`: Description, Parser_Format, ...) gives its output schema either
inline, as a dict of field specs, or as the name of a Python file under `parsers/` holding a
pydantic `OutputParser` class. llm_extractinator imports and runs that file; Pluk never does.
This module owns the Taskfile itself: reading it, finding the parser file, and turning its
Description, Task and Extra_Instructions into a task. The inline dict is converted by
`extractinator_inline`; the parser file is read with `ast` as declarations by
`extractinator_ast`. `ImportRefused` and `parse_parser_source` are importable from here too.

The conversion mirrors what llm_extractinator did with the schema, and says where it differs:
every such difference is a note returned beside the task.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pluk.core.tasks.definition import TaskDefinition
from pluk.core.tasks.extractinator_ast import parse_parser_source
from pluk.core.tasks.extractinator_inline import ImportRefused, inline_fields
from pluk.core.tasks.loader import parse_task, read_task_json, read_task_text

__all__ = ["ImportRefused", "convert_taskfile", "import_taskfile", "parse_parser_source"]

_IGNORED_TASKFILE_KEYS = {
    "Data_Path": "the reports are chosen when the task is run",
    "Input_Field": "the text column is chosen when the task is run",
    "Example_Path": "add worked examples to the task's 'examples' list",
    "Label_Field": "for DRAGON, use the ready tasks in tasks/dragon/",
    "Type": "Pluk tasks have no task type",
    "Task": None,  # becomes the title
}


# -- the Taskfile -------------------------------------------------------------------------------


def import_taskfile(path: str | Path, *, language: str = "en",
                    task_id: str | None = None) -> tuple[TaskDefinition, list[str]]:
    """Convert a Taskfile into a validated task; also returns notes on what changed on the way."""
    path = Path(path)
    # Bounded as a task file is: its size and how deep its JSON nests (loader's limits).
    data = read_task_json(path, "Taskfile", ImportRefused)
    return convert_taskfile(data, source=str(path), base_dir=path.parent, stem=path.stem,
                            language=language, task_id=task_id)


def convert_taskfile(data: Any, *, source: str, base_dir: Path | None = None,
                     stem: str = "imported_task", language: str = "en",
                     task_id: str | None = None) -> tuple[TaskDefinition, list[str]]:
    if not isinstance(data, dict):
        raise ImportRefused(f"{source}: a Taskfile holds a JSON object")
    notes: list[str] = []
    description = data.get("Description")
    if not isinstance(description, str) or not description.strip():
        raise ImportRefused(f"{source}: the Taskfile has no 'Description'")
    parser_format = data.get("Parser_Format")
    if isinstance(parser_format, dict):
        fields = inline_fields(parser_format, "Parser_Format", notes)
    elif isinstance(parser_format, str) and parser_format.strip():
        parser_path = _find_parser(parser_format.strip(), base_dir, source)
        text = read_task_text(parser_path, "parser file", ImportRefused)
        fields = parse_parser_source(text, str(parser_path), notes)
    else:
        raise ImportRefused(f"{source}: 'Parser_Format' must be an inline dict of fields or the "
                            "name of a parser .py file")

    for key in data:
        if key in ("Description", "Parser_Format", "Extra_Instructions"):
            continue
        reason = _IGNORED_TASKFILE_KEYS.get(key, "not part of a Pluk task")
        if reason:
            notes.append(f"'{key}' is not imported: {reason}")

    identifier = task_id or _task_id(stem)
    title = data.get("Task") if isinstance(data.get("Task"), str) and data["Task"].strip() else stem
    task = {
        "id": identifier,
        "title": title.strip(),
        "description": description.strip(),
        "language": language,
        "fields": fields,
    }
    extra = data.get("Extra_Instructions")
    if isinstance(extra, str) and extra.strip():
        task["instructions"] = extra.strip()
    if _has_string_field(fields):
        notes.append("text fields are limited to 200 characters (Pluk's default); raise "
                     "'max_length' where longer text is expected, e.g. for 'reasoning'")
    return parse_task(task, source), notes


def _task_id(stem: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_.-") or "imported_task"
    if not cleaned[0].isalnum():
        cleaned = "t" + cleaned
    return cleaned[:100]


def _find_parser(name: str, base_dir: Path | None, source: str) -> Path:
    if not name.endswith(".py"):
        raise ImportRefused(f"{source}: 'Parser_Format' names {name!r}, which is not a .py file")
    base = base_dir or Path(".")
    # llm_extractinator looks in <task dir>/parsers/; a file beside the Taskfile is accepted too.
    for candidate in (base / "parsers" / name, base / name):
        if candidate.is_file():
            return candidate
    raise ImportRefused(f"{source}: parser file {name!r} not found in {base / 'parsers'} "
                        f"or {base}")


def _has_string_field(fields: list[dict[str, Any]]) -> bool:
    for spec in fields:
        inner = spec
        while inner["type"] == "list":
            inner = inner["items"]
        if inner["type"] == "string" or (inner["type"] == "object"
                                         and _has_string_field(inner["fields"])):
            return True
    return False

