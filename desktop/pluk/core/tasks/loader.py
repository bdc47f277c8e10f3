"""Finds task files (the built-in library and the user's task folder) and validates them.

A task file is JSON data, parsed and validated, never executed. Every problem in a file is
reported at once, each with the file, the field and the reason.

A task is bounded before it is validated, each bound a one-line refusal (TaskError) when the
task is read, never an hour of work or a traceback later: a task file of at most
MAX_TASK_FILE_BYTES (50 MB of instructions took 5 GB and 47 s to fail at "prompt does not
fit"), JSON nested at most `json_depth.MAX_JSON_DEPTH` levels, at most MAX_TASK_CHARS
characters of text, MAX_FIELDS fields (nested ones included), MAX_ENUM_VALUES allowed values per
enum (a million took 5.7 GB), and fields nested at most MAX_FIELD_DEPTH levels (lists and
objects inside each other). Pydantic's validators recurse about 20 frames per list level: 60
nested lists passed `tasks show` and crashed `extract` after the model answered. At 16 levels a
task's answer still validates with 600 frames of Python's 1,000 left to its callers.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pluk.core import paths
from pluk.core.errors import TaskError
from pluk.core.json_depth import MAX_JSON_DEPTH, JsonTooDeep, loads_bounded
from pluk.core.tasks.definition import FIELD_TYPES, TaskDefinition
from pluk.core.tasks.schema import validate_answer

MAX_TASK_FILE_BYTES = 1024 * 1024
MAX_TASK_CHARS = 1_000_000
MAX_FIELDS = 200
MAX_ENUM_VALUES = 1000
MAX_FIELD_DEPTH = 16


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"  # tasks sit beside readers: no import of theirs


def task_sha256(task: TaskDefinition) -> str:
    """Hash of the task's canonical JSON: the same definition always hashes the same. Its
    translations (the window's words, never the model's) are left out: adding one changes no
    answer, so it neither blocks a resume nor makes a run look made with another task."""
    canonical = json.dumps(task.model_dump(mode="json", exclude={"translations"}),
                           sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _describe_location(data: Any, loc: tuple[Any, ...]) -> str:
    """Turn a pydantic error location into 'fields[2] (psa).maximum', naming fields by name."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, str) and step in FIELD_TYPES and not (
            isinstance(node, dict) and step in node
        ):
            continue  # the discriminator tag pydantic inserts; not a key of the file
        if isinstance(step, int):
            label = f"[{step}]"
            if isinstance(node, list) and step < len(node):
                node = node[step]
                if isinstance(node, dict) and isinstance(node.get("name"), str):
                    label += f" ({node['name']})"
            else:
                node = None
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _check_size(data: Any, source: str) -> None:
    """JSON nesting and the amount of text, walked without recursion (the data may come from
    the task editor or a run's manifest, not only from a file read by `loads_bounded`)."""
    chars = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise TaskError(f"{source}: the task is nested more than {MAX_JSON_DEPTH} levels "
                            "deep")
        if isinstance(node, dict):
            chars += sum(len(k) for k in node if isinstance(k, str))
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, (dict, list, str)))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, (dict, list, str)))
        else:
            chars += len(node)
        if chars > MAX_TASK_CHARS:
            raise TaskError(f"{source}: the task holds over {MAX_TASK_CHARS:,} characters of "
                            "text (instructions, descriptions, examples); shorten it")


def _field_label(where: str, spec: Any) -> str:
    name = spec.get("name") if isinstance(spec, dict) else None
    return f"{where} ({name})" if isinstance(name, str) and len(name) <= 64 else where


def _field_depth(spec: Any) -> int:
    """How many field levels a field spans: 1, plus 1 per list or object level inside it."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(spec, 1)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, dict):
            continue
        deepest = max(deepest, depth)
        if isinstance(node.get("items"), dict):
            stack.append((node["items"], depth + 1))
        if isinstance(node.get("fields"), list):
            stack.extend((child, depth + 1) for child in node["fields"])
    return deepest


def _check_fields(data: dict, source: str) -> None:
    """The number of fields, the allowed values of each enum and how deep fields nest."""
    fields = data.get("fields")
    if not isinstance(fields, list):
        return  # pydantic says what is wrong
    count = 0
    stack: list[tuple[Any, str]] = [(spec, f"fields[{i}]") for i, spec in enumerate(fields)]
    while stack:
        spec, where = stack.pop()
        if not isinstance(spec, dict):
            continue
        count += 1
        label = _field_label(where, spec)
        values = spec.get("values")
        if spec.get("type") == "enum" and isinstance(values, list) and (
                len(values) > MAX_ENUM_VALUES):
            raise TaskError(f"{source}: {label}: {len(values):,} allowed values; at most "
                            f"{MAX_ENUM_VALUES:,} (use a text field for an open list of codes)")
        if isinstance(spec.get("items"), dict):
            stack.append((spec["items"], f"{label}.items"))
        if isinstance(spec.get("fields"), list):
            stack.extend((child, f"{label}.fields[{i}]")
                         for i, child in enumerate(spec["fields"]))
    if count > MAX_FIELDS:
        raise TaskError(f"{source}: the task has {count} fields (nested ones included); at most "
                        f"{MAX_FIELDS}")
    for index, spec in enumerate(fields):
        depth = _field_depth(spec)
        if depth > MAX_FIELD_DEPTH:
            raise TaskError(f"{source}: {_field_label(f'fields[{index}]', spec)}: nested {depth} "
                            f"levels deep (lists and objects inside each other); at most "
                            f"{MAX_FIELD_DEPTH}")


def parse_task(data: Any, source: str) -> TaskDefinition:
    """Validate task data; raise TaskError listing every problem, or naming the first bound
    (size, nesting, fields, allowed values) the task is over."""
    if not isinstance(data, dict):
        raise TaskError(f"{source}: a task file must hold a JSON object")
    _check_size(data, source)
    _check_fields(data, source)
    try:
        task = TaskDefinition.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = _describe_location(data, tuple(err["loc"]))
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"{source}: {where}: {msg}")
        raise TaskError(_join(problems)) from None
    problems = []
    for index, example in enumerate(task.examples):
        _, errors = validate_answer(task, example.answer)
        problems += [
            f"{source}: examples[{index}].answer.{name}: {reason}" for name, reason in errors.items()
        ]
    if problems:
        raise TaskError(_join(problems))
    return task


def _join(problems: list[str]) -> str:
    if len(problems) == 1:
        return problems[0]
    return f"{len(problems)} problems in the task:\n  " + "\n  ".join(problems)


def read_task_text(path: Path, what: str = "task file",
                   error: type[TaskError] = TaskError) -> str:
    """A task's (or Taskfile's, or parser file's) text, refused over MAX_TASK_FILE_BYTES."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_TASK_FILE_BYTES + 1)
            size = max(len(raw), path.stat().st_size)
    except FileNotFoundError:
        raise error(f"{what[0].upper()}{what[1:]} not found: {path}") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc})") from None
    if size > MAX_TASK_FILE_BYTES:
        raise error(f"{path}: the {what} is {_mb(size)}, over the limit of "
                    f"{_mb(MAX_TASK_FILE_BYTES)}; no {what} needs that much")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{path}: cannot read the {what} ({exc})") from None


def read_task_json(path: Path, what: str = "task file",
                   error: type[TaskError] = TaskError) -> Any:
    """A task (or Taskfile) file's JSON: bounded in size and in nesting, one-line errors."""
    text = read_task_text(path, what, error)
    try:
        return loads_bounded(text)
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                    f"{exc.msg})") from None
    except JsonTooDeep as exc:
        raise error(f"{path}: the {what}'s JSON is {exc}") from None


def load_task_file(path: str | Path) -> TaskDefinition:
    path = Path(path)
    return parse_task(read_task_json(path), str(path))


def task_dirs() -> list[Path]:
    """Built-in library first, then the user's own tasks."""
    return [paths.builtin_tasks_dir(), paths.user_tasks_dir()]


def _task_files() -> list[Path]:
    files: list[Path] = []
    for folder in task_dirs():
        if folder.is_dir():
            files += sorted(p for p in folder.rglob("*.json") if not p.name.startswith("."))
    return files


def list_tasks() -> tuple[list[tuple[Path, TaskDefinition]], list[str]]:
    """All loadable tasks with their files, and the problems of the files that failed."""
    tasks: list[tuple[Path, TaskDefinition]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for path in _task_files():
        try:
            task = load_task_file(path)
        except TaskError as exc:
            problems.append(str(exc))
            continue
        if task.id in seen:
            problems.append(f"{path}: task id '{task.id}' is already defined; this file is ignored")
            continue
        seen.add(task.id)
        tasks.append((path, task))
    return tasks, problems


def load_task(spec: str | Path) -> TaskDefinition:
    """A task by id from the library or the user folder, or from a path to a task file."""
    candidate = Path(spec)
    if candidate.suffix.lower() == ".json" or candidate.is_file():
        return load_task_file(candidate)
    for path in _task_files():
        if path.stem == str(spec):
            task = load_task_file(path)
            if task.id == str(spec):
                return task
    tasks, _ = list_tasks()
    for _, task in tasks:
        if task.id == str(spec):
            return task
    raise TaskError(unknown_task_message(str(spec), [t.id for _, t in tasks]))


def unknown_task_message(spec: str, known: list[str]) -> str:
    """'Unknown task X. Did you mean a, b?': the closest ids (difflib), never all forty."""
    import difflib

    close = difflib.get_close_matches(spec, known, n=3, cutoff=0.5)
    if not close:  # a part of an id ("prostate") is a good hint too
        close = [k for k in sorted(known) if spec.lower() in k.lower()][:3]
    hint = (f"Did you mean {', '.join(close)}?" if close
            else "`pluk tasks list` shows the known tasks.")
    return f"Unknown task '{spec}'. {hint}"
