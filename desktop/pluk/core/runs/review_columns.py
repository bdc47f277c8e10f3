"""What a run's reviews add to its exports: per reviewable field the value after review and its
review status (model, accepted, corrected, rejected), or, with `only`, the reviewed values
alone for the reports a person reviewed.

Column names put a colon between the field and the review part (`psa:reviewed`,
`lesion.size:review_status`): a task field name cannot hold one, so they never collide.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pluk.core.runs.records import Record
from pluk.core.runs.reviews import (Review, ReviewLog, latest_reviews, review_fields,
                                    reviewed_value)
from pluk.core.tasks import TaskDefinition

REVIEWED = ":reviewed"
REVIEW_STATUS = ":review_status"


@dataclass(frozen=True)
class Reviewed:
    """The reviews an export shows: the latest per (record id, path), and whether only
    reviewed values go out."""

    latest: dict[tuple[str, str], Review]
    only: bool = False

    @classmethod
    def of_run(cls, run_dir: str | Path, records: list[Record], *, only: bool = False
               ) -> "Reviewed":
        return cls(latest_reviews(ReviewLog(run_dir).read(), records), only)


def _paths(task: TaskDefinition) -> list[str]:
    return [path for path, _ in review_fields(task)]


def review_header(task: TaskDefinition, field_columns: list[str], reviewed: Reviewed
                  ) -> list[str]:
    """The field columns of an export with the review columns of each after it."""
    paths = _paths(task)
    if reviewed.only:
        return [c for p in paths for c in (p, p + REVIEW_STATUS)]
    out: list[str] = []
    for column in field_columns:
        out.append(column)
        for path in paths:
            if path == column or path.startswith(column + "."):
                out += [path + REVIEWED, path + REVIEW_STATUS]
    return out


def review_cells(task: TaskDefinition, record: Record, reviewed: Reviewed) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for path in _paths(task):
        status, value = reviewed_value(record, path, reviewed.latest.get((record.id, path)))
        if reviewed.only:
            cells[path] = None if status == "model" else value
        else:
            cells[path + REVIEWED] = value
        cells[path + REVIEW_STATUS] = status
    return cells


def reviewed_records(records: list[Record], reviewed: Reviewed) -> list[Record]:
    """All records, or with `only` those with at least one review."""
    if not reviewed.only:
        return records
    ids = {record_id for record_id, _ in reviewed.latest}
    return [r for r in records if r.id in ids]


def _review_json(review: Review | None, status: str, value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"status": status, "value": value}
    if review is not None:
        out.update(reason=review.reason, reviewer=review.reviewer, time=review.time)
    return out


def json_reviews(task: TaskDefinition, records: list[Record], reviewed: Reviewed
                 ) -> list[dict[str, Any]]:
    """The records of a JSON export with a `review` per field; with `only`, just the ids and
    the reviewed fields of the reviewed records."""
    out = []
    for record in reviewed_records(records, reviewed):
        review: dict[str, Any] = {}
        for path in _paths(task):
            latest = reviewed.latest.get((record.id, path))
            status, value = reviewed_value(record, path, latest)
            if latest is not None or not reviewed.only:
                review[path] = _review_json(latest, status, value)
        if reviewed.only:
            out.append({"id": record.id, "source": record.source, "sha256": record.sha256,
                        "review": review})
        else:
            # A thinking model's reasoning stays out of the exports (Record.thinking_text).
            out.append({**record.model_dump(mode="json", exclude={"thinking_text"}),
                        "review": review})
    return out
