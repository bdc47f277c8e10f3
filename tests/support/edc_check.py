"""An independent check of a REDCap import file against its data dictionary, written from
REDCap's rules and not from Pluk's code: it reads the dictionary itself and says, cell by cell,
what REDCap's Data Import Tool would refuse.

Every value must be empty, or a valid code of its choice field, 0/1 for yes/no, true/false and
each checkbox option column (`var___code`), a whole number / number within the field's min and
max, a real date written YYYY-MM-DD, or any text for plain text. The record id comes first and
is never empty; no column is unknown to the dictionary.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SKIP = {"calc", "descriptive", "file", "sql"}


def _choices(text: str) -> list[str]:
    return [part.split(",", 1)[0].strip() for part in text.split("|")]


def dictionary_columns(dictionary: Path) -> tuple[str, dict[str, tuple[str, dict]]]:
    """The record id and, per import column, (rule, details)."""
    with dictionary.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    record_id = rows[0]["Variable / Field Name"]
    columns: dict[str, tuple[str, dict]] = {}
    for row in rows[1:]:
        name, kind = row["Variable / Field Name"], row["Field Type"]
        validation = row["Text Validation Type OR Show Slider Number"]
        if kind in _SKIP:
            continue
        if kind == "checkbox":
            for code in _choices(row["Choices, Calculations, OR Slider Labels"]):
                columns[f"{name}___{code.lower()}"] = ("flag", {})
        elif kind in ("dropdown", "radio"):
            columns[name] = ("code", {"codes": set(_choices(
                row["Choices, Calculations, OR Slider Labels"]))})
        elif kind in ("yesno", "truefalse"):
            columns[name] = ("flag", {})
        elif kind == "text" and validation in ("integer", "number"):
            low, high = row["Text Validation Min"], row["Text Validation Max"]
            columns[name] = (validation, {"min": float(low) if low else None,
                                          "max": float(high) if high else None})
        elif kind == "text" and validation.startswith("date_"):
            columns[name] = ("date", {})
        else:
            columns[name] = ("text", {})
    return record_id, columns


def problems(dictionary: Path, export: Path) -> list[str]:
    """What REDCap would refuse in `export`; [] when every cell is acceptable."""
    record_id, columns = dictionary_columns(dictionary)
    with export.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    found: list[str] = []
    if not header or header[0] != record_id:
        found.append(f"the first column is {header[:1]}, not the record id {record_id!r}")
    found += [f"unknown column {c!r}" for c in header[1:] if c not in columns]
    for number, row in enumerate(rows, start=2):
        if len(row) != len(header):
            found.append(f"line {number}: {len(row)} cells for {len(header)} columns")
            continue
        if not row[0]:
            found.append(f"line {number}: no record id")
        for column, value in zip(header[1:], row[1:]):
            if value == "" or column not in columns:
                continue
            rule, details = columns[column]
            where = f"line {number}, {column}={value!r}"
            if rule == "flag" and value not in ("0", "1"):
                found.append(f"{where}: not 0 or 1")
            elif rule == "code" and value not in details["codes"]:
                found.append(f"{where}: not one of the codes {sorted(details['codes'])}")
            elif rule in ("integer", "number"):
                pattern = r"^-?\d+$" if rule == "integer" else r"^-?\d+(\.\d+)?$"
                if not re.match(pattern, value):
                    found.append(f"{where}: not a plain {rule}")
                    continue
                number_value = float(value)
                if details["min"] is not None and number_value < details["min"]:
                    found.append(f"{where}: below the minimum {details['min']}")
                if details["max"] is not None and number_value > details["max"]:
                    found.append(f"{where}: above the maximum {details['max']}")
            elif rule == "date":
                try:
                    ok = bool(_DATE.match(value)) and dt.date.fromisoformat(value) is not None
                except ValueError:
                    ok = False
                if not ok:
                    found.append(f"{where}: not a date written YYYY-MM-DD")
    return found
