"""Exports a run's records as CSV, JSON and XLSX: one row per report, one column per field.

Objects are flattened into dotted columns (or kept as JSON text), lists are JSON text. The CSV
is UTF-8 with a BOM and takes a delimiter, so Excel with a Dutch locale (which expects ';')
opens it right. Text cells that a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Literal

from pluk.core.errors import PlukError
from pluk.core.runs.records import Record
from pluk.core.tasks import TaskDefinition

Nested = Literal["flatten", "json"]
FORMATS = ("csv", "json", "xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BASE_COLUMNS = ["id", "source", "status", "error", "warnings"]


def neutralise(value: Any) -> Any:
    """Prefix text that starts like a formula with an apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _field_columns(spec: Any, prefix: str, nested: Nested) -> list[str]:
    name = prefix + spec.name
    if spec.type == "object" and nested == "flatten":
        return [c for sub in spec.fields for c in _field_columns(sub, name + ".", nested)]
    return [name]


def columns(task: TaskDefinition, nested: Nested = "flatten") -> list[str]:
    return BASE_COLUMNS + [c for spec in task.fields for c in _field_columns(spec, "", nested)]


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _flatten(spec: Any, value: Any, prefix: str, nested: Nested, out: dict[str, Any]) -> None:
    name = prefix + spec.name
    if spec.type == "object" and nested == "flatten":
        for sub in spec.fields:
            _flatten(sub, (value or {}).get(sub.name), name + ".", nested, out)
    else:
        out[name] = _cell(value)


def record_row(task: TaskDefinition, record: Record, nested: Nested = "flatten") -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": record.id,
        "source": record.source,
        "status": record.status,
        "error": record.error or "",
        "warnings": " | ".join(record.warnings),
    }
    fields = record.fields or {}
    for spec in task.fields:
        _flatten(spec, fields.get(spec.name), "", nested, row)
    return row


def rows(task: TaskDefinition, records: list[Record], nested: Nested = "flatten"
         ) -> list[dict[str, Any]]:
    return [record_row(task, r, nested) for r in records]


def write_csv(path: str | Path, task: TaskDefinition, records: list[Record], *,
              delimiter: str = ",", nested: Nested = "flatten", bom: bool = True) -> Path:
    if len(delimiter) != 1:
        raise PlukError(f"The CSV delimiter must be one character, not {delimiter!r}")
    path = Path(path)
    header = columns(task, nested)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, delimiter=delimiter)
        writer.writeheader()
        for row in rows(task, records, nested):
            writer.writerow({k: neutralise("" if v is None else v) for k, v in row.items()})
    return path


def write_json(path: str | Path, task: TaskDefinition, records: list[Record]) -> Path:
    path = Path(path)
    payload = {"task": task.id, "records": [r.model_dump(mode="json") for r in records]}
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def write_xlsx(path: str | Path, task: TaskDefinition, records: list[Record], *,
               nested: Nested = "flatten") -> Path:
    from openpyxl import Workbook

    path = Path(path)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("results")
    header = columns(task, nested)
    sheet.append(header)
    for row in rows(task, records, nested):
        # openpyxl stores a string starting with '=' as a formula: neutralise first.
        sheet.append([neutralise(row.get(column)) for column in header])
    workbook.save(path)
    return path


def export(path: str | Path, fmt: str, task: TaskDefinition, records: list[Record], *,
           delimiter: str = ",", nested: Nested = "flatten") -> Path:
    if fmt == "csv":
        return write_csv(path, task, records, delimiter=delimiter, nested=nested)
    if fmt == "json":
        return write_json(path, task, records)
    if fmt == "xlsx":
        return write_xlsx(path, task, records, nested=nested)
    raise PlukError(f"Unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}")
