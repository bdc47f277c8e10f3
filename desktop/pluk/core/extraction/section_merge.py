"""Merging the answers of a report read in sections into the report's one record.

Each section was extracted as a report of its own (answer_record: validated, with
probabilities and evidence in the section's text). Per top-level field:
- a list: the sections' items in order, each distinct item once, at most the field's max_items
  (a cut is a warning, never silent);
- any other value: among the sections that give one (not null), those that state it most
  firmly in their own text (next to the field's words: exact, then fuzzy; then a weak,
  coincidental match; then none) come first, whatever the rule; of those the task's rule picks:
  the first or last section, or the most probable option (bool and enum; other types fall back
  to the first). Sections that disagree are a warning naming each value and its section; a value
  no section states is kept with a warning naming the sections, and its evidence says so.
A field no section gives a value for stays null, with a section's reason where one failed on
it. The evidence is then found again in the whole report, so its offsets are the report's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pluk.core.extraction.evidence import find_evidence
from pluk.core.readers.reports import Report
from pluk.core.runs.records import MergeRule, Record, Section, Split
from pluk.core.tasks import TaskDefinition


def value_key(value: Any) -> str:
    """Equal values, equal keys (objects and lists by their content): what merges compare."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


# How firmly a section's own text states its value: a value stated next to its field's words
# (exact, then fuzzy) outranks one that only coincides with a number there (weak) or is found
# nowhere, whatever the task's merge rule.
_RANK = {"exact": 3, "fuzzy": 2, "weak": 1, "not_found": 0}


def _rank(record: Record, name: str) -> int:
    evidence = record.evidence.get(name)
    return 0 if evidence is None else _RANK[evidence.status]


def _probability(record: Record, name: str, value: Any) -> float:
    options = record.probabilities.get(name) or {}
    label = json.dumps(value) if isinstance(value, bool) else str(value)
    return options.get(label, options.get(str(value), -1.0))


def _pick(rule: MergeRule, name: str, pool: list[tuple[int, Any, Record]]
          ) -> tuple[int, Any, Record]:
    if rule == "last":
        return pool[-1]
    if rule == "probable" and any(rec.probabilities.get(name) for _, _, rec in pool):
        return max(pool, key=lambda c: _probability(c[2], name, c[1]))
    return pool[0]


def _merge_list(spec: Any, values: list[tuple[int, list[Any]]], warnings: list[str]
                ) -> list[Any]:
    seen: set[str] = set()
    merged: list[Any] = []
    for _, items in values:
        for item in items:
            if value_key(item) not in seen:
                seen.add(value_key(item))
                merged.append(item)
    if len(merged) > spec.max_items:
        warnings.append(f"{spec.name}: the sections gave {len(merged)} distinct items, more "
                        f"than the field's {spec.max_items}; items after the "
                        f"{spec.max_items}th were left out")
        merged = merged[:spec.max_items]
    return merged


def merge_sections(task: TaskDefinition, report: Report, records: list[Record],
                   sections: list[Section], *, report_tokens: int, room: int,
                   overlap: int, warnings: list[str]) -> Record:
    """The record of `report` from its sections' records (in section order). `warnings` are
    the report's own (the split note included); the sections' warnings follow, numbered."""
    warnings = list(warnings)
    for k, record in enumerate(records, 1):
        for note in record.warnings:
            if note not in report.warnings and f"section {k}: {note}" not in warnings:
                warnings.append(f"section {k}: {note}")
    split = Split(report_tokens=report_tokens, room=room, overlap_tokens=overlap,
                  sections=sections, merge=task.section_merge)
    totals = dict(tokens_prompt=sum(r.tokens_prompt or 0 for r in records),
                  tokens_cached=sum(r.tokens_cached or 0 for r in records),
                  tokens_output=sum(r.tokens_output or 0 for r in records),
                  seconds=sum(r.seconds for r in records),
                  token_limit=max((r.token_limit or 0 for r in records), default=0) or None,
                  time_limit_s=records[0].time_limit_s if records else None)
    common = dict(id=report.id, source=report.source, sha256=report.sha256, ocr=report.ocr,
                  parts=report.parts, **totals)
    answered = [(k, r) for k, r in enumerate(records) if r.fields is not None]
    if not answered:
        errors = "; ".join(f"section {k + 1}: {r.error}" for k, r in enumerate(records))
        return Record(status="error", error=f"No section of the report was answered ({errors})",
                      warnings=warnings, split=split, **common)
    fields: dict[str, Any] = {}
    field_errors: dict[str, str] = {}
    probabilities: dict[str, dict[str, float]] = {}
    for spec in task.fields:
        name = spec.name
        given = [(k, r.fields[name], r) for k, r in answered if r.fields.get(name) is not None]
        if spec.type == "list":
            fields[name] = (_merge_list(spec, [(k, v) for k, v, _ in given], warnings)
                            if given else None)
        elif given:
            top = max(_rank(c[2], name) for c in given)
            pool = [c for c in given if _rank(c[2], name) == top]
            k, value, record = _pick(spec.merge or task.section_merge, name, pool)
            if top < _RANK["fuzzy"]:
                said = ", ".join(f"{json.dumps(v, ensure_ascii=False)} (section {j + 1})"
                                 for j, v, _ in given)
                warnings.append(f"{name}: no section states its value next to the field's "
                                f"words; kept {json.dumps(value, ensure_ascii=False)} "
                                f"(section {k + 1}) of {said}, not grounded")
            fields[name] = value
            split.sources[name] = k
            if name in record.probabilities:
                probabilities[name] = record.probabilities[name]
            mine = value_key(value)
            others = {value_key(v): (j, v) for j, v, _ in given if value_key(v) != mine}
            if others and top >= _RANK["fuzzy"]:
                said = ", ".join(f"{json.dumps(v, ensure_ascii=False)} (section {j + 1})"
                                 for j, v in others.values())
                warnings.append(f"{name}: the sections disagree; kept "
                                f"{json.dumps(value, ensure_ascii=False)} (section {k + 1}, "
                                f"rule '{spec.merge or task.section_merge}') over {said}")
        else:
            fields[name] = None
        if fields[name] is None:
            reasons = [f"{r.field_errors[name]} (section {k + 1})" for k, r in answered
                       if name in r.field_errors]
            reasons += [f"{r.error} (section {k + 1})" for k, r in enumerate(records)
                        if r.fields is None]
            if reasons and not given:
                field_errors[name] = "; ".join(reasons)
    try:
        evidence = find_evidence(task, fields, report.text)
    except Exception as exc:  # the values stand; only their evidence is missing
        evidence = {}
        warnings.append(f"Evidence could not be found: {exc}")
    raw = "\n".join(f"[section {k + 1}] {r.raw}" for k, r in enumerate(records)
                    if r.raw is not None)
    status = "invalid" if field_errors else "ok"
    error = (f"{len(field_errors)} field(s) failed validation: {', '.join(field_errors)}"
             if field_errors else None)
    return Record(status=status, fields=fields, field_errors=field_errors, error=error,
                  warnings=warnings, probabilities=probabilities, evidence=evidence,
                  raw=raw or None, split=split, **common)


@dataclass
class SplitGroup:
    """A report read in sections: its sections' records as they finish."""

    report: Report
    sections: list[Section]
    report_tokens: int
    room: int
    overlap: int
    warnings: list[str]
    done: dict[int, Record] = field(default_factory=dict)
    failed: bool = False

    def merged(self, task: TaskDefinition) -> Record:
        return merge_sections(task, self.report, [self.done[k] for k in range(len(self.sections))],
                              self.sections, report_tokens=self.report_tokens, room=self.room,
                              overlap=self.overlap, warnings=self.warnings)
