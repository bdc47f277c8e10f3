"""A run's reviews as the reference of a validation: what a person accepted or corrected is
the truth, so `pluk evaluate` can score a run (the reviewed one or another over the same
reports) against them.

Per report and field: an accepted value is the reference, a correction is, and a value
rejected as hallucinated makes the reference "not stated" (null). Any other rejection says
the model was wrong without saying what is right, so that field of that report is not scored;
nor is a field nobody reviewed. Only reports with at least one review are in the reference, and
only fields with at least one reference value.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pluk.core.runs.folder import RunFolder
from pluk.core.runs.reviews import ReviewLog, latest_reviews, review_fields
from pluk.core.tasks.definition import TaskDefinition
from pluk.core.validation.evaluate import NO_REFERENCE, validate_run
from pluk.core.validation.result import ValidationReport
from pluk.core.validation.truth import ValidationError

ID_COLUMN = "id"


def review_table(run_dir: str | Path) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows) of the reviewed values of a run: an id column and one per field."""
    folder = RunFolder(run_dir)
    manifest = folder.read_manifest()
    task = TaskDefinition.model_validate(manifest.task)
    records = folder.records()
    latest = latest_reviews(ReviewLog(folder.path).read(), records)
    paths = [path for path, spec in review_fields(task) if spec.type != "list"]
    rows = []
    for record in records:
        reviews = {path: latest.get((record.id, path)) for path in paths}
        if not any(reviews.values()):
            continue
        row: dict[str, Any] = {ID_COLUMN: record.id}
        for path, review in reviews.items():
            if review is None:
                row[path] = NO_REFERENCE
            elif review.verdict in ("accepted", "corrected"):
                row[path] = review.value
            elif review.reason == "hallucinated":
                row[path] = None
            else:
                row[path] = NO_REFERENCE
        rows.append(row)
    if not rows:
        raise ValidationError(f"{folder.path} has no reviews to use as the reference")
    # A field with no reference value in any report has nothing to score: it is left out.
    used = [p for p in paths if any(row[p] is not NO_REFERENCE for row in rows)]
    return [ID_COLUMN, *used], [{k: v for k, v in row.items() if k == ID_COLUMN or k in used}
                                for row in rows]


def validate_against_reviews(run_dir: str | Path, reviewed_run: str | Path,
                             **options: Any) -> ValidationReport:
    """validate_run with the reviewed values of `reviewed_run` as the reference table."""
    table = review_table(reviewed_run)
    path = ReviewLog(reviewed_run).path
    report = validate_run(run_dir, path, ID_COLUMN, table=table, **options)
    report.truth.kind = "reviews"
    return report
