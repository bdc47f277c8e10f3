"""A run as one self-contained HTML file: each report's text with the evidence of every value
highlighted, beside the values, their evidence status and their review status.

One file, no external assets (the style is inline, links point only inside the page), and
every piece of text from a report, a record or a task is HTML-escaped, so a report holding
"<script>" shows it as text. Report texts are not stored in a run folder: the caller passes
them by sha256 (the records' `sha256`), and a report whose text is not at hand is listed with
its values and a note.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from pluk.core.runs.export import replaced_when_done
from pluk.core.runs.records import Evidence, Record
from pluk.core.runs.review_columns import Reviewed, reviewed_records
from pluk.core.runs.reviews import review_fields, reviewed_value
from pluk.core.tasks import TaskDefinition
from pluk.core.written_words import wording

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#111827;background:#f9fafb}
h1{font-size:20px;margin:0 0 4px} .muted{color:#6b7280}
section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:14px 18px;
margin:16px 0} h2{font-size:16px;margin:0 0 8px}
table{border-collapse:collapse;margin:6px 0 10px} td,th{border-bottom:1px solid #f3f4f6;
padding:3px 10px;text-align:left;vertical-align:top} th{color:#374151;font-weight:600}
pre{white-space:pre-wrap;background:#fbfbf9;border:1px solid #eee;padding:10px;
font:13px/1.5 ui-monospace,monospace}
mark{background:#fde68a;padding:0 1px} mark.fuzzy{background:#fef3c7;
outline:1px dashed #d97706}
.chip{display:inline-block;border-radius:9px;padding:0 8px;font-size:12px}
.ok,.exact{background:#dcfce7;color:#166534} .invalid,.fuzzy{background:#fef3c7;color:#92400e}
.error,.not_found,.weak{background:#fee2e2;color:#991b1b} .review{background:#e0e7ff;color:#3730a3}
"""
_STATUS_WORDS = {"exact": "exact", "fuzzy": "fuzzy", "weak": "weak (not next to its words)",
                 "not_found": "ungrounded"}


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _shown(value: Any, _=wording("en")) -> str:
    if value is None:
        return "—"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _usable(evidence: dict[str, Evidence], text: str | None) -> dict[str, Evidence]:
    """Evidence that still fits the text at hand (a changed file would misplace it)."""
    if text is None:
        return {}
    return {path: e for path, e in evidence.items() if e.status != "not_found"
            and 0 <= e.start < e.end <= len(text) and text[e.start:e.end] == e.quote}


def highlighted(text: str, evidence: dict[str, Evidence], anchor: str) -> str:
    """The escaped text with a <mark> over each passage, an id at each value's first."""
    usable = _usable(evidence, text)
    cuts = sorted({0, len(text), *(e.start for e in usable.values()),
                   *(e.end for e in usable.values())})
    starts: dict[int, list[str]] = {}
    for index, path in enumerate(usable):
        starts.setdefault(usable[path].start, []).append(f"{anchor}-{index}")
    out = []
    for lo, hi in zip(cuts, cuts[1:]):
        out += [f'<span id="{_e(i)}"></span>' for i in starts.get(lo, [])]
        covering = [p for p, e in usable.items() if e.start <= lo and hi <= e.end]
        piece = _e(text[lo:hi])
        if covering:
            fuzzy = all(usable[p].status in ("fuzzy", "weak") for p in covering)
            css = ' class="fuzzy"' if fuzzy else ""
            out.append(f'<mark{css} title="{_e(", ".join(covering))}">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


def _value_rows(task: TaskDefinition, record: Record, text: str | None, anchor: str,
                reviewed: Reviewed | None, _) -> str:
    usable = _usable(record.evidence, text)
    index_of = {path: i for i, path in enumerate(usable)}
    rows = []
    for path, value in _leaf_values(record.fields or {}, task):
        evidence = record.evidence.get(path)
        if evidence is None:
            where = '<span class="muted">—</span>'
        else:
            label = _(_STATUS_WORDS[evidence.status])
            if evidence.score is not None:
                label += f" {evidence.score:.2f}"
            where = f'<span class="chip {_e(evidence.status)}">{_e(label)}</span>'
            if path in index_of:
                where = f'<a href="#{_e(anchor)}-{index_of[path]}">{where}</a>'
        problem = record.field_errors.get(path.split(".")[0].split("[")[0], "")
        rows.append(f"<tr><td>{_e(path)}</td><td>{_e(_shown(value, _))}</td><td>{where}</td>"
                    f'<td class="muted">{_e(problem)}</td></tr>')
    head = "<tr>" + "".join(f"<th>{_e(_(h))}</th>" for h in ("Field", "Value", "Evidence",
                                                              "Note")) + "</tr>"
    table = f"<table>{head}{''.join(rows)}</table>"
    if reviewed is None:
        return table
    review_rows = []
    for path, _spec in review_fields(task):
        review = reviewed.latest.get((record.id, path))
        status, value = reviewed_value(record, path, review)
        reason = review.reason if review is not None and review.reason else ""
        review_rows.append(f'<tr><td>{_e(path)}</td><td><span class="chip review">'
                           f"{_e(_(status))}</span></td><td>{_e(_shown(value, _))}</td>"
                           f"<td>{_e(reason)}</td></tr>")
    head = "".join(f"<th>{_e(_(h))}</th>" for h in ("Field", "Review", "Reviewed value",
                                                     "Reason"))
    return table + f"<table><tr>{head}</tr>{''.join(review_rows)}</table>"


def _leaf_values(fields: dict[str, Any], task: TaskDefinition) -> list[tuple[str, Any]]:
    """(path, value) for every top-level field and every leaf under it, as evidence names
    them; a list's items come after the list itself."""
    out: list[tuple[str, Any]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}[{index}]")
        else:
            out.append((path, value))

    for spec in task.fields:
        walk(fields.get(spec.name), spec.name)
    return out


def render(task: TaskDefinition, records: list[Record], texts: dict[str, str], *,
           title: str = "", reviewed: Reviewed | None = None, language: str = "en") -> str:
    """The page, its own words in `language` (en, nl; written_words.py)."""
    _ = wording(language)
    if reviewed is not None:
        records = reviewed_records(records, reviewed)
    grounded = [e for r in records for e in r.evidence.values()]
    exact = sum(1 for e in grounded if e.status == "exact")
    missing = sum(1 for e in grounded if e.status == "not_found")
    weak = sum(1 for e in grounded if e.status == "weak")
    counts = _("{n} values with evidence: {exact} exact, {weak} weak, {missing} ungrounded"
               ).format(n=len(grounded), exact=exact, weak=weak, missing=missing)
    parts = [f"<h1>{_e(title or task.title)}</h1>",
             f'<p class="muted">{_e(_("Task"))} {_e(task.id)} · '
             f'{_e(_("{n} report" if len(records) == 1 else "{n} reports").format(n=len(records)))}'
             f" · {_e(counts)}</p>"]
    for number, record in enumerate(records):
        anchor = f"r{number}"
        text = texts.get(record.sha256)
        parts.append(f'<section id="{anchor}"><h2>{_e(record.id)} '
                     f'<span class="chip {_e(record.status)}">{_e(_(record.status))}</span>'
                     "</h2>")
        if record.error:
            parts.append(f'<p class="muted">{_e(record.error)}</p>')
        parts.append(_value_rows(task, record, text, anchor, reviewed, _))
        if text is None:
            parts.append('<p class="muted">' + _e(_(
                "The report text is not available here (its input was not found or has "
                "changed).")) + "</p>")
        else:
            parts.append(f"<pre>{highlighted(text, record.evidence, anchor)}</pre>")
        parts.append("</section>")
    return (f"<!DOCTYPE html>\n<html lang=\"{_e(language)}\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(title or task.title)}</title><style>{_STYLE}</style></head>"
            f"<body>{''.join(parts)}</body></html>\n")


def write_html(path: str | Path, task: TaskDefinition, records: list[Record],
               texts: dict[str, str], *, title: str = "", reviewed: Reviewed | None = None,
               language: str = "en") -> Path:
    """Write the page through a temporary file of its own, as every export does (two exports to
    one file at once each complete; a failure leaves the previous file)."""
    path = Path(path)
    page = render(task, records, texts, title=title, reviewed=reviewed, language=language)
    with replaced_when_done(path) as tmp:
        tmp.write_text(page, encoding="utf-8")
    return path
