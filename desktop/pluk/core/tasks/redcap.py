"""Reads a REDCap data dictionary (the CSV of Project Setup > Data Dictionary, or the API's
metadata export) into a Pluk task whose `edc` mapping writes the values back as REDCap codes.

The 18 standard columns are read by name ("Variable / Field Name", "Form Name", "Field Type",
"Field Label", "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR
Show Slider Number", "Text Validation Min", "Text Validation Max", "Identifier?", "Branching
Logic (Show field only if...)", "Section Header", ...); the API's snake_case names
(field_name, form_name, ...) are read as the same columns. The first variable of a REDCap
project is its record id: it is not extracted, it is written from the report id.

Field types: text (with validation integer, number*, date_ymd/mdy/dmy; other validations kept
as a hint), notes, dropdown, radio, checkbox, yesno, truefalse, slider (an int 0-100); calc,
descriptive, file, signature and sql are skipped with a note. Anything else is refused, in one
line naming the row.
"""

from __future__ import annotations

import re
from pathlib import Path

from pluk.core.tasks.definition import TaskDefinition
from pluk.core.tasks.edc_build import (DictionaryError, Variable, build_task, check_name,
                                       check_unique, clean, parse_bound, read_table)

VARIABLE = "Variable / Field Name"
FORM = "Form Name"
SECTION = "Section Header"
TYPE = "Field Type"
LABEL = "Field Label"
CHOICES = "Choices, Calculations, OR Slider Labels"
NOTE = "Field Note"
VALIDATION = "Text Validation Type OR Show Slider Number"
MINIMUM = "Text Validation Min"
MAXIMUM = "Text Validation Max"
IDENTIFIER = "Identifier?"
BRANCHING = "Branching Logic (Show field only if...)"
# The metadata export of REDCap's API names the same columns in snake_case.
_API_NAMES = {
    "field_name": VARIABLE, "form_name": FORM, "section_header": SECTION, "field_type": TYPE,
    "field_label": LABEL, "select_choices_or_calculations": CHOICES, "field_note": NOTE,
    "text_validation_type_or_show_slider_number": VALIDATION,
    "text_validation_min": MINIMUM, "text_validation_max": MAXIMUM, "identifier": IDENTIFIER,
    "branching_logic": BRANCHING,
}
SKIPPED = {
    "calc": "a calculated field: REDCap computes it",
    "descriptive": "descriptive text, not a value",
    "file": "a file upload",
    "signature": "a signature",
    "sql": "a database query field",
}
KNOWN_TYPES = {"text", "notes", "dropdown", "radio", "checkbox", "yesno", "truefalse", "slider",
               *SKIPPED}
DATE_FORMS = ("date_ymd", "date_mdy", "date_dmy")
_CODE_RE = re.compile(r"^-?[A-Za-z0-9_.]+$")


def import_redcap(path: str | Path, *, form: str | None = None, language: str = "en",
                  task_id: str | None = None) -> tuple[TaskDefinition, list[str]]:
    """A REDCap dictionary as a task; also the notes on what was skipped or changed."""
    path = Path(path)
    notes: list[str] = []
    header, rows = read_table(path, "REDCap data dictionary", notes)
    columns = {_API_NAMES.get(h, h): i for i, h in enumerate(header)}
    missing = [c for c in (VARIABLE, FORM, TYPE, LABEL) if c not in columns]
    if missing:
        raise DictionaryError(f"{path}: not a REDCap data dictionary (no "
                              f"{', '.join(repr(m) for m in missing)} column{'s' if len(missing) > 1 else ''})")

    def cell(row: list[str], column: str) -> str:
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    entries = [(n + 2, row) for n, row in enumerate(rows) if any(c.strip() for c in row)]
    if not entries:
        raise DictionaryError(f"{path}: the REDCap data dictionary has no variables")
    check_unique([(cell(r, VARIABLE), f"{path}, line {n}") for n, r in entries])
    record_id = cell(entries[0][1], VARIABLE)
    forms = list(dict.fromkeys(cell(r, FORM) for _, r in entries))
    if form is not None and form not in forms:
        raise DictionaryError(f"{path}: no form '{form}'; the forms are {', '.join(forms)}")
    notes.append(f"'{record_id}' is the record id: it is written from the report id")

    variables = []
    for line, row in entries[1:]:
        if form is not None and cell(row, FORM) != form:
            continue
        var = _variable(row, cell, f"{path}, line {line}", notes)
        if var is not None:
            variables.append(var)
    title = f"REDCap: {form or ', '.join(forms)}"
    return build_task(variables, system="redcap", record_id=record_id, source=path,
                      language=language, task_id=task_id, title=title), notes


def _variable(row: list[str], cell, where: str, notes: list[str]) -> Variable | None:
    name = cell(row, VARIABLE)
    kind_text = cell(row, TYPE).lower()
    where = f"{where} ('{name}')"
    if not name:
        raise DictionaryError(f"{where}: no variable name")
    if kind_text not in KNOWN_TYPES:
        raise DictionaryError(f"{where}: unknown field type {cell(row, TYPE)!r} (REDCap's are "
                              f"{', '.join(sorted(KNOWN_TYPES))})")
    validation = cell(row, VALIDATION).lower()
    if kind_text == "file" and validation == "signature":
        kind_text = "signature"
    if kind_text in SKIPPED:
        notes.append(f"'{name}' is skipped: {SKIPPED[kind_text]}")
        return None
    check_name(name, where)
    var = Variable(name=name, kind="text", label=clean(cell(row, LABEL)) or name,
                   form=cell(row, FORM), note=clean(cell(row, NOTE)),
                   section=clean(cell(row, SECTION)), condition=cell(row, BRANCHING))
    if cell(row, IDENTIFIER).lower() == "y":
        notes.append(f"'{name}' is marked as an identifier in REDCap")
    if kind_text in ("dropdown", "radio", "checkbox"):
        var.kind = "checkbox" if kind_text == "checkbox" else "choice"
        var.codes = parse_choices(cell(row, CHOICES), where)
    elif kind_text == "yesno":
        var.kind, var.codes = "yesno", {}
    elif kind_text == "truefalse":
        var.kind, var.codes = "truefalse", {}
    elif kind_text == "slider":
        var.kind, var.minimum, var.maximum = "integer", 0, 100
        var.note = " ".join(p for p in (var.note, "A number from 0 to 100.") if p)
    elif kind_text == "notes":
        var.long_text = True
    else:
        _text_validation(var, validation, cell(row, MINIMUM), cell(row, MAXIMUM), where, notes)
    return var


def _text_validation(var: Variable, validation: str, low: str, high: str, where: str,
                     notes: list[str]) -> None:
    if validation == "integer":
        var.kind = "integer"
    elif validation == "number" or validation.startswith("number_"):
        var.kind = "number"
        if "comma" in validation:
            notes.append(f"'{var.name}' takes a decimal comma in REDCap; the export writes a "
                         "decimal point, which REDCap's import reads")
    elif validation in DATE_FORMS:
        var.kind = "date"
        if low or high:
            var.note = " ".join(p for p in (var.note, f"Between {low or '...'} and "
                                            f"{high or '...'}.") if p)
        return
    elif validation:
        # email, phone, time, datetime_*: text the model writes in that form, written as is.
        var.validation = validation
        if validation.startswith("datetime"):
            notes.append(f"'{var.name}' ({validation}) is text: REDCap checks its form on "
                         "import")
        return
    else:
        return
    try:
        var.minimum = parse_bound(low, var.kind, where)
        var.maximum = parse_bound(high, var.kind, where)
    except DictionaryError:
        # A bound REDCap computes ("today", a piped [field]) cannot bound the model's answer.
        notes.append(f"'{var.name}': the bounds {low!r}..{high!r} are not numbers and are "
                     "not checked")
        var.minimum = var.maximum = None


def parse_choices(text: str, where: str) -> dict[str, str]:
    """REDCap's "1, Yes | 2, No" as {label: code}; DictionaryError for malformed choices."""
    if not text.strip():
        raise DictionaryError(f"{where}: no choices (write them as '1, Yes | 2, No')")
    codes: dict[str, str] = {}
    for part in text.split("|"):
        code, sep, label = part.partition(",")
        code, label = code.strip(), clean(label)
        if not sep or not code or not label:
            raise DictionaryError(f"{where}: malformed choice {part.strip()!r} (write choices "
                                  "as 'code, label | code, label', e.g. '1, Yes | 2, No')")
        if not _CODE_RE.match(code):
            raise DictionaryError(f"{where}: choice code {code!r} is not a REDCap code "
                                  "(letters, digits, '_', '.' or a minus sign)")
        if code in codes.values():
            raise DictionaryError(f"{where}: choice code {code!r} is used twice")
        if label in codes:
            raise DictionaryError(f"{where}: choice label {label!r} is used twice")
        codes[label] = code
    return codes
