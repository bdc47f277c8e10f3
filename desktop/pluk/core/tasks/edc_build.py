"""Builds a Pluk task from the variables of an EDC data dictionary (REDCap's, Castor's): one
field per variable, with the `edc` mapping that lets the run be exported back.

The readers (`redcap`, `castor`) parse their own files into `Variable`s; this module owns what
is common: the field each kind becomes, its description, the bounds, the task around them and
the checks every dictionary gets (names Pluk can use, no variable twice, the field limit).
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pluk.core.tasks.definition import NAME_PATTERN, TaskDefinition
from pluk.core.tasks.edc import DATE_NOTE, EdcKind, EdcSystem
from pluk.core.tasks.extractinator_inline import ImportRefused
from pluk.core.tasks.loader import MAX_FIELDS, parse_task, read_task_text

_NAME_RE = re.compile(NAME_PATTERN)
_TAG_RE = re.compile(r"<[^>]{0,200}>")
NOTES_MAX_LENGTH = 1000  # a free-text ("notes") variable: Pluk's longest string


class DictionaryError(ImportRefused):
    """A data dictionary that cannot be imported; the message is one line saying where and why."""


@dataclass
class Variable:
    """One importable variable of a dictionary, as its reader understood it."""

    name: str
    kind: EdcKind
    label: str
    form: str = ""
    note: str = ""          # field note / help text
    section: str = ""       # section header above it
    condition: str = ""     # branching logic: when the variable applies
    validation: str = ""    # the EDC's text validation, when kept only as a hint
    codes: dict[str, str] = field(default_factory=dict)  # label -> code
    minimum: float | None = None
    maximum: float | None = None
    long_text: bool = False


def clean(text: str) -> str:
    """A label or note as plain text: HTML tags (REDCap labels may be rich text) and entities
    out, runs of whitespace made one space."""
    return " ".join(html.unescape(_TAG_RE.sub(" ", text or "")).split())


def read_table(path: Path, what: str, notes: list[str]) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a dictionary CSV (comma or semicolon, as the file says), bounded
    as a task file is. Not UTF-8: read as Windows-1252, which Excel writes, with a note."""
    try:
        text = read_task_text(path, what, DictionaryError)
    except DictionaryError as exc:
        if "can't decode" not in str(exc):  # only a file that is not UTF-8 gets a second read
            raise
        text = path.read_bytes().decode("cp1252", errors="replace")
        notes.append(f"{path.name} is not UTF-8; it was read as Windows-1252 (Excel's encoding)")
    if "\x00" in text:
        raise DictionaryError(f"{path}: not a {what} (a binary file, not CSV text)")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        table = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise DictionaryError(f"{path}: not a readable CSV {what} ({exc})") from None
    if not table:
        raise DictionaryError(f"{path}: the {what} is empty")
    return [h.strip() for h in table[0]], table[1:]


def check_name(name: str, where: str) -> str:
    if not _NAME_RE.match(name) or len(name) > 64:
        raise DictionaryError(f"{where}: variable name {name!r} cannot be a Pluk field name "
                              "(letters, digits and '_', starting with a letter, at most 64)")
    return name


def parse_bound(text: str, kind: EdcKind, where: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise DictionaryError(f"{where}: the bound {text!r} is not a number") from None
    if kind == "integer" and value != int(value):
        raise DictionaryError(f"{where}: the bound {text!r} of an integer is not whole")
    return value


def _description(var: Variable) -> str:
    label = var.label.rstrip()
    if var.note:
        label += f" ({var.note})"
    parts = [label if label.endswith((".", "?", ":", "!")) else label + "."]
    if var.section:
        parts.append(f"Section: {var.section}.")
    if var.kind == "date":
        parts.append(DATE_NOTE)
    if var.validation:
        parts.append(f"Format: {var.validation}.")
    if var.condition:
        parts.append(f"Only applies when: {var.condition}")
    return " ".join(p for p in parts if p)


def field_spec(var: Variable) -> dict[str, Any]:
    """The Pluk field of one variable. Every field is optional: a report need not state it."""
    spec: dict[str, Any] = {"name": var.name, "description": _description(var),
                            "optional": True}
    if var.kind in ("text", "date"):
        spec["type"] = "string"
        spec["max_length"] = 10 if var.kind == "date" else (
            NOTES_MAX_LENGTH if var.long_text else 200)
    elif var.kind in ("integer", "number"):
        spec["type"] = "int" if var.kind == "integer" else "float"
        for key, bound in (("minimum", var.minimum), ("maximum", var.maximum)):
            if bound is not None:
                spec[key] = int(bound) if var.kind == "integer" else bound
    elif var.kind == "choice":
        spec.update(type="enum", values=list(var.codes))
    elif var.kind in ("yesno", "truefalse"):
        spec["type"] = "bool"
    else:  # checkbox: any number of the options
        spec.update(type="list", max_items=len(var.codes),
                    items={"name": "option", "type": "enum", "values": list(var.codes)})
    return spec


def build_task(variables: list[Variable], *, system: EdcSystem, record_id: str, source: Path,
               language: str, task_id: str | None, title: str) -> TaskDefinition:
    """The task of a dictionary's variables, with its `edc` mapping; DictionaryError if none is
    left to extract or there are more than a task may hold."""
    if not variables:
        raise DictionaryError(f"{source}: no variable a model can fill (every one is skipped: "
                              "record id, calculations, files, descriptive text)")
    if len(variables) > MAX_FIELDS:
        raise DictionaryError(f"{source}: {len(variables)} variables to extract; a task holds "
                              f"at most {MAX_FIELDS}: import one form at a time with --form")
    forms = list(dict.fromkeys(v.form for v in variables if v.form))
    description = (f"Fill the {system_name(system)} form{'s' if len(forms) > 1 else ''} "
                   f"{', '.join(forms)} from the report." if forms else
                   f"Fill the {system_name(system)} variables from the report.")
    task = {
        "id": task_id or _task_id(source.stem),
        "title": title,
        "description": description,
        "language": language,
        "instructions": ("Answer null for a variable the report does not state. Choose options "
                         "by their label."),
        "fields": [field_spec(v) for v in variables],
        "edc": {
            "system": system, "record_id": record_id, "source": source.name,
            "variables": [{"field": v.name, "variable": v.name, "kind": v.kind,
                           "codes": v.codes, "form": v.form} for v in variables],
        },
    }
    return parse_task(task, str(source))


def system_name(system: EdcSystem) -> str:
    return {"redcap": "REDCap", "castor": "Castor EDC"}[system]


def _task_id(stem: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_.-") or "edc_task"
    return (cleaned if cleaned[0].isalnum() else "t" + cleaned)[:100]


def check_unique(variables: list[tuple[str, str]]) -> None:
    """(name, where) pairs: DictionaryError at the second use of a name."""
    seen: dict[str, str] = {}
    for name, where in variables:
        if name in seen:
            raise DictionaryError(f"{where}: variable name '{name}' is used twice (first at "
                                  f"{seen[name]})")
        seen[name] = where
