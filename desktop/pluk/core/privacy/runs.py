"""Pseudonymisation in a run: the reports the model sees, and their records mapped back.

`RunPseudonymiser.reports(reports)` gives each readable report its pseudonymised text (keeping
its id and the sha256 of the original text, so resume and the HTML export find the original
again); `record(record)` maps a record made on that text back: evidence offsets, quotes, the
sections of a split report and the parts of a grouped one point into the original text, as the
window shows it. The values stay as the model wrote them: placeholders, never an identifier.
`counts()` sums what was replaced, per category, for the manifest (no text).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from pluk.core.privacy.deduce_engine import deduce_version
from pluk.core.privacy.pseudonymise import Pseudonymised, pseudonymise
from pluk.core.readers.reports import Report
from pluk.core.runs.records import Evidence, Record, Section


class RunPseudonymiser:
    def __init__(self, pseudonymise_text: Callable[[str], Pseudonymised] = pseudonymise):
        self._pseudonymise = pseudonymise_text
        # By (id, sha256): one report's maps (ids are unique within a run).
        self._maps: dict[tuple[str, str], tuple[str, Pseudonymised]] = {}

    def report(self, report: Report) -> Report:
        if report.text is None:
            return report
        done = self._pseudonymise(report.text)
        self._maps[(report.id, report.sha256)] = (report.text, done)
        parts = [p.model_copy(update={
            "start": None if p.start is None else done.to_pseudonymised(p.start),
            "end": None if p.end is None else done.to_pseudonymised(p.end, end=True)})
            for p in report.parts]
        return report.model_copy(update={"text": done.text, "parts": parts})

    def reports(self, reports: list[Report], skip: Callable[[Report], bool] | None = None
                ) -> list[Report]:
        """The reports as the model sees them; those `skip` passes over stay as they are
        (they are not run, so they need no time here)."""
        return [r if skip is not None and skip(r) else self.report(r) for r in reports]

    def record(self, record: Record) -> Record:
        entry = self._maps.get((record.id, record.sha256))
        if entry is None:
            return record
        original, done = entry
        update: dict = {"evidence": {path: _evidence_back(e, original, done)
                                     for path, e in record.evidence.items()}}
        if record.split is not None:
            sections = [Section(start=s, end=e, tokens=section.tokens)
                        for section in record.split.sections
                        for s, e in [done.span_to_original(section.start, section.end)]]
            update["split"] = record.split.model_copy(update={"sections": sections})
        if record.parts:
            update["parts"] = [p.model_copy(update={
                "start": None if p.start is None else done.to_original(p.start),
                "end": None if p.end is None else done.to_original(p.end, end=True)})
                for p in record.parts]
        return record.model_copy(update=update)

    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for _text, done in self._maps.values():
            total.update(done.counts())
        return dict(sorted(total.items()))


def _evidence_back(evidence: Evidence, original: str, done: Pseudonymised) -> Evidence:
    if evidence.status == "not_found":
        return evidence
    start, end = done.span_to_original(evidence.start, evidence.end)
    return evidence.model_copy(update={"start": start, "end": end,
                                       "quote": original[start:end]})


def manifest_entry(on: bool, *, server: bool, asked: bool | None,
                   counts: dict[str, int] | None = None) -> dict:
    """What the manifest says of pseudonymisation: whether it ran, by what, and whether a user
    switched off the default of a server run (the reports left the machine as written)."""
    entry: dict = {"on": on, "default": server, "switched_off": server and asked is False}
    if on:
        entry["by"] = f"deduce {deduce_version()}"
        entry["replaced"] = counts or {}
    return entry


def forward_evidence(evidence: dict[str, Evidence], done: Pseudonymised
                     ) -> dict[str, Evidence]:
    """A record's evidence (on the original text) placed on the pseudonymised text, for an
    export that shows that text instead of the original."""
    out = {}
    for path, e in evidence.items():
        if e.status == "not_found":
            out[path] = e
            continue
        start, end = done.span_to_pseudonymised(e.start, e.end)
        out[path] = e.model_copy(update={"start": start, "end": end,
                                         "quote": done.text[start:end]})
    return out


class MappedFolder:
    """A run folder whose `append` maps each record back first; everything else is the
    folder's own (the loops take it in place of the folder)."""

    def __init__(self, folder, map_record: Callable[[Record], Record]):
        self._folder = folder
        self._map = map_record

    def append(self, record: Record) -> None:
        self._folder.append(self._map(record))

    def __getattr__(self, name: str):
        return getattr(self._folder, name)
