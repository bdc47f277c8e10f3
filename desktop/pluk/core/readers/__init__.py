r"""Report readers: folders, document files and table files become `Report` objects.

The public API is `read_inputs`, `table_columns`, `TableOptions`, `ReadLimits` and the suffix
tuples. Bad input never raises here: each unreadable file or table row becomes a failed Report
with a one-sentence reason. Only a path that does not exist (a user mistake, not a report)
raises PlukError.

Ids: a file in a folder input is its relative POSIX path from that folder ("sub/a.txt"); a file
given on its own is its file name; a table row is its id column's value (or "row-N" when the
table has no id column); a table inside a folder input prefixes its row ids with its relative
path ("exports/t.csv/17"). Ids are made unique across inputs as `ids.make_unique` describes.
A name or id that is not valid Unicode is kept, escaped (`\xNN` for a byte that is not UTF-8,
`\uNNNN` for a lone surrogate; see `reports`), so its record can be written and resumed.

Hostile input, each a failed Report with its reason (the limits are `ReadLimits`' defaults):
- a .docx that unpacks to more than 100 MB, or an .xlsx to more than 256 MB (zip bombs), by
  the sizes the zip declares, before any parser runs;
- a CSV row with more cells than the header (an unquoted delimiter in a cell): that row, not a
  text cut short; extra cells that are empty are ignored;
- a table row whose id or text holds a lone surrogate (a JSON "\ud83d"): that row;
- a dangling symbolic link or a link loop in a folder: that entry.
A text that is not UTF-8 as a whole is decoded line by line, and its warning names the lines
that were not UTF-8. With `ReadLimits.max_reports` reading stops early (a run's --limit).

Scanned PDF pages and images (PNG, JPEG, TIFF) are read by OCR (`OcrOptions`; see `scans`), at
most `scans.MAX_OCR_PAGES` pages a document (the rest is a warning saying how many), telling
`read_inputs`' `on_status` how it is getting on. A TIFF frame over Pillow's pixel limit (a
decompression bomb) and JSON nested deeper than `json_depth.MAX_JSON_DEPTH` are failed Reports.
With `GroupOptions.by` set, the documents of one patient or case become one report (see
`grouping`); everything is then read before the first `max_reports` groups are kept.
"""

from __future__ import annotations

import logging
import os
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import PlukError
from .reports import Report
from .scans import Status
from .documents import read_document
from .formats import (DOCUMENT_SUFFIXES, SUPPORTED_SUFFIXES, TABLE_SUFFIXES, format_of,
                      is_table)
from .grouping import Grouping, group_reports, parse_group_by
from .ids import make_unique
from .options import GroupOptions, OcrOptions, ReadLimits, TableOptions
from .tables import table_columns, read_table
from .walk import walk_folder

__all__ = [
    "DOCUMENT_SUFFIXES", "GroupOptions", "OcrOptions", "ReadLimits", "SUPPORTED_SUFFIXES",
    "TABLE_SUFFIXES", "TableOptions", "read_inputs", "table_columns",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Reading:
    table: TableOptions
    limits: ReadLimits
    ocr: OcrOptions
    grouping: Grouping | None
    on_status: Status | None = None

    def file(self, path: Path, *, id: str, folder: str, in_folder: bool,
             max_rows: int | None) -> list[tuple[str | None, Report]]:
        """One file's reports, each with its group key (None: not grouped)."""
        prefix = f"{id}/" if in_folder else ""
        if is_table(path):
            reports = read_table(path, file_id=id, row_prefix=prefix, options=self.table,
                                 limits=self.limits, max_rows=max_rows)
        else:
            reports = [read_document(path, id=id, limits=self.limits, ocr=self.ocr,
                                     on_status=self.on_status)]
        if self.grouping is None:
            return [(None, r) for r in reports]
        return [(self.grouping.key(r, rel=id, folder=folder, row_prefix=prefix), r)
                for r in reports]


def _left(limits: ReadLimits, read: int) -> int | None:
    return None if limits.max_reports is None else limits.max_reports - read


def _first_time(path: Path, seen: set[str]) -> bool:
    key = os.path.normcase(os.path.realpath(path))
    if key in seen:
        return False
    seen.add(key)
    return True


def _read_folder(root: Path, reading: _Reading, seen: set[str],
                 max_reports: int | None) -> list[tuple[str | None, Report]]:
    try:
        entries = walk_folder(root)
    except OSError as exc:
        reason = "permission denied" if isinstance(exc, PermissionError) else (
            exc.strerror or type(exc).__name__)
        raise PlukError(f"The folder {root} cannot be opened: {reason}.") from None
    reports: list[tuple[str | None, Report]] = []
    folder = root.resolve().name
    for entry in entries:
        left = None if max_reports is None else max_reports - len(reports)
        if left is not None and left <= 0:
            break
        if not _first_time(entry.path, seen):
            continue
        if entry.error:
            fmt = "folder" if entry.is_folder else format_of(entry.path)
            failed = Report.failed(id=entry.rel, source=str(entry.path), format=fmt,
                                   reason=entry.error)
            # A broken file in a patient's folder is a warning of that patient's report.
            key = (posixpath.dirname(entry.rel) or folder) if (
                reading.grouping and reading.grouping.kind == "folder"
                and not entry.is_folder) else None
            reports.append((key, failed))
        else:
            reports.extend(reading.file(entry.path, id=entry.rel, folder=folder,
                                        in_folder=True, max_rows=left))
    return reports


def read_inputs(paths: Sequence[Path | str], *, table: TableOptions | None = None,
                limits: ReadLimits = ReadLimits(), ocr: OcrOptions = OcrOptions(),
                group: GroupOptions = GroupOptions(),
                on_status: Status | None = None) -> list[Report]:
    """Read every input into Reports, in input order, with unique ids.

    Each path is a folder (walked recursively, hidden and lock files skipped), a document file,
    or a table file (one Report per row). A file is read once even when it is reached twice
    (the same path given twice, or a file given beside the folder that holds it).
    With `limits.max_reports` set, reading stops after that many reports: they are exactly the
    first ones a full read would give, ids included (an id depends only on earlier reports).
    `on_status`, when given, hears one line as the OCR of a scanned document of several pages
    starts and one every few pages (`scans.PROGRESS_EVERY`), such as "OCR of scan.pdf: page 20
    of 200"; the same lines go to this package's log at INFO.
    Raises PlukError only when a path does not exist, a folder cannot be listed at all, or
    `group.by` is not a grouping rule.
    """
    table = table or TableOptions()
    grouping = parse_group_by(group)
    if grouping is not None and grouping.kind == "column":
        table = table.model_copy(update={"id_column": grouping.column})
    # A group's documents may be anywhere in the inputs: read all, then keep the first groups.
    reading = _Reading(table, limits if grouping is None else limits.model_copy(
        update={"max_reports": None}), ocr, grouping, on_status)
    wanted = limits.max_reports
    if grouping is not None:
        limits = reading.limits
    inputs: list[Path] = []
    for raw in paths:
        path = Path(raw).absolute()
        if not path.exists():
            raise PlukError(f"No such file or folder: {path}")
        if not (path.is_dir() or path.is_file()):
            raise PlukError(f"Not a file or folder: {path}")
        inputs.append(path)

    groups: list[tuple[str, list[tuple[str | None, Report]]]] = []
    seen_folders: set[str] = set()
    seen_files: set[str] = set()
    read = 0
    for path in inputs:
        left = _left(limits, read)
        if left is not None and left <= 0:
            break
        if path.is_dir():
            if _first_time(path, seen_folders):
                # resolve() so that "." is labelled with the folder's real name
                groups.append((path.resolve().name,
                               _read_folder(path, reading, seen_files, left)))
        elif not _first_time(path, seen_files):
            continue
        else:
            label = path.name if is_table(path) else path.parent.name
            groups.append((label, reading.file(path, id=path.name, folder=path.parent.name,
                                               in_folder=False, max_rows=left)))
        read = sum(len(group) for _, group in groups)
    if grouping is None:
        reports = make_unique([(label, [r for _, r in group]) for label, group in groups])
    else:
        members = [member for _, group in groups for member in group]
        reports = make_unique([("", group_reports(members, grouping=grouping,
                                                  limits=reading.limits))])
        reports = reports if wanted is None else reports[:wanted]
    failed = sum(1 for r in reports if r.error)
    log.info("read %d reports from %d inputs (%d unreadable)", len(reports), len(inputs), failed)
    return reports
