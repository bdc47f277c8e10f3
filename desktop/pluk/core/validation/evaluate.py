"""Validation of a run against a labelled table: agreement per field, with confidence intervals.

Compares the fields of a run folder's records with a reference table (CSV, Excel-Dutch CSV with
';', or XLSX) matched on an id column. Per field: accuracy, Cohen's kappa and macro F1 with a
confusion matrix for yes/no and category fields; MAE, mean error and tolerance accuracy for
numbers; exact-match accuracy for text. Every metric has a seeded percentile bootstrap 95%
interval over reports. A missing answer is never dropped: a null prediction (a failed record, a
failed field, or 'not stated') is its own category, "—/null", and counts as a disagreement
unless the reference is empty too. Truth rows without a record are reported as coverage, not
scored. The result is a typed ValidationReport (`result`), written as validation.json and as a
Markdown report for a paper's supplement.

This module owns `validate_run`: choosing the fields and columns, matching ids, coverage, and
pairing each reference value with its prediction. Reading the table is `truth`, the metrics are
`metrics`, the result's types are `result`, the written report is `report`; their public names
are importable from here too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pluk import __version__
from pluk.core.runs.folder import RunFolder
from pluk.core.tasks.definition import TaskDefinition
from pluk.core.validation.calibration import DEFAULT_BINS, calibration
from pluk.core.validation.metrics import (
    DEFAULT_RESAMPLES, DEFAULT_SEED, categorical_metrics, confusion_stats, exact_metrics,
    numeric_metrics,
)
from pluk.core.validation.report import picture_name, render_markdown, write_report
from pluk.core.validation.result import (
    Coverage, FieldResult, RunFacts, Skipped, TruthFacts, ValidationReport, ValidationSettings,
)
from pluk.core.validation.truth import (
    NULL, ValidationError, cell_text, find_column, parse_truth_cell, read_table,
)

# A reference cell that holds no value to compare with (a reviewed run's field that was
# rejected without a correction): that report is not scored for that field.
NO_REFERENCE = object()

__all__ = [
    "DEFAULT_RESAMPLES", "DEFAULT_SEED", "NULL", "ValidationError", "ValidationReport",
    "calibration", "categorical_metrics", "confusion_stats", "numeric_metrics", "read_table",
    "render_markdown", "validate_run", "write_report",
]


# -- fields and values --------------------------------------------------------------------------


@dataclass
class _Field:
    name: str  # dotted for a field inside an object: "lesion.size"
    spec: Any
    truth_column: str

    @property
    def kind(self) -> str:
        if self.spec.type in ("bool", "enum"):
            return "categorical"
        if self.spec.type in ("int", "float"):
            return "numeric"
        return "text"


def _scalar_fields(specs: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for spec in specs:
        if spec.type == "object":
            out += _scalar_fields(spec.fields, prefix + spec.name + ".")
        elif spec.type != "list":
            out.append((prefix + spec.name, spec))
    return out


def _prediction(fields: dict[str, Any] | None, dotted: str) -> Any:
    value: Any = fields or {}
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _label(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _norm_text(value: Any) -> str:
    return NULL if value is None else " ".join(str(value).split()).casefold()


# -- one validation -----------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _parse_tolerance(spec: float | str | dict[str, float] | list[str] | None
                     ) -> tuple[float, dict[str, float]]:
    """A default tolerance and per-field ones, from 0.5, 'psa=0.1' items or a dict."""
    if spec is None:
        return 0.0, {}
    if isinstance(spec, (int, float)):
        return float(spec), {}
    if isinstance(spec, dict):
        return 0.0, {k: float(v) for k, v in spec.items()}
    items = [spec] if isinstance(spec, str) else list(spec)
    default, per_field = 0.0, {}
    for item in items:
        name, _, number = item.rpartition("=")
        try:
            value = float(number.replace(",", "."))
        except ValueError:
            raise ValidationError(f"tolerance {item!r} is not a number or FIELD=NUMBER") from None
        if value < 0:
            raise ValidationError(f"tolerance {item!r} is negative")
        if name:
            per_field[name.strip()] = value
        else:
            default = value
    return default, per_field


def _id_aliases(records: dict[str, Any]) -> dict[str, str]:
    """Reference ids that name a record with or without its file extension: a label "mri_001"
    finds the record "mri_001.txt" (a folder run), "mri_001.txt" finds "mri_001" (a table run).
    Only an alias that names one record is kept."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for rid in records:
        stem, dot, ext = rid.rpartition(".")
        if dot and stem and ext.isalnum() and len(ext) <= 5:
            other = stem
        else:
            continue
        if other in out:
            taken.add(other)
        out[other] = rid
    return {k: v for k, v in out.items() if k not in taken and k not in records}


def validate_run(run_dir: str | Path, truth_path: str | Path, id_column: str, *,
                 columns: list[str] | None = None,
                 tolerance: float | str | list[str] | dict[str, float] | None = None,
                 sheet: str | None = None, resamples: int = DEFAULT_RESAMPLES,
                 seed: int = DEFAULT_SEED, max_listed: int | None = None,
                 table: tuple[list[str], list[dict[str, Any]]] | None = None
                 ) -> ValidationReport:
    """Compare a run folder's fields with a reference table; returns the report.

    `columns` picks fields ("psa") or maps a field to another column ("psa=PSA waarde");
    by default every scalar field with a like-named column is compared. `table` gives the
    reference as (columns, rows) made elsewhere (a run's reviews); `truth_path` then names the
    file it came from.
    """
    folder = RunFolder(run_dir)
    manifest = folder.read_manifest()
    try:
        task = TaskDefinition.model_validate(manifest.task)
    except Exception as exc:
        raise ValidationError(f"{folder.path}: the run's task definition is unreadable ({exc})"
                              ) from None
    records = {r.id: r for r in folder.records()}
    truth_path = Path(truth_path)
    table_columns, rows = table if table is not None else read_table(truth_path, sheet)
    id_col = find_column(table_columns, id_column)
    if id_col is None:
        raise ValidationError(f"id column {id_column!r} not found; columns: "
                              f"{', '.join(repr(c) for c in table_columns)}")
    default_tol, field_tol = _parse_tolerance(tolerance)

    scalars = dict(_scalar_fields(task.fields))
    skipped: list[Skipped] = []
    chosen: list[_Field] = []
    wanted = columns or list(scalars)
    for item in wanted:
        name, _, column = item.partition("=")
        name = name.strip()
        if name not in scalars:
            known = [s.name for s in task.fields]
            if name in known:
                skipped.append(Skipped(field=name, reason="list fields are not compared"))
                continue
            raise ValidationError(f"the task has no field {name!r}; fields: "
                                  f"{', '.join(scalars) or 'none'}")
        truth_col = find_column(table_columns, column.strip() or name)
        if truth_col is None:
            if columns:
                raise ValidationError(f"column {column.strip() or name!r} not found in "
                                      f"{truth_path.name}")
            skipped.append(Skipped(field=name, reason="no column of that name in the table"))
            continue
        chosen.append(_Field(name, scalars[name], truth_col))
    if columns is None:
        skipped += [Skipped(field=s.name, reason="list fields are not compared")
                    for s in task.fields if s.type == "list"]
    unknown_tol = set(field_tol) - {f.name for f in chosen}
    if unknown_tol:
        raise ValidationError(f"tolerance given for field(s) not compared: "
                              f"{', '.join(sorted(unknown_tol))}")
    if not chosen:
        raise ValidationError("no field to compare: no column of the table is named like a task "
                              "field; name the fields to compare as FIELD or FIELD=COLUMN")

    seen: dict[str, int] = {}
    duplicates, blank_ids = [], 0
    truth_rows: list[tuple[str, dict[str, Any]]] = []
    alias = _id_aliases(records)
    for row in rows:
        rid = cell_text(row.get(id_col))
        if rid and rid not in records:
            stem = rid.rpartition(".")[0]
            rid = alias.get(rid) or (stem if stem in records else rid)
        if not rid:
            blank_ids += 1
            continue
        if rid in seen:
            duplicates.append(rid)
            continue
        seen[rid] = len(truth_rows)
        truth_rows.append((rid, row))
    if duplicates:
        raise ValidationError(f"the id column repeats id(s) "
                              f"{', '.join(list(dict.fromkeys(duplicates))[:10])}; each "
                              "report needs one reference row")
    matched = [(rid, row) for rid, row in truth_rows if rid in records]
    if truth_rows and not matched:
        raise ValidationError(
            f"no reference id matches a record id (reference: {', '.join(list(seen)[:3])}; "
            f"run: {', '.join(list(records)[:3]) or 'no records'}); check the id column")
    statuses: dict[str, int] = {}
    for rid, _ in matched:
        statuses[records[rid].status] = statuses.get(records[rid].status, 0) + 1
    missing = [rid for rid, _ in truth_rows if rid not in records]
    coverage = Coverage(
        truth_rows=len(truth_rows), with_record=len(matched), without_record=len(missing),
        missing_ids=missing[:max_listed] if max_listed else missing,
        records_not_in_truth=len(set(records) - set(seen)), rows_without_id=blank_ids,
        matched_record_status=statuses)

    results = []
    for field in chosen:
        results.append(_validate_field(field, matched, records, task, default_tol, field_tol,
                                       resamples, seed, max_listed))
    model = manifest.model
    return ValidationReport(
        pluk_version=__version__,
        created_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        run=RunFacts(path=str(folder.path), task_id=task.id, task_title=task.title,
                     task_sha256=manifest.task_sha256, model_file=Path(model.path).name,
                     model_sha256=model.sha256, started_at=manifest.started_at,
                     status=manifest.status),
        truth=TruthFacts(path=str(truth_path), sha256=_sha256(truth_path), id_column=id_col,
                         rows=len(rows)),
        settings=ValidationSettings(bootstrap_resamples=resamples, seed=seed, confidence=0.95,
                                    interval="percentile", null_label=NULL,
                                    tolerance={"default": default_tol, **field_tol}),
        coverage=coverage,
        fields=results,
        skipped=skipped,
    )


def _validate_field(field: _Field, matched, records, task, default_tol, field_tol, resamples,
                    seed, max_listed) -> FieldResult:
    spec = field.spec
    truths, preds, ids, problems, reasons, confidences = [], [], [], [], [], []
    agreements: list[float | None] = []
    for rid, row in matched:
        raw = row.get(field.truth_column)
        if raw is NO_REFERENCE:
            continue
        value, problem = parse_truth_cell(spec, raw)
        if problem:
            problems.append({"id": rid, "problem": problem})
            continue
        record = records[rid]
        predicted = _prediction(record.fields, field.name) if record.status != "error" else None
        if isinstance(predicted, bool) and spec.type in ("int", "float"):
            predicted = None
        if spec.type in ("int", "float") and predicted is not None:
            predicted = float(predicted)
        truths.append(value)
        preds.append(predicted)
        ids.append(rid)
        top = field.name.split(".")[0]
        reasons.append(record.error if record.status == "error"
                       else record.field_errors.get(top))
        # The probability the model gave the option it answered (bool/enum, top level only:
        # records hold probabilities per top-level field); None where the record has none.
        option = "null" if predicted is None else _label(predicted)
        confidences.append((record.probabilities.get(field.name) or {}).get(option))
        agreed = (record.agreement or {}).get(field.name)
        agreements.append(agreed / record.passes if record.passes and agreed is not None
                          and record.status != "error" else None)
    result: dict[str, Any] = {"field": field.name, "type": spec.type, "kind": field.kind,
                              "truth_column": field.truth_column, "unit": spec.unit, "n": len(ids),
                              "truth_problems": problems}
    if field.kind == "categorical":
        truth_labels = [_label(v) for v in truths]
        pred_labels = [_label(v) for v in preds]
        declared = ["false", "true"] if spec.type == "bool" else list(spec.values)
        used = {*truth_labels, *pred_labels}
        extra = sorted(used - {*declared, NULL})
        labels = declared + extra + ([NULL] if NULL in used else [])
        result.update(categorical_metrics(truth_labels, pred_labels, labels,
                                          resamples=resamples, seed=seed))
        if extra:
            result["labels_outside_task"] = extra
        # Two confidences, where records carry them: the option probability of the answer,
        # and the share of the passes (--passes N) that gave it.
        for source, values in (("probability", confidences), ("agreement", agreements)):
            pairs = [(c, t == p) for c, t, p in zip(values, truth_labels, pred_labels)
                     if c is not None]
            if not pairs:
                continue
            found = calibration(pairs, bins=DEFAULT_BINS, resamples=resamples, seed=seed)
            if source == "probability":
                result["metrics"]["ece"] = found["ece"]
            result.setdefault("calibration", []).append({
                "source": source, "n": found["n"], "bin_count": DEFAULT_BINS,
                "ece": found["ece"], "bins": found["bins"],
                "picture": picture_name(field.name, source)})
        disagree = [i for i in range(len(ids)) if truth_labels[i] != pred_labels[i]]
        shown_t, shown_p = truth_labels, pred_labels
    elif field.kind == "numeric":
        tol = field_tol.get(field.name, default_tol)
        result.update(numeric_metrics(truths, preds, tol, resamples=resamples, seed=seed))
        disagree = [i for i in range(len(ids)) if not (
            (truths[i] is None and preds[i] is None) or (truths[i] is not None and preds[i] is not
            None and abs(preds[i] - truths[i]) <= tol + 1e-9 * max(1, abs(truths[i]))))]
        shown_t = [NULL if v is None else _number(v) for v in truths]
        shown_p = [NULL if v is None else _number(v) for v in preds]
    else:
        agree = [_norm_text(t) == _norm_text(p) for t, p in zip(truths, preds)]
        result.update(exact_metrics(agree, resamples, seed))
        result["comparison"] = "exact match after trimming, case-folding and joining whitespace"
        disagree = [i for i, ok in enumerate(agree) if not ok]
        shown_t = [NULL if v is None else str(v) for v in truths]
        shown_p = [NULL if v is None else str(v) for v in preds]
    result["disagreement_count"] = len(disagree)
    listed = disagree[:max_listed] if max_listed else disagree
    result["disagreements"] = [{"id": ids[i], "truth": shown_t[i], "prediction": shown_p[i],
                                **({"reason": reasons[i]} if reasons[i] else {})} for i in listed]
    # The metrics come as plain dicts from metrics.py; here they become the typed result.
    return FieldResult.model_validate(result)


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value
