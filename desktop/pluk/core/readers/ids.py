"""Making report ids unique across all inputs of one run, deterministically.

Rule, applied to reports in input order and, within an input, in reading order:
1. An id nobody has used yet is kept.
2. An id already used by the same input (a duplicate id in one table) gets "#2", "#3", ...
3. An id already used by an earlier input is prefixed with this input's label and a slash
   (the folder's name for a folder, the parent folder's name for a single document, the file
   name for a table: "scans/a.txt", "nlp-test.json/17"); if that is taken too, "#2", "#3", ...
   are added to the prefixed id.
A new name is never an id that any report of the run really has (in any input, earlier or
later): with ids "1", "1", "1#2" the second "1" becomes "1#3", so a label for "1#2" still
joins the report whose own id it is. A renamed report carries a warning that says so.
"""

from __future__ import annotations

from collections.abc import Iterable

from .reports import Report, escape_surrogates


def _first_free(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}#{n}" in taken:
        n += 1
    return f"{base}#{n}"


def make_unique(groups: Iterable[tuple[str, list[Report]]]) -> list[Report]:
    """groups: (label, reports) per input, in input order."""
    groups = [(label, list(reports)) for label, reports in groups]
    real = {report.id for _, reports in groups for report in reports}
    owner: dict[str, int] = {}
    result: list[Report] = []
    for index, (label, reports) in enumerate(groups):
        label = escape_surrogates(label)  # a folder name is a file name: it may not be UTF-8
        for report in reports:
            new_id = report.id
            if new_id in owner:
                # Taken: the ids given out so far, and every real id (kept for its report).
                taken = owner.keys() | real
                if owner[new_id] == index or not label:
                    new_id = _first_free(new_id, taken)
                else:
                    new_id = _first_free(f"{label}/{new_id}", taken)
            owner[new_id] = index
            if new_id != report.id:
                report = report.model_copy(update={
                    "id": new_id,
                    "warnings": [*report.warnings,
                                 f"id renamed from {report.id!r}: that id was already used"],
                })
            result.append(report)
    return result
