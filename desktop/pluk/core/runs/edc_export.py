"""Writes a run as the import file of the EDC its task came from: REDCap's Data Import Tool CSV
or Castor EDC's study data import CSV, from the `edc` mapping the task carries (tasks/edc.py).

REDCap: the record id variable first, then the variables in the dictionary's order; choices as
their codes, a checkbox as one `var___code` 0/1 column per option, yes/no and true/false as 1/0,
dates as YYYY-MM-DD, numbers with a decimal point; comma-separated UTF-8.
Castor: "Participant Id" first, choices as option values, a checkbox as one `var#label` 0/1
column per option, dates as DD-MM-YYYY (Castor's import form); semicolon-separated UTF-8, as
Castor's own exports are.

A null value is an empty cell (REDCap's normal import leaves the stored value alone). A value
the EDC would refuse (a date the model did not write as YYYY-MM-DD) is never guessed at: its
cell is empty and a note says how many such values were left out. Text is written as it is,
without the apostrophe the spreadsheet CSV puts before formula-like text: the reader of this
file is the EDC, which would store the apostrophe.

Values are those after review where a run has reviews (the model's where a value is
unreviewed); with `only`, the rows are the reviewed reports and a value not reviewed is empty.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from pluk.core.errors import PlukError
from pluk.core.runs.export import replaced_when_done
from pluk.core.runs.records import Record
from pluk.core.runs.review_columns import Reviewed, reviewed_records
from pluk.core.runs.reviews import reviewed_value
from pluk.core.tasks import TaskDefinition
from pluk.core.tasks.edc import DATE_RE, EdcMapping, EdcSystem, EdcVariable, code_column

EDC_FORMATS = ("redcap", "castor")
CASTOR_ID = "Participant Id"
_NAMES = {"redcap": "REDCap", "castor": "Castor"}


def edc_mapping(task: TaskDefinition, system: str) -> EdcMapping:
    """The task's mapping for `system`; PlukError saying what to do when it has none."""
    mapping = task.edc
    if mapping is None:
        raise PlukError(f"The run's task '{task.id}' was not imported from a data dictionary, "
                        f"so Pluk does not know its {_NAMES[system]} variables: import the "
                        f"dictionary with `pluk tasks import-{system}`, run that task, and "
                        "export that run")
    if mapping.system != system:
        raise PlukError(f"The run's task was imported from a {_NAMES[mapping.system]} "
                        f"dictionary: export it with --format {mapping.system}")
    return mapping


def _variables(task: TaskDefinition, mapping: EdcMapping) -> list[EdcVariable]:
    # A field removed from the task since the import has no column.
    names = {spec.name for spec in task.fields}
    return [var for var in mapping.variables if var.field in names]


def header(task: TaskDefinition, system: EdcSystem) -> list[str]:
    mapping = edc_mapping(task, system)
    out = [mapping.record_id if system == "redcap" else CASTOR_ID]
    for var in _variables(task, mapping):
        if var.kind == "checkbox":
            out += [code_column(var, label, system) for label in var.codes]
        else:
            out.append(var.variable)
    return out


def plain_number(value: float | int) -> str:
    """A number as an EDC reads it: no exponent, no trailing '.0' (1e-05 -> 0.00001)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _date(value: str, system: EdcSystem) -> str | None:
    if not DATE_RE.match(value):
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        return None
    return value if system == "redcap" else day.strftime("%d-%m-%Y")


def cells(var: EdcVariable, value: Any, system: EdcSystem) -> dict[str, str] | None:
    """The cells of one variable for one value; None when the EDC could not take the value."""
    if var.kind == "checkbox":
        if value is None:
            return {code_column(var, label, system): "" for label in var.codes}
        if not isinstance(value, list) or any(v not in var.codes for v in value):
            return None
        return {code_column(var, label, system): "1" if label in value else "0"
                for label in var.codes}
    if value is None:
        return {var.variable: ""}
    if var.kind == "choice":
        code = var.codes.get(value) if isinstance(value, str) else None
        return None if code is None else {var.variable: code}
    if var.kind in ("yesno", "truefalse"):
        return {var.variable: "1" if value else "0"} if isinstance(value, bool) else None
    if var.kind in ("integer", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return {var.variable: plain_number(value)}
    if not isinstance(value, str):
        return None
    if var.kind == "date":
        text = _date(value.strip(), system)
        return None if text is None else {var.variable: text}
    return {var.variable: value}


def edc_rows(task: TaskDefinition, records: list[Record], system: EdcSystem,
             reviewed: Reviewed | None, notes: list[str]) -> list[dict[str, str]]:
    mapping = edc_mapping(task, system)
    variables = _variables(task, mapping)
    id_column = mapping.record_id if system == "redcap" else CASTOR_ID
    refused: dict[str, int] = {}
    failed = 0
    out = []
    for record in (reviewed_records(records, reviewed) if reviewed else records):
        if record.fields is None:  # an unreadable report: no row, rather than an empty record
            failed += 1
            continue
        row = {id_column: record.id}
        for var in variables:
            value = record.fields.get(var.field)
            if reviewed is not None:
                status, value = reviewed_value(record, var.field,
                                               reviewed.latest.get((record.id, var.field)))
                if reviewed.only and status == "model":
                    value = None
            written = cells(var, value, system)
            if written is None:
                refused[var.variable] = refused.get(var.variable, 0) + 1
                written = cells(var, None, system)
            row.update(written)
        out.append(row)
    if failed:
        notes.append(f"{failed} report{'s' if failed != 1 else ''} without values (status "
                     "error) left out")
    for variable, count in refused.items():
        notes.append(f"'{variable}': {count} value{'s' if count != 1 else ''} left empty: not "
                     f"a value {_NAMES[system]} takes (a date must be written YYYY-MM-DD)")
    return out


def write_edc(path: str | Path, task: TaskDefinition, records: list[Record], system: EdcSystem,
              *, reviewed: Reviewed | None = None,
              notes: list[str] | None = None) -> tuple[Path, int]:
    """Write the import file; returns it and its number of rows. `notes` gains a line per kind
    of value left out."""
    notes = notes if notes is not None else []
    path = Path(path)
    columns = header(task, system)
    table = edc_rows(task, records, system, reviewed, notes)
    with replaced_when_done(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns,
                                delimiter="," if system == "redcap" else ";")
        writer.writeheader()
        writer.writerows(table)
    return path, len(table)
