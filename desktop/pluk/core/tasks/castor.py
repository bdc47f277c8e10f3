"""Reads a Castor EDC study structure (the fields CSV Castor exports, with its option groups CSV)
into a Pluk task whose `edc` mapping writes the values back in Castor's data import format.

Castor's public manual describes the structure export as XML (Castor's own) or CDISC ODM, and
its data export as a ZIP holding, among others, a variable list and the field options; it does
not give their column names. This reader takes the tabular form that Castor's API
(`/export/structure`, `/export/optiongroups`) and data exports write, as third-party clients
read it: semicolon- (or comma-) separated, with the columns
- structure: "Field Variable Name", "Field Label", "Field Type", "Form Name" (and, when present,
  "Form Type", "Form Collection Name", "Field Option Group", "Field Required");
- option groups: "Option Group Id" (or "Option Group Name"), "Option Name", "Option Value".
The README's Castor section lists these assumptions.

Field types: radio and dropdown (a choice), checkbox, numeric, year, string, textarea, date;
time, datetime and numberdate are text in their own form; calculation, remark, summary, upload,
grid, repeated measures, randomization, slider and the add-buttons are skipped with a note.
Only study forms are read (repeating data and surveys have their own imports in Castor).
"""

from __future__ import annotations

from pathlib import Path

from pluk.core.tasks.definition import TaskDefinition
from pluk.core.tasks.edc_build import (DictionaryError, Variable, build_task, check_name,
                                       check_unique, clean, read_table)

NAME = "Field Variable Name"
LABEL = "Field Label"
TYPE = "Field Type"
FORM = "Form Name"
FORM_TYPE = "Form Type"
VISIT = "Form Collection Name"
GROUP = "Field Option Group"
KINDS = {"radio": "choice", "dropdown": "choice", "checkbox": "checkbox", "numeric": "number",
         "year": "integer", "string": "text", "textarea": "text", "date": "date",
         "time": "text", "datetime": "text", "numberdate": "text"}
SKIPPED = {
    "calculation": "Castor calculates it", "remark": "a remark, not a value",
    "summary": "a summary Castor computes", "upload": "a file upload",
    "grid": "a grid (not importable by CSV)", "repeated_measures": "repeated measures",
    "randomization": "set by Castor's randomisation", "slider": "a slider (its range is not "
    "in the export)", "add_report_button": "a button", "add_survey_button": "a button",
    "add_repeating_data_button": "a button", "image": "an image",
}


def import_castor(path: str | Path, option_groups: str | Path | None = None, *,
                  form: str | None = None, language: str = "en",
                  task_id: str | None = None) -> tuple[TaskDefinition, list[str]]:
    """A Castor study structure (and its option groups) as a task, with notes on what was
    skipped."""
    path = Path(path)
    notes: list[str] = []
    header, rows = read_table(path, "Castor study structure", notes)
    columns = {h: i for i, h in enumerate(header)}
    missing = [c for c in (NAME, LABEL, TYPE, FORM) if c not in columns]
    if missing:
        raise DictionaryError(f"{path}: not a Castor study structure export (no "
                              f"{', '.join(repr(m) for m in missing)} column{'s' if len(missing) > 1 else ''})")

    def cell(row: list[str], column: str) -> str:
        index = columns.get(column)
        return row[index].strip() if index is not None and index < len(row) else ""

    groups = read_option_groups(Path(option_groups), notes) if option_groups else {}
    entries = [(n + 2, row) for n, row in enumerate(rows) if any(c.strip() for c in row)]
    forms = list(dict.fromkeys(cell(r, FORM) for _, r in entries))
    if form is not None and form not in forms and form not in {cell(r, VISIT) for _, r in entries}:
        raise DictionaryError(f"{path}: no form '{form}'; the forms are {', '.join(forms)}")
    named = [(n, r) for n, r in entries if cell(r, NAME)]
    check_unique([(cell(r, NAME), f"{path}, line {n}") for n, r in named])
    variables = []
    for line, row in named:
        if form is not None and form not in (cell(row, FORM), cell(row, VISIT)):
            continue
        form_type = cell(row, FORM_TYPE).lower()
        if form_type and form_type != "study":
            notes.append(f"'{cell(row, NAME)}' is skipped: it is on a {cell(row, FORM_TYPE)} "
                         "form, which Castor imports apart from study data")
            continue
        var = _variable(row, cell, groups, f"{path}, line {line}", notes)
        if var is not None:
            variables.append(var)
    skipped_unnamed = len(entries) - len(named)
    if skipped_unnamed:
        notes.append(f"{skipped_unnamed} field{'s' if skipped_unnamed != 1 else ''} without a "
                     "variable name skipped (Castor imports only named fields)")
    title = f"Castor: {form or ', '.join(forms)}"
    return build_task(variables, system="castor", record_id="Participant Id", source=path,
                      language=language, task_id=task_id, title=title), notes


def _variable(row: list[str], cell, groups: dict[str, dict[str, str]], where: str,
              notes: list[str]) -> Variable | None:
    name, kind_text = cell(row, NAME), cell(row, TYPE).lower()
    where = f"{where} ('{name}')"
    if kind_text in SKIPPED:
        notes.append(f"'{name}' is skipped: {SKIPPED[kind_text]}")
        return None
    if kind_text not in KINDS:
        raise DictionaryError(f"{where}: unknown field type {cell(row, TYPE)!r} (Castor's are "
                              f"{', '.join(sorted({*KINDS, *SKIPPED}))})")
    check_name(name, where)
    var = Variable(name=name, kind=KINDS[kind_text], label=clean(cell(row, LABEL)) or name,  # type: ignore[arg-type]
                   form=cell(row, FORM), long_text=kind_text == "textarea")
    if kind_text in ("time", "datetime", "numberdate"):
        var.validation = {"time": "HH:MM", "datetime": "DD-MM-YYYY;HH:MM",
                          "numberdate": "a number and a date"}[kind_text]
    if kind_text == "year":
        var.note = "A year, four digits."
    if var.kind in ("choice", "checkbox"):
        group = cell(row, GROUP)
        if not groups:
            raise DictionaryError(f"{where}: a {kind_text} field needs its option group: give "
                                  "the option groups export with --option-groups")
        if group not in groups:
            raise DictionaryError(f"{where}: option group {group!r} is not in the option "
                                  "groups file")
        var.codes = groups[group]
    return var


def read_option_groups(path: Path, notes: list[str]) -> dict[str, dict[str, str]]:
    """Option group id (and name) -> {option label: option value}."""
    header, rows = read_table(path, "Castor option groups export", notes)
    columns = {h: i for i, h in enumerate(header)}
    key_column = next((c for c in ("Option Group Id", "Option Group Name") if c in columns), None)
    if key_column is None or "Option Name" not in columns or "Option Value" not in columns:
        raise DictionaryError(f"{path}: not a Castor option groups export (it needs 'Option "
                              "Group Id' or 'Option Group Name', 'Option Name' and 'Option "
                              "Value' columns)")
    keys = [c for c in ("Option Group Id", "Option Group Name") if c in columns]
    groups: dict[str, dict[str, str]] = {}
    for n, row in enumerate(rows, start=2):
        if not any(c.strip() for c in row):
            continue
        get = lambda c: row[columns[c]].strip() if columns[c] < len(row) else ""  # noqa: E731
        label, value = clean(get("Option Name")), get("Option Value")
        if not label or not value:
            raise DictionaryError(f"{path}, line {n}: an option needs a name and a value")
        for key in {get(k) for k in keys} - {""}:
            options = groups.setdefault(key, {})
            if label in options or value in options.values():
                raise DictionaryError(f"{path}, line {n}: option group {key!r} has the option "
                                      f"{label!r} (value {value!r}) twice")
            options[label] = value
    return groups
