"""Reviews of a run: a person's verdict on each value, kept beside the run in reviews.jsonl.

The file is an append-only audit trail, one line per decision: who, when, which report (id and
text sha256) and field, the model's value, the reviewed value and, for a rejection, the reason.
Each line is flushed and fsynced, so a crash loses no decision; a torn last line (a kill in
the middle of a write) is ignored when read and cut before the next append, while a complete
last line that only lacks its newline is kept and given one. records.jsonl is
never touched. The latest review of a field wins. No report text goes in: a value is what the
model or the reviewer wrote, never a quote or the evidence.

Review paths are the columns of a flattened export: `psa`, `lesion.size` for a field of an
object, and a list as a whole (`findings`).
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pluk.core.errors import PlukError
from pluk.core.runs.folder import RunFolder
from pluk.core.runs.records import Record
from pluk.core.tasks import TaskDefinition, validate_answer

REVIEWS = "reviews.jsonl"
Verdict = Literal["accepted", "corrected", "rejected"]
ReviewStatus = Literal["model", "accepted", "corrected", "rejected"]  # model: not reviewed
REVIEW_STATUSES: tuple[ReviewStatus, ...] = ("model", "accepted", "corrected", "rejected")
Reason = Literal["incorrect", "incomplete", "missing", "hallucinated", "other"]
REASONS: tuple[Reason, ...] = ("incorrect", "incomplete", "missing", "hallucinated", "other")

log = logging.getLogger(__name__)


class ReviewError(PlukError):
    """A review cannot be stored: the value does not fit the field, or the file is unusable."""


class Review(BaseModel):
    # Unknown keys of a later version are kept out rather than refused: an old Pluk can still
    # read a newer trail.
    model_config = ConfigDict(extra="ignore")

    review_version: Literal[1] = 1
    record_id: str
    sha256: str = Field(description="The report text's sha256 in the record reviewed")
    field: str = Field(description="Review path: psa, lesion.size, findings")
    verdict: Verdict
    model_value: Any = None
    value: Any = Field(default=None, description="The reviewed value: the model's when "
                       "accepted, the correction, None when rejected")
    reason: Reason | None = None
    reviewer: str = ""
    time: str

    @model_validator(mode="after")
    def _consistent(self) -> "Review":
        if self.verdict == "rejected" and self.reason is None:
            raise ValueError("a rejection needs a reason")
        if self.verdict != "rejected" and self.reason is not None:
            raise ValueError("only a rejection has a reason")
        if self.verdict == "rejected" and self.value is not None:
            raise ValueError("a rejected value has no reviewed value")
        return self


# -- fields -----------------------------------------------------------------------------------

def review_fields(task: TaskDefinition) -> list[tuple[str, Any]]:
    """(path, spec) of every reviewable field, in the task's order."""
    out: list[tuple[str, Any]] = []

    def walk(specs: list[Any], prefix: str) -> None:
        for spec in specs:
            if spec.type == "object":
                walk(spec.fields, f"{prefix}{spec.name}.")
            else:
                out.append((prefix + spec.name, spec))

    walk(task.fields, "")
    return out


def value_at(fields: dict[str, Any] | None, path: str) -> Any:
    value: Any = fields or {}
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def field_error(record: Record, path: str) -> str | None:
    """Why the model's value of this field is missing, if it failed."""
    if record.status == "error":
        return record.error
    return record.field_errors.get(path.split(".")[0])


def _bound(number: float | int) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def check_value(spec: Any, value: Any) -> Any:
    """The corrected value as the field stores it; ReviewError with a plain sentence when it
    does not fit the field's type or bounds. None (the report does not say) always fits."""
    if value is None:
        return None
    kind = spec.type
    if kind == "bool":
        if not isinstance(value, bool):
            raise ReviewError(f"{spec.name} is yes or no, not {value!r}")
        return value
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ReviewError(f"{spec.name} is a number, not {value!r}")
        if not math.isfinite(value):
            raise ReviewError(f"{spec.name} must be a finite number")
        if kind == "int":
            if float(value) != int(value):
                raise ReviewError(f"{spec.name} is a whole number, not {value}")
            value = int(value)
        if spec.minimum is not None and value < spec.minimum:
            raise ReviewError(f"{_bound(value)} is below the minimum {_bound(spec.minimum)} "
                              f"of {spec.name}")
        if spec.maximum is not None and value > spec.maximum:
            raise ReviewError(f"{_bound(value)} is above the maximum {_bound(spec.maximum)} "
                              f"of {spec.name}")
        return float(value) if kind == "float" else value
    if kind == "string":
        if not isinstance(value, str):
            raise ReviewError(f"{spec.name} is text, not {value!r}")
        if len(value) > spec.max_length:
            raise ReviewError(f"{spec.name} holds at most {spec.max_length} characters, not "
                              f"{len(value)}")
        return value
    if kind == "enum":
        if value not in spec.values:
            raise ReviewError(f"{value!r} is not one of the choices of {spec.name}: "
                              f"{', '.join(spec.values)}")
        return value
    # A list or an object: the task's own validation, as for a model's answer.
    probe = TaskDefinition(id="review", title="review", description="review",
                           fields=[spec.model_copy(update={"name": "value", "optional": True})])
    fields, errors = validate_answer(probe, {"value": value})
    if errors:
        raise ReviewError(f"{spec.name}: {errors['value'].replace('value: ', '')}")
    return fields["value"]


# -- the file ---------------------------------------------------------------------------------

class ReviewLog:
    """reviews.jsonl of one run folder."""

    def __init__(self, run_dir: str | Path, task: TaskDefinition | None = None):
        self.path = Path(run_dir) / REVIEWS
        # The task whose fields the reviews are checked against when read: by default the
        # run's own (its manifest).
        self._task = task
        self.skipped = 0  # damaged or unusable lines met by the last read()

    def append(self, review: Review) -> None:
        line = review.model_dump_json() + "\n"
        self._cut_torn_tail()
        try:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise ReviewError(f"Cannot write the review to {self.path}: "
                              f"{exc.strerror or exc}") from None

    def _cut_torn_tail(self) -> None:
        """Settle a last line without its newline before appending, or the next line would
        join it. A complete review (its newline lost: an editor, a copy) is kept and gets its
        newline, as read() kept it; only half a line from a killed write is dropped."""
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return
        if size == 0:
            return
        with self.path.open("r+b") as fh:
            fh.seek(size - 1)
            if fh.read(1) == b"\n":
                return
            fh.seek(0)
            content = fh.read()
            start = content.rfind(b"\n") + 1
            try:
                Review.model_validate_json(content[start:].decode("utf-8"))
            except (ValidationError, UnicodeDecodeError, ValueError):
                fh.truncate(start)
                return
            fh.seek(size)
            fh.write(b"\n")

    def read(self) -> list[Review]:
        """Every usable review in file order, its value as the field stores it. A torn or
        damaged line is left out, and so is a review whose value the field cannot hold (the
        editor's check_value: type, bounds, a finite number) or of a path the task has no
        field for: a hand-edited or foreign line is never taken for a person's verdict. Each
        line left out is logged with its number; only a torn last line is left out quietly."""
        self.skipped = 0
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        specs = self._specs()
        reviews = []
        lines = data.split(b"\n")
        for number, raw in enumerate(lines, start=1):
            last = number == len(lines)
            if not raw.strip(b"\x00 \t\r"):
                continue
            try:
                review = Review.model_validate_json(raw.decode("utf-8"))
            except (ValidationError, UnicodeDecodeError, ValueError) as exc:
                if not last:
                    log.warning("%s, line %d, is damaged and left out: %s", self.path, number,
                                exc)
                self.skipped += 1
                continue
            try:
                reviews.append(_checked(review, specs))
            except ReviewError as exc:
                log.warning("%s, line %d: the review of %s in %s is left out: %s", self.path,
                            number, review.field, review.record_id, exc)
                self.skipped += 1
        return reviews

    def _specs(self) -> dict[str, Any] | None:
        """Review path -> field of the task; None when the run's task cannot be read."""
        task = self._task
        if task is None:
            try:
                task = TaskDefinition.model_validate(
                    RunFolder(self.path.parent).read_manifest().task)
            except (PlukError, ValidationError, ValueError) as exc:
                log.warning("%s: the run's task cannot be read (%s); reviews are checked for "
                            "finite numbers only", self.path, exc)
                return None
        return dict(review_fields(task))


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_finite(item) for item in value)
    if isinstance(value, dict):
        return all(_finite(item) for item in value.values())
    return True


def _checked(review: Review, specs: dict[str, Any] | None) -> Review:
    """The review with its value as the field stores it; ReviewError when the field cannot
    hold it. The same check_value the editor runs before it stores a correction."""
    if specs is None:
        if not _finite(review.value):
            raise ReviewError(f"{review.field} must be a finite number")
        return review
    spec = specs.get(review.field)
    if spec is None:
        raise ReviewError(f"the task has no field {review.field}")
    value = check_value(spec, review.value)
    return review if value is review.value else review.model_copy(update={"value": value})


def latest_reviews(reviews: list[Review], records: list[Record] | None = None
                   ) -> dict[tuple[str, str], Review]:
    """The review that holds per (record id, path): the latest. With `records`, only reviews
    of the very text each record was made from count."""
    hashes = {r.id: r.sha256 for r in records} if records is not None else None
    out: dict[tuple[str, str], Review] = {}
    for review in reviews:
        if hashes is not None and hashes.get(review.record_id) != review.sha256:
            continue
        out[(review.record_id, review.field)] = review
    return out


def reviewed_value(record: Record, path: str, review: Review | None
                   ) -> tuple[ReviewStatus, Any]:
    """(status, value) of one field after review: the model's value while unreviewed."""
    if review is None:
        return "model", value_at(record.fields, path)
    return review.verdict, review.value


def summary(task: TaskDefinition, records: list[Record],
            latest: dict[tuple[str, str], Review]) -> dict[str, dict[str, int]]:
    """Per review path: how many records have each review status."""
    out = {path: {s: 0 for s in REVIEW_STATUSES} for path, _ in review_fields(task)}
    for record in records:
        for path in out:
            review = latest.get((record.id, path))
            out[path][review.verdict if review else "model"] += 1
    return out


def is_reviewed(task: TaskDefinition, record: Record,
                latest: dict[tuple[str, str], Review]) -> bool:
    """Every field of the record has a review."""
    return all((record.id, path) in latest for path, _ in review_fields(task))
