"""Exports a run's records as CSV, JSON and XLSX: one row per report, one column per field.

Objects are flattened into dotted columns (or kept as JSON text), lists are JSON text. The CSV
is UTF-8 with a BOM and takes a delimiter and a decimal mark, so Excel with a Dutch locale
(which expects ';' and '9,7') opens it right; yes/no fields are written as words, numbers in
their shortest exact form (27, not 27.0; 9.7, never 9.699999). A CSV text cell that a
spreadsheet would run as a formula gets an apostrophe in front, by OWASP's rule (see
`neutralise`); XLSX text cells are typed as text (data type "s"), so they are never run and
keep their exact value.

Every export is written to a temporary file beside the target and renamed over it when complete,
so a kill or a full disk leaves the previous file (or none), never a half-written one.

With a run's reviews (`Reviewed`), every reviewable field gains `FIELD:reviewed` (the value
after review) and `FIELD:review_status` (model, accepted, corrected or rejected) columns; with
`only`, the rows are the reviewed reports and the field columns hold reviewed values alone.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from pluk.core.errors import PlukError
from pluk.core.runs.records import Record
from pluk.core.runs.review_columns import (Reviewed, json_reviews, review_cells,
                                           review_header, reviewed_records)
from pluk.core.tasks import TaskDefinition

Nested = Literal["flatten", "json"]
FORMATS = ("csv", "json", "xlsx")
# OWASP's CSV injection list (=, +, -, @, tab, carriage return) and the full-width forms of the
# first four, which Excel and LibreOffice also read as formula starts.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
BASE_COLUMNS = ["id", "source", "status", "error", "warnings"]
XLSX_CELL_MAX = 32_767  # Excel's limit on the characters of one cell
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value: Any) -> Any:
    """Text that starts like a formula, also after leading whitespace (" =1+1", "\\n=1+1"), gets
    an apostrophe in front; numbers stay numbers."""
    if isinstance(value, str) and (value.startswith(_FORMULA_START)
                                   or value.lstrip().startswith(_FORMULA_START)):
        return "'" + value
    return value


@contextmanager
def replaced_when_done(path: Path) -> Iterator[Path]:
    """A temporary path in the target's folder (so the rename is atomic) that replaces `path`
    only when the block completes; on any failure it is removed and `path` is left alone."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        # mkstemp makes the file 0600; an export is for colleagues too, so it gets the mode a
        # plain open() would give it: 0666 less the user's umask.
        os.chmod(tmp, 0o666 & ~current_umask())
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process's umask. Linux shows it in /proc/self/status; elsewhere it is read by
    setting it and putting it straight back (os.umask has no read-only form)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _field_columns(spec: Any, prefix: str, nested: Nested) -> list[str]:
    name = prefix + spec.name
    if spec.type == "object" and nested == "flatten":
        return [c for sub in spec.fields for c in _field_columns(sub, name + ".", nested)]
    return [name]


def columns(task: TaskDefinition, nested: Nested = "flatten",
            reviewed: Reviewed | None = None, agreement: bool = False) -> list[str]:
    """The header; `agreement` (a run with --passes) adds `FIELD:agreement` per
    top-level field at the end ("k of N": "2/3" would be a date to Excel)."""
    fields = [c for spec in task.fields for c in _field_columns(spec, "", nested)]
    extra = [f"{spec.name}:agreement" for spec in task.fields] if agreement else []
    if reviewed is not None:
        return BASE_COLUMNS + review_header(task, fields, reviewed) + extra
    return BASE_COLUMNS + fields + extra


def has_passes(records: list[Record]) -> bool:
    """Whether any record was answered in several passes (its export shows the agreement)."""
    return any(r.passes for r in records)


def number_text(value: float, decimal: str = ".") -> str:
    """The shortest text that reads back as this number, with `decimal` as the decimal mark:
    27.0 -> "27", 9.7 -> "9,7" (decimal ","). Scientific notation stays as Python writes it."""
    text = repr(float(value))
    if text.endswith(".0"):
        text = text[:-2]
    return text.replace(".", decimal) if "e" not in text and "n" not in text else text


def csv_text(value: Any, decimal: str = ".", booleans: tuple[str, str] = ("yes", "no")) -> Any:
    """A cell as the CSV writes it: words for yes/no, numbers by number_text, text as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return booleans[0] if value else booleans[1]
    if isinstance(value, float):
        return number_text(value, decimal)
    return value


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


def record_row(task: TaskDefinition, record: Record, nested: Nested = "flatten",
               reviewed: Reviewed | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": record.id,
        "source": record.source,
        "status": record.status,
        "error": record.error or "",
        "warnings": " | ".join(record.warnings),
    }
    fields = record.fields or {}
    if reviewed is None or not reviewed.only:
        for spec in task.fields:
            _flatten(spec, fields.get(spec.name), "", nested, row)
    if reviewed is not None:
        row.update({k: _cell(v) for k, v in review_cells(task, record, reviewed).items()})
    if record.passes and record.agreement is not None:
        row.update({f"{name}:agreement": f"{k} of {record.passes}"
                    for name, k in record.agreement.items()})
    return row


def rows(task: TaskDefinition, records: list[Record], nested: Nested = "flatten",
         reviewed: Reviewed | None = None) -> list[dict[str, Any]]:
    if reviewed is not None:
        records = reviewed_records(records, reviewed)
    return [record_row(task, r, nested, reviewed) for r in records]


def check_csv_options(delimiter: str, decimal: str = ".") -> None:
    """PlukError for a delimiter or decimal mark that would make a CSV nobody can read back;
    the CLI checks before a run, so a run never fails at its export for it."""
    if len(delimiter) != 1:
        raise PlukError(f"The CSV delimiter must be one character, not {delimiter!r}")
    if decimal not in (".", ","):
        raise PlukError(f"The decimal mark must be '.' or ',', not {decimal!r}")
    # The quote and line ends make a file no CSV reader can split again (any other character
    # is quoted where a value holds it).
    if delimiter in ('"', "\n", "\r"):
        raise PlukError(f"The CSV delimiter {delimiter!r} would make a file that cannot be read "
                        "back: use ',', ';', a tab or '|'")


def write_csv(path: str | Path, task: TaskDefinition, records: list[Record], *,
              delimiter: str = ",", nested: Nested = "flatten", bom: bool = True,
              reviewed: Reviewed | None = None, decimal: str = ".",
              booleans: tuple[str, str] = ("yes", "no")) -> Path:
    """`decimal` is the decimal mark of numbers ("," for Excel with a Dutch locale);
    `booleans` the words for yes and no."""
    check_csv_options(delimiter, decimal)
    path = Path(path)
    header = columns(task, nested, reviewed, has_passes(records))
    with replaced_when_done(path) as tmp, tmp.open(
            "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, delimiter=delimiter)
        writer.writeheader()
        for row in rows(task, records, nested, reviewed):
            # Only text can be a formula: a number like -2.5 keeps its minus sign bare.
            writer.writerow({k: neutralise(v) if isinstance(v, str)
                             else csv_text(v, decimal, booleans) for k, v in row.items()})
    return path


def write_json(path: str | Path, task: TaskDefinition, records: list[Record], *,
               reviewed: Reviewed | None = None, thinking_text: bool = False) -> Path:
    """The records as JSON; a thinking model's reasoning (thinking_text) only when asked."""
    path = Path(path)
    left_out = None if thinking_text else {"thinking_text"}
    payload = {"task": task.id,
               "records": [r.model_dump(mode="json", exclude=left_out) for r in records]}
    if reviewed is not None:
        payload["records"] = json_reviews(task, records, reviewed)
    with replaced_when_done(path) as tmp:
        tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def write_xlsx(path: str | Path, task: TaskDefinition, records: list[Record], *,
               nested: Nested = "flatten", reviewed: Reviewed | None = None) -> Path:
    from openpyxl import Workbook

    path = Path(path)
    header = columns(task, nested, reviewed, has_passes(records))
    table = rows(task, records, nested, reviewed)
    # The temporary file first: a write-only workbook that is never saved (a read-only folder)
    # leaves openpyxl's row writer open, which Python then reports as an ignored exception.
    with replaced_when_done(path) as tmp:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("results")
        sheet.append([_xlsx_cell(sheet, name) for name in header])
        for row in table:
            sheet.append([_xlsx_cell(sheet, row.get(column)) for column in header])
        workbook.save(tmp)
    return path


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """Numbers, booleans and empty cells as they are; text as a typed text cell. openpyxl would
    store text starting with "=" as a formula: data type "s" keeps it text without changing it."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=_xlsx_text(value))
    cell.data_type = "s"
    return cell


def _xlsx_text(value: str) -> str:
    # A worksheet cannot hold C0 control characters (openpyxl refuses the whole file) nor more
    # than 32,767 characters (openpyxl cuts the rest silently): escape the one, mark the other.
    value = _XLSX_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    if len(value) > XLSX_CELL_MAX:
        note = f" [cut: {len(value):,} characters; results.json has the whole value]"
        value = value[:XLSX_CELL_MAX - len(note)] + note
    return value


def export(path: str | Path, fmt: str, task: TaskDefinition, records: list[Record], *,
           delimiter: str = ",", nested: Nested = "flatten",
           reviewed: Reviewed | None = None, decimal: str = ".",
           booleans: tuple[str, str] = ("yes", "no")) -> Path:
    if fmt == "csv":
        return write_csv(path, task, records, delimiter=delimiter, nested=nested,
                         reviewed=reviewed, decimal=decimal, booleans=booleans)
    if fmt == "json":
        return write_json(path, task, records, reviewed=reviewed)
    if fmt == "xlsx":
        return write_xlsx(path, task, records, nested=nested, reviewed=reviewed)
    raise PlukError(f"Unknown export format '{fmt}'; choose one of {', '.join(FORMATS)}")
