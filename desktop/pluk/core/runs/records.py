"""The Record: what the pipeline yields for one report, and what records.jsonl stores per line.

The keys id, source, sha256, status, fields, error, warnings, raw, tokens_prompt, tokens_output
and seconds are the public interface (CLI, GUI, exports); others may be added, never renamed.

An option probability is a finite number or absent. JSON has no NaN or infinity (they would be
written as null, and the line would no longer read as a Record), so a field whose
probabilities hold one (or the null that earlier versions wrote for a NaN) keeps none of
them, with a warning that says so: the record is kept, and reads back as it was made. Its other
options are not renormalised without it: that would give its share to an option the model may
not have written.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer, model_validator

from pluk.core.readers.reports import OcrInfo, ReportPart
from pluk.core.thinking import ThinkingFacts

Status = Literal["ok", "invalid", "error"]
STATUSES: tuple[Status, ...] = ("ok", "invalid", "error")
# `weak`: the value is written in the report, but not next to its field's words (a PSA of 140
# on "Blood pressure 140/90" style coincidences): shown, never counted as grounded.
EvidenceStatus = Literal["exact", "fuzzy", "weak", "not_found"]


class Evidence(BaseModel):
    """The passage of the report text that supports one value: text[start:end] == quote, except
    for `not_found` (an ungrounded value: quote "", start == end == 0). `score` is set for
    `fuzzy` only, in (0, 1)."""

    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    status: EvidenceStatus
    score: float | None = None


class Section(BaseModel):
    """One section of a report read in parts: text[start:end] of the report, and its tokens."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    tokens: int = Field(ge=0)


MergeRule = Literal["first", "last", "probable"]


class Split(BaseModel):
    """That a report too long for the context was read in overlapping sections, and how their
    answers were merged (extraction/section_merge.py)."""

    report_tokens: int = Field(description="The report's own tokens")
    room: int = Field(description="The most report tokens one prompt could hold")
    overlap_tokens: int = Field(description="Tokens repeated between consecutive sections")
    sections: list[Section]
    merge: MergeRule = Field(description="The task's rule for a value several sections give")
    sources: dict[str, int] = Field(
        default_factory=dict, description="Per field: the 0-based section its value came from")


class Record(BaseModel):
    id: str
    source: str
    sha256: str
    status: Status
    fields: dict[str, Any] | None = Field(
        default=None, description="Validated values; a field that failed is null here"
    )
    field_errors: dict[str, str] = Field(
        default_factory=dict, description="Why a field is null although the model answered"
    )
    probabilities: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="Per bool/enum field: option -> probability"
    )
    error: str | None = None
    warnings: list[str] = Field(default_factory=list)
    raw: str | None = Field(default=None, description="The model's output, verbatim")
    tokens_prompt: int | None = None
    tokens_cached: int | None = Field(
        default=None, description="Prompt tokens reused from the previous report's prefix"
    )
    tokens_output: int | None = None
    token_limit: int | None = Field(
        default=None, description="The most answer tokens this report was allowed")
    time_limit_s: float | None = Field(
        default=None, description="The most seconds this report's answer was allowed")
    seconds: float = 0.0
    input_index: int | None = Field(
        default=None, description="The report's place in the run's inputs: records.jsonl is in "
        "order of completion (several reports may run at once), readers restore this order")
    evidence: dict[str, Evidence] = Field(
        default_factory=dict, description="Per value path (psa, lesions[0].size_mm) of an ok "
        "or invalid record: the passage of the report that supports it")
    split: Split | None = Field(default=None, description="Set when the report was read in "
                                "sections because it did not fit the context")
    ocr: OcrInfo | None = Field(default=None, description="Set when its text came from OCR")
    parts: list[ReportPart] = Field(
        default_factory=list, description="The documents of a grouped report, in order")
    thinking: ThinkingFacts | None = Field(
        default=None, description="A thinking model's reasoning before the answer: tokens, "
        "seconds, budget, whether the budget closed it")
    thinking_text: str | None = Field(
        default=None, description="The reasoning itself, for review; never logged, and left "
        "out of the exports unless asked for")
    passes: int | None = Field(default=None, ge=1, description="Answers asked for this report "
                               "(--passes N); None: one")
    agreement: dict[str, int] | None = Field(
        default=None, description="Per top-level field, how many of the passes gave the value "
        "kept (k of `passes`)")

    @model_validator(mode="before")
    @classmethod
    def _finite_probabilities(cls, data: Any) -> Any:
        """Leave out the probabilities of a field that has one that is not a finite number
        (NaN, infinity, or the null JSON wrote for them), and say so in the warnings."""
        if not isinstance(data, dict) or not isinstance(data.get("probabilities"), dict):
            return data
        kept, dropped = _finite(data["probabilities"])
        if not dropped:
            return data
        note = (f"Option probabilities of {', '.join(dropped)} are left out: one was not a "
                "finite number")
        warnings = data.get("warnings") or []
        if isinstance(warnings, list) and note not in warnings:
            warnings = [*warnings, note]  # anything else is validation's to refuse
        return {**data, "probabilities": kept, "warnings": warnings}

    @field_serializer("probabilities")
    def _write_finite(self, probabilities: dict[str, dict[str, float]]
                      ) -> dict[str, dict[str, float]]:
        """Never a null in records.jsonl, also for a record changed after it was made."""
        return _finite(probabilities)[0]


def _finite(probabilities: dict[Any, Any]) -> tuple[dict[Any, Any], list[str]]:
    """The fields whose options are all finite numbers, and the names of the others. A value
    that is neither a number nor null (a string) is left for validation to refuse."""
    kept: dict[Any, Any] = {}
    dropped: list[str] = []
    for name, options in probabilities.items():
        if isinstance(options, dict) and any(
                p is None or (isinstance(p, float) and not math.isfinite(p))
                for p in options.values()):
            dropped.append(str(name))
        else:
            kept[name] = options
    return kept, dropped
