"""Finds task files (the built-in library and the user's task folder) and validates them.

A task file is JSON data, parsed and validated, never executed. Every problem in a file is
reported at once, each with the file, the field and the reason.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from pluk.core import paths
from pluk.core.errors import TaskError
from pluk.core.tasks.definition import FIELD_TYPES, TaskDefinition
from pluk.core.tasks.schema import validate_answer


def task_sha256(task: TaskDefinition) -> str:
    """Hash of the task's canonical JSON: the same definition always hashes the same."""
    canonical = json.dumps(task.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
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


def parse_task(data: Any, source: str) -> TaskDefinition:
    """Validate task data; raise TaskError listing every problem."""
    if not isinstance(data, dict):
        raise TaskError(f"{source}: a task file must hold a JSON object")
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


def load_task_file(path: str | Path) -> TaskDefinition:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise TaskError(f"Task file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TaskError(f"{path}: cannot read the task file ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TaskError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                        f"{exc.msg})") from None
    return parse_task(data, str(path))


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
