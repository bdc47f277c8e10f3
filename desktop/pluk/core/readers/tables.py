"""Table files (CSV, XLSX, JSONL, JSON arrays such as DRAGON's) to one Report per row.

The first row of a CSV or sheet is the header. A CSV row with more cells than the header (an
unquoted delimiter in a cell: "PSA 7.5 ng/ml, PI-RADS 5") is an error row with that reason, not
a text cut at the delimiter; extra cells that are empty lose nothing and are ignored. Row
numbers in sources and reasons are those a data manager sees: the spreadsheet row (header =
row 1) for CSV/XLSX, the line for JSONL, the 1-based item for a JSON array. A problem with the
whole file is one failed Report for the file; a problem with one row is one failed Report for
that row. JSON nested deeper than `json_depth.MAX_JSON_DEPTH` is such a problem (of the file
for .json, of the line for .jsonl).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PlukError
from .reports import Report, is_unicode_clean
from .decoding import (ReadFailure, check_unzipped, decode_bytes, normalise, read_limited,
                       too_long)
from .formats import format_of, suffix_of
from pluk.core.json_depth import JsonTooDeep, loads_bounded
from .options import ReadLimits, TableOptions

log = logging.getLogger(__name__)

# Compared after lower-casing and turning spaces/hyphens into underscores; first match wins.
ID_GUESSES: tuple[str, ...] = (
    "id", "uid", "report_id", "reportid", "report_uid", "document_id", "doc_id", "verslag_id",
    "verslagid", "accession_number", "accessionnumber", "accession", "onderzoeksnummer",
)
TEXT_GUESSES: tuple[str, ...] = (
    "text", "text_parts", "report", "report_text", "reporttext", "verslag", "verslagtekst",
    "verslag_tekst", "tekst", "content", "body", "document", "note",
)

# A JSON "\ud83d" escape without its pair decodes to a lone surrogate: not text, and no UTF-8
# record can hold it, so the row is refused (its id is written escaped, see reports.py).
_SURROGATE = ("holds a lone surrogate (a \\uD800-\\uDFFF escape without its pair), which is not "
              "valid Unicode")

# Field sizes are checked per row against ReadLimits.max_chars; csv's own default (128 KiB) would
# otherwise fail a whole file for one long report.
csv.field_size_limit(2**31 - 1)


@dataclass
class _Table:
    columns: list[str]
    # (row number, cells) for a usable row, (row number, reason) for a row that is not
    rows: list[tuple[int, dict[str, Any] | str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    row_word: str = "row"
    # row number -> why a row whose cells were read is still refused
    refused: dict[int, str] = field(default_factory=dict)
    # .xlsx: row number -> the columns whose cell is a formula with no value saved (read only
    # when an empty cell needs explaining: a second pass over the sheet)
    formulas: Callable[[], dict[int, set[str]]] = lambda: {}


def _column_names(header: list[Any]) -> list[str]:
    names: list[str] = []
    for k, value in enumerate(header, 1):
        name = _cell_str(value).strip() or f"column_{k}"
        base, n = name, 2
        while name in names:  # duplicate headers must stay addressable
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def _cell_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id typed as 123 in Excel comes back as 123.0
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _is_blank_row(values) -> bool:
    return all(_cell_str(v).strip() == "" for v in values)


def _load_csv(data: bytes, max_rows: int | None) -> _Table:
    text, warnings = decode_bytes(data, kind="CSV text")
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    # The header line decides: it has no free text, unlike the report cells the Sniffer reads.
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table: _Table | None = None
    number = 0  # the spreadsheet row: the header is row 1, blank rows after it count
    try:
        for values in reader:
            if table is None:
                if not _is_blank_row(values):
                    table, number = _Table(_column_names(values), warnings=warnings), 1
                continue
            number += 1
            if _is_blank_row(values):
                continue
            if _full(table, max_rows):
                break
            table.rows.append((number, dict(zip(table.columns, values))))
            if any(v.strip() for v in values[len(table.columns):]):
                # Cells past the header mean an unquoted delimiter split a cell; no guess puts
                # the pieces back, so the row is refused (its id cell still names it).
                table.refused[number] = (
                    f"row {number} has {len(values)} cells but the header has "
                    f"{len(table.columns)} (an unquoted {delimiter!r} in a cell?); quote that "
                    "cell or fix the row")
    except csv.Error as exc:
        raise ReadFailure(f"malformed CSV file ({exc})", data) from None
    if table is None:
        raise ReadFailure("the CSV file holds no header row", data)
    return table


def _full(table: _Table, max_rows: int | None) -> bool:
    return max_rows is not None and len(table.rows) >= max_rows


# Excel's own limits; a sheet whose <dimension> declares more was not written by a spreadsheet
# program, and readers that size their work by the dimension would be sent far off.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384


def _check_dimension(worksheet, data: bytes) -> None:
    """Refuse a sheet whose declared dimension is beyond Excel's, before any row is read."""
    try:
        rows, columns = worksheet.max_row, worksheet.max_column  # from <dimension>, not rows
    except Exception:  # noqa: BLE001 - a malformed dimension: the rows themselves will tell
        return
    declared = f"the sheet '{worksheet.title}' declares"
    if isinstance(rows, int) and rows > EXCEL_MAX_ROWS:
        raise ReadFailure(f"{declared} {rows:,} rows (its dimension), more than Excel's "
                          f"{EXCEL_MAX_ROWS:,}: the file is damaged or was not made by a "
                          "spreadsheet program", data)
    if isinstance(columns, int) and columns > EXCEL_MAX_COLUMNS:
        raise ReadFailure(f"{declared} {columns:,} columns (its dimension), more than Excel's "
                          f"{EXCEL_MAX_COLUMNS:,}: the file is damaged or was not made by a "
                          "spreadsheet program", data)


def _open_xlsx(data: bytes):
    import openpyxl

    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ReadFailure(
            "corrupt or unreadable Excel file (not a valid .xlsx; an old .xls renamed, or "
            "password-protected?)", data,
        ) from exc


def _formula_cells(data: bytes, sheet: str, header: list[str]) -> dict[int, set[str]]:
    """A workbook read with its cached values shows a formula nobody saved a value for as an
    empty cell; read as written, such a cell holds the formula itself."""
    import openpyxl

    found: dict[int, set[str]] = {}
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # it was read once: a second failure only loses the explanation
        return found
    try:
        rows = workbook[sheet].iter_rows(min_row=1, values_only=True)
        for number, values in enumerate(rows, 1):
            names = {header[i] for i, v in enumerate(values[:len(header)])
                     if isinstance(v, str) and v.startswith("=")}
            if names:
                found[number] = names
    finally:
        workbook.close()
    return found


def _load_xlsx(data: bytes, sheet: str | None, max_rows: int | None) -> _Table:
    workbook = _open_xlsx(data)
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise ReadFailure(
                f"sheet '{sheet}' not found; sheets: {', '.join(workbook.sheetnames)}", data
            )
        _check_dimension(worksheet, data)
        header: list[str] | None = None
        table = _Table([])
        try:
            for number, values in enumerate(worksheet.iter_rows(min_row=1, values_only=True), 1):
                if _is_blank_row(values):
                    continue
                if header is None:
                    header = table.columns = _column_names(list(values))
                    continue
                if _full(table, max_rows):
                    break  # read_only streams the sheet: rows past the limit are never parsed
                table.rows.append((number, dict(zip(header, values))))
        except ReadFailure:
            raise
        except Exception as exc:
            raise ReadFailure("corrupt or unreadable Excel file", data) from exc
        if header is None:
            raise ReadFailure("the sheet is empty (no header row)", data)
        table.formulas = functools.cache(
            lambda name=worksheet.title, cols=header: _formula_cells(data, name, cols))
        return table
    finally:
        workbook.close()


def _load_jsonl(data: bytes, max_rows: int | None) -> _Table:
    text, warnings = decode_bytes(data, kind="JSON Lines text")
    table = _Table([], warnings=warnings, row_word="line")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if _full(table, max_rows):
            break
        try:
            item = loads_bounded(line)
        except json.JSONDecodeError as exc:
            # exc.msg and the column say where, never what: the line may hold patient text.
            reason = f"line {number} is not valid JSON ({exc.msg}, column {exc.colno})"
            table.rows.append((number, reason))
            continue
        except JsonTooDeep as exc:
            table.rows.append((number, f"line {number}: JSON {exc}"))
            continue
        table.rows.append(_object_row(table, number, item, "line"))
    return table


def _load_json(data: bytes, max_rows: int | None) -> _Table:
    text, warnings = decode_bytes(data, kind="JSON text")
    try:
        items = loads_bounded(text)
    except json.JSONDecodeError as exc:
        raise ReadFailure(f"not valid JSON ({exc.msg}, line {exc.lineno})", data) from None
    except JsonTooDeep as exc:
        raise ReadFailure(f"the JSON file is {exc}", data) from None
    if not isinstance(items, list):
        raise ReadFailure(
            "the JSON file does not hold an array of report objects (like DRAGON's "
            "[{\"uid\": ..., \"text\": ...}, ...])", data,
        )
    table = _Table([], warnings=warnings, row_word="item")
    for number, item in enumerate(items[:max_rows], 1):
        table.rows.append(_object_row(table, number, item, "item"))
    return table


def _object_row(table: _Table, number: int, item: Any, word: str):
    if not isinstance(item, dict):
        return number, f"{word} {number} is not a JSON object"
    for key in item:
        if key not in table.columns:
            table.columns.append(key)
    return number, item


def _load(path: Path, data: bytes, options: TableOptions, limits: ReadLimits,
          max_rows: int | None = None) -> _Table:
    """The table's columns and its first `max_rows` rows (all when None)."""
    suffix = suffix_of(path)
    if suffix == ".csv":
        return _load_csv(data, max_rows)
    if suffix == ".xlsx":
        check_unzipped(data, limits.max_unzipped_table_bytes, "Excel")
        return _load_xlsx(data, options.sheet, max_rows)
    if suffix == ".jsonl":
        return _load_jsonl(data, max_rows)
    if suffix == ".json":
        return _load_json(data, max_rows)
    raise ReadFailure(f"not a table file: {suffix}")


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _choose(columns: list[str], chosen: str | None, guesses: tuple[str, ...], role: str,
            required: bool) -> str | None:
    available = ", ".join(repr(c) for c in columns) or "none"
    if chosen is not None:
        if chosen in columns:
            return chosen
        # Forgive case and spacing: "Text" for "text" is not worth a failed run.
        matches = [c for c in columns if _key(c) == _key(chosen)]
        if len(matches) == 1:
            return matches[0]
        raise ReadFailure(f"{role} column '{chosen}' not found; available columns: {available}")
    by_key = {}
    for c in columns:
        by_key.setdefault(_key(c), c)
    for guess in guesses:
        if guess in by_key:
            return by_key[guess]
    if required:
        raise ReadFailure(
            f"no {role} column found (tried names like {', '.join(guesses[:6])}); choose the "
            f"{role} column from the available columns: {available}"
        )
    return None


def resolve_columns(columns: list[str], options: TableOptions) -> tuple[str | None, str]:
    """(id column or None for row numbers, text column); ReadFailure names the columns."""
    text_col = _choose(columns, options.text_column, TEXT_GUESSES, "text", required=True)
    id_col = _choose(columns, options.id_column, ID_GUESSES, "id", required=False)
    return id_col, text_col


def _parts_fallback(columns: list[str], text_col: str, options: TableOptions) -> str | None:
    # DRAGON files give each item either "text" or "text_parts"; a guessed "text" column may
    # therefore be absent from some items, which then take their "text_parts".
    if options.text_column is None and _key(text_col) == "text":
        return next((c for c in columns if _key(c) == "text_parts"), None)
    return None


def table_columns(path: Path | str, *, sheet: str | None = None,
                  limits: ReadLimits = ReadLimits()) -> list[str]:
    """The column names of a table file, for the GUI's column pickers; PlukError if unreadable."""
    path = Path(path)
    if not path.is_file():
        raise PlukError(f"No such file: {path}")
    try:
        data = read_limited(path, limits.max_table_bytes)
        # A CSV's or sheet's columns are its header; JSON objects name theirs in every row.
        header_only = suffix_of(path) in (".csv", ".xlsx")
        return _load(path, data, TableOptions(sheet=sheet), limits,
                     max_rows=0 if header_only else None).columns
    except ReadFailure as failure:
        raise PlukError(f"Cannot read the columns of {path.name}: {failure.reason}.") from None


def _text_of(value: Any) -> str:
    if isinstance(value, list):  # DRAGON text_parts
        return "\n\n".join(normalise(_cell_str(p)) for p in value)
    return normalise(_cell_str(value))


def read_table(path: Path, *, file_id: str, row_prefix: str, options: TableOptions,
               limits: ReadLimits, max_rows: int | None = None) -> list[Report]:
    """The rows of one table file as Reports (the first `max_rows`, or all when None); never
    raises for bad content.

    `file_id` names the file's own error record; `row_prefix` ("" at top level, "sub/t.csv/" in
    a folder) goes before every row id.
    """
    fmt, source = format_of(path), str(path)
    try:
        data = read_limited(path, limits.max_table_bytes)
        table = _load(path, data, options, limits, max_rows)
        if not table.rows:
            raise ReadFailure("the table holds no data rows", data)
        id_col, text_col = resolve_columns(table.columns, options)
    except ReadFailure as failure:
        log.debug("unreadable table %s: %s", file_id, failure.reason)
        return [Report.failed(id=file_id, source=source, format=fmt, reason=failure.reason,
                              raw=failure.raw)]
    parts_col = _parts_fallback(table.columns, text_col, options)
    common = list(table.warnings)
    if id_col is None:
        common.append(f"no id column; ids are {table.row_word} numbers")
    reports = []
    for number, row in table.rows:
        word = table.row_word
        row_source = f"{source}#{number}"
        fallback_id = f"{row_prefix}{word}-{number}"
        if isinstance(row, str):
            reports.append(Report.failed(id=fallback_id, source=row_source, format=fmt,
                                         reason=row, warnings=common))
            continue
        warnings = list(common)
        # surrogatepass: a JSON "\ud83d" escape is a lone surrogate that strict UTF-8 refuses.
        raw = json.dumps(row, ensure_ascii=False, default=str, sort_keys=True).encode(
            "utf-8", "surrogatepass")
        row_id = _cell_str(row.get(id_col)).strip() if id_col else ""
        if id_col and not row_id:
            warnings.append(f"empty id cell; id taken from the {word} number")
        report_id = f"{row_prefix}{row_id}" if row_id else fallback_id
        value = row.get(text_col)
        if value is None and parts_col:
            value = row.get(parts_col)
        text = _text_of(value)
        if number in table.refused:
            reason = table.refused[number]
        elif not is_unicode_clean(row_id):
            reason = f"{word} {number}: the id cell (column '{id_col}') {_SURROGATE}"
        elif not is_unicode_clean(text):
            reason = f"{word} {number}: the text cell (column '{text_col}') {_SURROGATE}"
        elif not text.strip() and text_col in table.formulas().get(number, ()):
            reason = (f"{word} {number}: the text cell (column '{text_col}') is a formula with "
                      "no value saved: open the file in Excel or LibreOffice and save it, so "
                      "the values are stored, then read it again")
        elif not text.strip():
            reason = f"{word} {number}: the text cell (column '{text_col}') is empty"
        elif len(text) > limits.max_chars:
            reason = f"{word} {number}: " + too_long(len(text), limits.max_chars)
        else:
            reports.append(Report.from_text(id=report_id, source=row_source, format=fmt,
                                            text=text, warnings=warnings))
            continue
        reports.append(Report.failed(id=report_id, source=row_source, format=fmt, reason=reason,
                                     raw=raw, warnings=warnings))
    return reports
