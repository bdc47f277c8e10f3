"""The result of a validation as typed data: what `validate_run` returns, what the GUI's
Validation tab shows and what `report` writes. validation.json is this model's JSON dump, key for
key and in the same order as it always was; keys that only some results have (a metric's note,
a categorical field's confusion matrix, a disagreement's reason) are left out when empty, as
before.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, model_serializer

Shown = str | int | float  # a value as a disagreement shows it: a label, a number, or "—/null"


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Keys dropped from the dump when None: they were absent, not null, in validation.json.
    omit_if_none: ClassVar[tuple[str, ...]] = ()

    @model_serializer(mode="wrap")
    def _omit_absent(self, handler):
        data = handler(self)
        if isinstance(data, dict):
            for key in self.omit_if_none:
                if key in data and data[key] is None:
                    del data[key]
        return data


class Metric(_Data):
    """An estimate with its 95% percentile bootstrap interval; None where undefined."""

    omit_if_none = ("ci_resamples_used", "note", "tolerance")

    value: float | None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_resamples_used: int | None = None  # when some resamples had no defined value
    note: str | None = None               # why the value is undefined (kappa)
    tolerance: float | None = None        # the tolerance of tolerance_accuracy


class Metrics(_Data):
    """A field's metrics: accuracy, kappa and macro F1 for categorical fields; MAE, mean error and
    tolerance accuracy for numbers; accuracy for text."""

    omit_if_none = ("accuracy", "kappa", "macro_f1", "mae", "mean_error", "tolerance_accuracy",
                    "ece")

    accuracy: Metric | None = None
    kappa: Metric | None = None
    macro_f1: Metric | None = None
    mae: Metric | None = None
    mean_error: Metric | None = None
    tolerance_accuracy: Metric | None = None
    ece: Metric | None = None  # of the option probabilities, when the records carry them

    def get(self, name: str) -> Metric | None:
        """The metric called `name` (a key of report.SUMMARY_METRICS), if the field has it."""
        return getattr(self, name) if name in type(self).model_fields else None


class Confusion(_Data):
    labels: list[str]
    matrix: list[list[int]]  # rows: the reference, columns: the prediction


class LabelScore(_Data):
    label: str
    support: int
    predicted: int
    precision: float
    recall: float
    f1: float


class NumericCounts(_Data):
    both_numbers: int
    both_null: int
    truth_null_only: int
    prediction_null_only: int


class TruthProblem(_Data):
    id: str
    problem: str


class Disagreement(_Data):
    omit_if_none = ("reason",)

    id: str
    truth: Shown
    prediction: Shown
    reason: str | None = None  # the record's error, or its field's


class CalibrationBin(_Data):
    lower: float
    upper: float
    count: int
    mean_confidence: float | None  # None for an empty bin
    accuracy: float | None


class Calibration(_Data):
    """How well one confidence of a categorical field's answers matches their correctness.

    source "probability": the option probability of the answer; "agreement": the share of the
    passes (--passes N) that gave the answer, k / N.
    """

    source: Literal["probability", "agreement"]
    n: int                         # answers that carried this confidence
    bin_count: int                 # equal-width bins over [0, 1]
    ece: Metric
    bins: list[CalibrationBin]
    picture: str | None = None     # the reliability diagram's file name beside validation.md


class FieldResult(_Data):
    """One compared field; `confusion`, `per_label` and `labels_outside_task` are there for
    categorical fields, `counts` for numeric ones, `comparison` for text."""

    omit_if_none = ("confusion", "per_label", "labels_outside_task", "counts", "comparison",
                    "calibration")

    field: str  # dotted for a field inside an object: "lesion.size"
    type: str
    kind: Literal["categorical", "numeric", "text"]
    truth_column: str
    unit: str | None
    n: int
    truth_problems: list[TruthProblem]
    metrics: Metrics
    confusion: Confusion | None = None
    per_label: list[LabelScore] | None = None
    labels_outside_task: list[str] | None = None
    counts: NumericCounts | None = None
    comparison: str | None = None
    calibration: list[Calibration] | None = None  # bool/enum fields whose records carry one
    disagreement_count: int
    disagreements: list[Disagreement]


class RunFacts(_Data):
    path: str
    task_id: str
    task_title: str
    task_sha256: str
    model_file: str
    model_sha256: str
    started_at: str
    status: str


class TruthFacts(_Data):
    omit_if_none = ("kind",)

    path: str
    sha256: str
    id_column: str
    rows: int
    kind: str | None = None  # "reviews" when the reference is a run's reviews


class ValidationSettings(_Data):
    bootstrap_resamples: int
    seed: int
    confidence: float
    interval: str
    null_label: str
    tolerance: dict[str, float]  # "default" and any per-field tolerances


class Coverage(_Data):
    truth_rows: int
    with_record: int
    without_record: int
    missing_ids: list[str]
    records_not_in_truth: int
    rows_without_id: int
    matched_record_status: dict[str, int]


class Skipped(_Data):
    field: str
    reason: str


class ValidationReport(_Data):
    pluk_version: str
    created_at: str
    run: RunFacts
    truth: TruthFacts
    settings: ValidationSettings
    coverage: Coverage
    fields: list[FieldResult]
    skipped: list[Skipped]

    def as_json_data(self) -> dict[str, Any]:
        """The validation.json content."""
        return self.model_dump(mode="json")
