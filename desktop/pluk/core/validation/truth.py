"""The reference table of a validation: reading it and parsing its cells.

Owns reading a CSV (',', ';' or tab; UTF-8 or Excel's cp1252) or XLSX table into columns and
rows, matching column names loosely (case, spaces, hyphens), and parsing a cell into the typed
value of a task field (yes/no words in English and Dutch, decimal commas, empty-cell markers).
Also owns ValidationError and the null category NULL, which every validation module shares.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path
from typing import Any

from pluk.core.errors import PlukError

NULL = "—/null"
_EMPTY_CELLS = {"", "na", "n/a", "nan", "null", "none", "—", "-", "#n/a"}
_TRUE = {"true", "1", "yes", "y", "ja", "j", "waar", "t", "ok"}
_FALSE = {"false", "0", "no", "n", "nee", "onwaar", "f"}


class ValidationError(PlukError):
    """The run or the reference table cannot be compared; the message says why."""


def read_table(path: str | Path, sheet: str | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows) of a CSV or XLSX file; CSV delimiter (',', ';', tab) from the header."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"reference table not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix not in (".csv", ".tsv", ".txt"):
        raise ValidationError(f"{path.name}: the reference table must be .csv or .xlsx")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Dutch Windows
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
               if any(cell.strip() for cell in r)]
    if not records:
        raise ValidationError(f"{path.name}: the reference table is empty")
    columns = [c.strip() for c in records[0]]
    return columns, [dict(zip(columns, r)) for r in records[1:]]


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], list[dict[str, Any]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ValidationError(f"{path.name}: not a readable .xlsx file ({exc})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ValidationError(f"{path.name}: no sheet {sheet!r}; sheets: "
                                  f"{', '.join(book.sheetnames)}")
        rows = [r for r in (book[sheet] if sheet else book.worksheets[0]).iter_rows(
            values_only=True) if any(v not in (None, "") for v in r)]
    finally:
        book.close()
    if not rows:
        raise ValidationError(f"{path.name}: the sheet is empty")
    columns = ["" if v is None else str(v).strip() for v in rows[0]]
    return columns, [dict(zip(columns, r)) for r in rows[1:]]


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def find_column(columns: list[str], wanted: str) -> str | None:
    if wanted in columns:
        return wanted
    matches = [c for c in columns if _key(c) == _key(wanted)]
    return matches[0] if len(matches) == 1 else None


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_truth_cell(spec: Any, raw: Any) -> tuple[Any, str | None]:
    """(value, problem): value None for an empty cell; problem set when the cell is unreadable."""
    text = cell_text(raw)
    if text.lower() in _EMPTY_CELLS:
        return None, None
    if spec.type == "bool":
        if isinstance(raw, bool):
            return raw, None
        if text.lower() in _TRUE:
            return True, None
        if text.lower() in _FALSE:
            return False, None
        return None, f"not a yes/no value: {text!r}"
    if spec.type in ("int", "float"):
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return float(raw), None
        number = text.replace(" ", "")
        if "," in number and "." not in number:
            number = number.replace(",", ".")  # Dutch decimal comma
        try:
            value = float(number)
        except ValueError:
            return None, f"not a number: {text!r}"
        return (value, None) if math.isfinite(value) else (None, f"not a number: {text!r}")
    if spec.type == "enum":
        if text in spec.values:
            return text, None
        folded = [v for v in spec.values if v.casefold() == text.casefold()]
        return (folded[0] if len(folded) == 1 else text), None
    return text, None
