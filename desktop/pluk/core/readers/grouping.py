"""Several documents per patient or case: grouping read reports into one report per id.

Owns the `--group-by` rules (see `GroupOptions`) and how a group becomes one Report:
- "folder": the files directly in one folder are one report, its id the folder's path relative
  to the input folder ("P1", "2024/P7"); files directly in the input folder are grouped under
  the input folder's name, and a file given on its own under its parent folder's name.
- a regular expression with a named group `(?P<id>...)`, searched in each file's path relative
  to its input folder (a file given on its own: its name); a file that does not match stays a
  report of its own, with a warning saying so.
- "column:NAME": table rows sharing the value of column NAME (across all tables read), NAME
  then being the id column; a row without a value, and every non-table document, stays its own.

A group's documents keep reading order (by relative path in a folder, by row in a table, then
input order), which is stable from run to run. The text joins them under one header line each,
"=== Document 2 of 3: P1/mri.pdf ===", and `Report.parts` keeps each document's id, source,
offsets, warnings and OCR summary. A document that failed is a warning of its group with its
reason; a group whose documents all failed is an error record. Header labels are relative
paths or file names, never absolute paths, so folder names above the input stay out of prompts.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import PlukError
from .decoding import too_long
from .options import GroupOptions, ReadLimits
from .reports import Report, ReportPart

_ROW_FALLBACK = re.compile(r"(row|line|item)-(\d+)")


@dataclass(frozen=True)
class Grouping:
    kind: str  # "folder", "pattern" or "column"
    pattern: re.Pattern[str] | None = None
    column: str | None = None

    def key(self, report: Report, *, rel: str, folder: str, row_prefix: str) -> str | None:
        """The group of one read report; None keeps it a report of its own.

        rel: the file's relative POSIX path in its input folder (its name when given alone);
        folder: the name of the folder that rel is relative to; row_prefix: what the table
        reader put before its row ids.
        """
        if self.kind == "folder":
            return posixpath.dirname(rel) or folder
        if self.kind == "pattern":
            found = self.pattern.search(rel)
            return (found.group("id") or None) if found else None
        value = report.id[len(row_prefix):] if report.id.startswith(row_prefix) else None
        row = report.source.rpartition("#")[2]
        if not value or "#" not in report.source or (
                (m := _ROW_FALLBACK.fullmatch(value)) and m.group(2) == row):
            return None  # not a table row, or a row whose id cell was empty or unreadable
        return value


def parse_group_by(options: GroupOptions) -> Grouping | None:
    """The grouping `options.by` asks for; PlukError for a spec that cannot work."""
    spec = options.by
    if spec is None:
        return None
    if spec == "folder":
        return Grouping("folder")
    if spec.startswith("column:"):
        column = spec.removeprefix("column:").strip()
        if not column:
            raise PlukError("--group-by column: needs a column name, e.g. column:patient_id")
        return Grouping("column", column=column)
    try:
        pattern = re.compile(spec)
    except re.error as exc:
        raise PlukError(f"--group-by {spec!r} is not 'folder', 'column:NAME' or a valid regular "
                        f"expression ({exc})") from None
    if "id" not in pattern.groupindex:
        raise PlukError(f"--group-by {spec!r} needs a named group (?P<id>...) for the patient "
                        "or case id")
    return Grouping("pattern", pattern=pattern)


def _label(report: Report) -> str:
    if "#" in report.source:  # a table row: "radiologie.csv#12"
        return Path(report.source).name
    return report.id


def combine(key: str, members: list[Report], *, grouping: Grouping,
            limits: ReadLimits) -> Report:
    """One report for a group's documents, in the order given."""
    total = len(members)
    parts: list[ReportPart] = []
    pieces: list[str] = []
    warnings: list[str] = []
    offset = 0
    for n, member in enumerate(members, start=1):
        label = _label(member)
        warnings.extend(f"{label}: {w}" for w in member.warnings)
        if member.error:
            warnings.append(f"document {n} of {total} ({label}) could not be read: "
                            f"{member.error}")
            parts.append(ReportPart(id=member.id, source=member.source, format=member.format,
                                    error=member.error, warnings=member.warnings))
            continue
        header = f"=== Document {n} of {total}: {label} ===\n"
        if pieces:
            offset += 2  # the blank line between documents
        start = offset + len(header)
        pieces.append(header + member.text)
        offset = start + len(member.text)
        parts.append(ReportPart(id=member.id, source=member.source, format=member.format,
                                start=start, end=offset, warnings=member.warnings,
                                ocr=member.ocr))
    if grouping.kind == "folder":
        source = str(Path(members[0].source.rpartition("#")[0] or members[0].source).parent)
    else:
        source = "; ".join(m.source for m in members)
    sizes = [m.size_bytes for m in members if m.size_bytes is not None]
    extra = dict(parts=parts, size_bytes=sum(sizes) if sizes else None)
    if not pieces:
        reason = (members[0].error if total == 1 else
                  f"none of its {total} documents could be read (first: {members[0].error})")
        return Report.failed(id=key, source=source, format="group", reason=reason,
                             warnings=warnings, **extra)
    text = "\n\n".join(pieces)
    if len(text) > limits.max_chars:
        return Report.failed(id=key, source=source, format="group",
                             reason="the grouped documents' " + too_long(len(text),
                                                                         limits.max_chars),
                             raw=text.encode("utf-8", "surrogatepass"), warnings=warnings,
                             **extra)
    return Report.from_text(id=key, source=source, format="group", text=text,
                            warnings=warnings, **extra)


def group_reports(members: list[tuple[str | None, Report]], *, grouping: Grouping,
                  limits: ReadLimits) -> list[Report]:
    """Reports grouped by key, in the order each key (or ungrouped report) first appears."""
    order: list[str | Report] = []
    groups: dict[str, list[Report]] = {}
    for key, report in members:
        if key is None:
            order.append(report)
            continue
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(report)
    out: list[Report] = []
    for item in order:
        if isinstance(item, Report):
            if grouping.kind == "pattern":  # say why it stands alone: the pattern may be wrong
                item = item.model_copy(update={"warnings": [
                    *item.warnings, "not grouped: its path does not match the --group-by "
                    "pattern"]})
            out.append(item)
        else:
            out.append(combine(item, groups[item], grouping=grouping, limits=limits))
    return out
