"""Validation of a run against a labelled table: agreement per field, with confidence intervals.

Compares the fields of a run folder's records with a reference table (CSV, Excel-Dutch CSV with
';', or XLSX) matched on an id column. Per field: accuracy, Cohen's kappa and macro F1 with a
confusion matrix for yes/no and category fields; MAE, mean error and tolerance accuracy for
numbers; exact-match accuracy for text. Every metric has a seeded percentile bootstrap 95%
interval over reports. A missing answer is never dropped: a null prediction (a failed record, a
failed field, or 'not stated') is its own category, "—/null", and counts as a disagreement
unless the reference is empty too. Truth rows without a record are reported as coverage, not
scored. The result is plain data (JSON) and a Markdown report for a paper's supplement.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pluk import __version__
from pluk.core.dragon.errors import DragonError
from pluk.core.dragon.metrics import cohen_kappa
from pluk.core.errors import PlukError
from pluk.core.runs import RunFolder
from pluk.core.tasks.definition import TaskDefinition

NULL = "—/null"
DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 20240601
_EMPTY_CELLS = {"", "na", "n/a", "nan", "null", "none", "—", "-", "#n/a"}
_TRUE = {"true", "1", "yes", "y", "ja", "j", "waar", "t", "ok"}
_FALSE = {"false", "0", "no", "n", "nee", "onwaar", "f"}


class ValidationError(PlukError):
    """The run or the reference table cannot be compared; the message says why."""


# -- reading the reference table ----------------------------------------------------------------


def read_table(path: str | Path, sheet: str | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """(columns, rows) of a CSV or XLSX file; CSV delimiter (',', ';', tab) from the header."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"reference table not found: {path}")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix not in (".csv", ".tsv", ".txt"):
        raise ValidationError(f"{path.name}: the reference table must be .csv or .xlsx")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Dutch Windows
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
               if any(cell.strip() for cell in r)]
    if not records:
        raise ValidationError(f"{path.name}: the reference table is empty")
    columns = [c.strip() for c in records[0]]
    return columns, [dict(zip(columns, r)) for r in records[1:]]


def _read_xlsx(path: Path, sheet: str | None) -> tuple[list[str], list[dict[str, Any]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ValidationError(f"{path.name}: not a readable .xlsx file ({exc})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ValidationError(f"{path.name}: no sheet {sheet!r}; sheets: "
                                  f"{', '.join(book.sheetnames)}")
        rows = [r for r in (book[sheet] if sheet else book.worksheets[0]).iter_rows(
            values_only=True) if any(v not in (None, "") for v in r)]
    finally:
        book.close()
    if not rows:
        raise ValidationError(f"{path.name}: the sheet is empty")
    columns = ["" if v is None else str(v).strip() for v in rows[0]]
    return columns, [dict(zip(columns, r)) for r in rows[1:]]


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _find_column(columns: list[str], wanted: str) -> str | None:
    if wanted in columns:
        return wanted
    matches = [c for c in columns if _key(c) == _key(wanted)]
    return matches[0] if len(matches) == 1 else None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


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


def _parse_truth(spec: Any, raw: Any) -> tuple[Any, str | None]:
    """(value, problem): value None for an empty cell; problem set when the cell is unreadable."""
    text = _cell_text(raw)
    if text.lower() in _EMPTY_CELLS:
        return None, None
    if spec.type == "bool":
        if isinstance(raw, bool):
            return raw, None
        if text.lower() in _TRUE:
            return True, None
        if text.lower() in _FALSE:
            return False, None
        return None, f"not a yes/no value: {text!r}"
    if spec.type in ("int", "float"):
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return float(raw), None
        number = text.replace(" ", "")
        if "," in number and "." not in number:
            number = number.replace(",", ".")  # Dutch decimal comma
        try:
            value = float(number)
        except ValueError:
            return None, f"not a number: {text!r}"
        return (value, None) if math.isfinite(value) else (None, f"not a number: {text!r}")
    if spec.type == "enum":
        if text in spec.values:
            return text, None
        folded = [v for v in spec.values if v.casefold() == text.casefold()]
        return (folded[0] if len(folded) == 1 else text), None
    return text, None


def _label(value: Any) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _norm_text(value: Any) -> str:
    return NULL if value is None else " ".join(str(value).split()).casefold()


# -- metrics and the bootstrap ------------------------------------------------------------------


def _interval(samples: np.ndarray) -> tuple[float | None, float | None]:
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return None, None
    low, high = np.percentile(samples, [2.5, 97.5])
    return float(low), float(high)


def _metric(value: float | None, samples: np.ndarray | None, **extra: Any) -> dict[str, Any]:
    low, high = _interval(samples) if samples is not None and value is not None else (None, None)
    out = {"value": value, "ci_low": low, "ci_high": high}
    if samples is not None and value is not None:
        used = int(np.isfinite(samples).sum())
        if used < samples.size:
            out["ci_resamples_used"] = used
    out.update(extra)
    return out


def _resample_indices(n: int, resamples: int, seed: int):
    """Blocks of bootstrap index rows, the same for every field of one validation."""
    rng = np.random.default_rng(seed)
    block = max(1, min(resamples, 2_000_000 // max(n, 1)))
    done = 0
    while done < resamples:
        size = min(block, resamples - done)
        yield rng.integers(0, n, size=(size, n))
        done += size


def confusion_stats(matrices: np.ndarray) -> dict[str, np.ndarray]:
    """Accuracy, unweighted kappa and macro F1 of a stack of confusion matrices (…, k, k).

    Kappa is the formula of dragon.metrics.cohen_kappa; macro F1 averages over the labels that
    occur in truth or prediction, as scikit-learn does. Undefined values are NaN.
    """
    m = np.asarray(matrices, dtype=float)
    n = m.sum(axis=(-2, -1))
    diag = np.diagonal(m, axis1=-2, axis2=-1)
    rows, cols = m.sum(axis=-1), m.sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = diag.sum(axis=-1) / n
        expected_disagreement = 1.0 - (rows * cols).sum(axis=-1) / n**2
        kappa = 1.0 - (1.0 - accuracy) / expected_disagreement
        kappa = np.where(expected_disagreement > 1e-15, kappa, np.nan)
        precision = np.where(cols > 0, diag / cols, 0.0)
        recall = np.where(rows > 0, diag / rows, 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
        present = (rows + cols) > 0
        macro_f1 = (f1 * present).sum(axis=-1) / present.sum(axis=-1)
    return {"accuracy": accuracy, "kappa": kappa, "macro_f1": macro_f1}


def categorical_metrics(truth: list[str], pred: list[str], labels: list[str], *,
                        resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED
                        ) -> dict[str, Any]:
    """Accuracy, Cohen's kappa, macro F1 (with bootstrap CIs), confusion matrix, per-label F1."""
    index = {label: i for i, label in enumerate(labels)}
    k, n = len(labels), len(truth)
    codes = np.array([index[t] * k + index[p] for t, p in zip(truth, pred)], dtype=np.int64)
    matrix = np.bincount(codes, minlength=k * k).reshape(k, k)
    point = confusion_stats(matrix)
    try:
        kappa: float | None = cohen_kappa(truth, pred)
        kappa_note = None
    except DragonError as exc:
        kappa, kappa_note = None, str(exc)
    samples = {"accuracy": [], "kappa": [], "macro_f1": []}
    if n and resamples:
        for block in _resample_indices(n, resamples, seed):
            offsets = (np.arange(block.shape[0]) * k * k)[:, None]
            stacked = np.bincount((codes[block] + offsets).ravel(),
                                  minlength=block.shape[0] * k * k).reshape(-1, k, k)
            for name, values in confusion_stats(stacked).items():
                samples[name].append(values)
    arrays = {name: np.concatenate(v) if v else None for name, v in samples.items()}
    rows, cols, diag = matrix.sum(axis=1), matrix.sum(axis=0), np.diag(matrix)
    per_label = []
    for i, label in enumerate(labels):
        p = diag[i] / cols[i] if cols[i] else 0.0
        r = diag[i] / rows[i] if rows[i] else 0.0
        per_label.append({"label": label, "support": int(rows[i]), "predicted": int(cols[i]),
                          "precision": float(p), "recall": float(r),
                          "f1": float(2 * p * r / (p + r)) if p + r else 0.0})
    metrics = {
        "accuracy": _metric(float(point["accuracy"]) if n else None, arrays["accuracy"]),
        "kappa": _metric(kappa, arrays["kappa"], **({"note": kappa_note} if kappa_note else {})),
        "macro_f1": _metric(float(point["macro_f1"]) if n else None, arrays["macro_f1"]),
    }
    return {"metrics": metrics, "confusion": {"labels": labels, "matrix": matrix.tolist()},
            "per_label": per_label}


def numeric_metrics(truth: list[float | None], pred: list[float | None], tolerance: float, *,
                    resamples: int = DEFAULT_RESAMPLES, seed: int = DEFAULT_SEED
                    ) -> dict[str, Any]:
    """MAE and mean error over the pairs where both are numbers; tolerance accuracy over all.

    A pair agrees within tolerance when both are null, or both are numbers at most `tolerance`
    apart; a number against a null never agrees.
    """
    n = len(truth)
    both = np.array([t is not None and p is not None for t, p in zip(truth, pred)])
    t = np.array([x if x is not None else 0.0 for x in truth], dtype=float)
    p = np.array([x if x is not None else 0.0 for x in pred], dtype=float)
    error = np.where(both, p - t, 0.0)
    neither = np.array([x is None and y is None for x, y in zip(truth, pred)])
    agree = neither | (both & (np.abs(error) <= tolerance + 1e-9 * np.maximum(1, np.abs(t))))

    def stats(index: np.ndarray | None) -> tuple[Any, Any, Any]:
        b, e, a = (both, error, agree) if index is None else (both[index], error[index],
                                                               agree[index])
        count = b.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mae = np.where(count > 0, np.abs(e).sum(axis=-1) / count, np.nan)
            bias = np.where(count > 0, e.sum(axis=-1) / count, np.nan)
        return mae, bias, a.mean(axis=-1)

    mae, bias, tol_acc = stats(None)
    samples: list[tuple[Any, Any, Any]] = []
    if n and resamples:
        samples = [stats(block) for block in _resample_indices(n, resamples, seed)]
    cat = (lambda i: np.concatenate([s[i] for s in samples])) if samples else (lambda i: None)
    value = (lambda x: float(x) if n and np.isfinite(x) else None)
    return {
        "metrics": {
            "mae": _metric(value(mae), cat(0)),
            "mean_error": _metric(value(bias), cat(1)),
            "tolerance_accuracy": _metric(value(tol_acc), cat(2), tolerance=tolerance),
        },
        "counts": {"both_numbers": int(both.sum()), "both_null": int(neither.sum()),
                   "truth_null_only": int(sum(x is None and y is not None
                                              for x, y in zip(truth, pred))),
                   "prediction_null_only": int(sum(x is not None and y is None
                                                   for x, y in zip(truth, pred)))},
    }


def _exact_metrics(agree: list[bool], resamples: int, seed: int) -> dict[str, Any]:
    values = np.array(agree, dtype=float)
    samples = None
    if values.size and resamples:
        samples = np.concatenate([values[b].mean(axis=-1)
                                  for b in _resample_indices(values.size, resamples, seed)])
    return {"metrics": {"accuracy": _metric(float(values.mean()) if values.size else None,
                                            samples)}}


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


def validate_run(run_dir: str | Path, truth_path: str | Path, id_column: str, *,
                 columns: list[str] | None = None,
                 tolerance: float | str | list[str] | dict[str, float] | None = None,
                 sheet: str | None = None, resamples: int = DEFAULT_RESAMPLES,
                 seed: int = DEFAULT_SEED, max_listed: int | None = None) -> dict[str, Any]:
    """Compare a run folder's fields with a reference table; returns the report as plain data.

    `columns` picks fields ("psa") or maps a field to another column ("psa=PSA waarde");
    by default every scalar field with a like-named column is compared.
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
    table_columns, rows = read_table(truth_path, sheet)
    id_col = _find_column(table_columns, id_column)
    if id_col is None:
        raise ValidationError(f"id column {id_column!r} not found; columns: "
                              f"{', '.join(repr(c) for c in table_columns)}")
    default_tol, field_tol = _parse_tolerance(tolerance)

    scalars = dict(_scalar_fields(task.fields))
    skipped: list[dict[str, str]] = []
    chosen: list[_Field] = []
    wanted = columns or list(scalars)
    for item in wanted:
        name, _, column = item.partition("=")
        name = name.strip()
        if name not in scalars:
            known = [s.name for s in task.fields]
            if name in known:
                skipped.append({"field": name, "reason": "list fields are not compared"})
                continue
            raise ValidationError(f"the task has no field {name!r}; fields: "
                                  f"{', '.join(scalars) or 'none'}")
        truth_col = _find_column(table_columns, column.strip() or name)
        if truth_col is None:
            if columns:
                raise ValidationError(f"column {column.strip() or name!r} not found in "
                                      f"{truth_path.name}")
            skipped.append({"field": name, "reason": "no column of that name in the table"})
            continue
        chosen.append(_Field(name, scalars[name], truth_col))
    if columns is None:
        skipped += [{"field": s.name, "reason": "list fields are not compared"}
                    for s in task.fields if s.type == "list"]
    unknown_tol = set(field_tol) - {f.name for f in chosen}
    if unknown_tol:
        raise ValidationError(f"tolerance given for field(s) not compared: "
                              f"{', '.join(sorted(unknown_tol))}")
    if not chosen:
        raise ValidationError("no field to compare: name the columns with --columns FIELD or "
                              "FIELD=COLUMN")

    seen: dict[str, int] = {}
    duplicates, blank_ids = [], 0
    truth_rows: list[tuple[str, dict[str, Any]]] = []
    for row in rows:
        rid = _cell_text(row.get(id_col))
        if not rid:
            blank_ids += 1
            continue
        if rid in seen:
            duplicates.append(rid)
            continue
        seen[rid] = len(truth_rows)
        truth_rows.append((rid, row))
    if duplicates:
        raise ValidationError(f"the id column repeats id(s) {', '.join(duplicates[:10])}; each "
                              "report needs one reference row")
    matched = [(rid, row) for rid, row in truth_rows if rid in records]
    if truth_rows and not matched:
        raise ValidationError(
            f"no reference id matches a record id (reference: {', '.join(list(seen)[:3])}; "
            f"run: {', '.join(list(records)[:3]) or 'no records'}); check --id-column")
    statuses: dict[str, int] = {}
    for rid, _ in matched:
        statuses[records[rid].status] = statuses.get(records[rid].status, 0) + 1
    missing = [rid for rid, _ in truth_rows if rid not in records]
    coverage = {
        "truth_rows": len(truth_rows), "with_record": len(matched),
        "without_record": len(missing), "missing_ids": missing[:max_listed] if max_listed
        else missing, "records_not_in_truth": len(set(records) - set(seen)),
        "rows_without_id": blank_ids, "matched_record_status": statuses,
    }

    results = []
    for field in chosen:
        results.append(_validate_field(field, matched, records, task, default_tol, field_tol,
                                       resamples, seed, max_listed))
    model = manifest.model
    return {
        "pluk_version": __version__,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "run": {"path": str(folder.path), "task_id": task.id, "task_title": task.title,
                "task_sha256": manifest.task_sha256, "model_file": Path(model.path).name,
                "model_sha256": model.sha256, "started_at": manifest.started_at,
                "status": manifest.status},
        "truth": {"path": str(truth_path), "sha256": _sha256(truth_path), "id_column": id_col,
                  "rows": len(rows)},
        "settings": {"bootstrap_resamples": resamples, "seed": seed, "confidence": 0.95,
                     "interval": "percentile", "null_label": NULL,
                     "tolerance": {"default": default_tol, **field_tol}},
        "coverage": coverage,
        "fields": results,
        "skipped": skipped,
    }


def _validate_field(field: _Field, matched, records, task, default_tol, field_tol, resamples,
                    seed, max_listed) -> dict[str, Any]:
    spec = field.spec
    truths, preds, ids, problems, reasons = [], [], [], [], []
    for rid, row in matched:
        value, problem = _parse_truth(spec, row.get(field.truth_column))
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
        result.update(_exact_metrics(agree, resamples, seed))
        result["comparison"] = "exact match after trimming, case-folding and joining whitespace"
        disagree = [i for i, ok in enumerate(agree) if not ok]
        shown_t = [NULL if v is None else str(v) for v in truths]
        shown_p = [NULL if v is None else str(v) for v in preds]
    result["disagreement_count"] = len(disagree)
    listed = disagree[:max_listed] if max_listed else disagree
    result["disagreements"] = [{"id": ids[i], "truth": shown_t[i], "prediction": shown_p[i],
                                **({"reason": reasons[i]} if reasons[i] else {})} for i in listed]
    return result


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


# -- writing the report -------------------------------------------------------------------------


def _fmt(metric: dict[str, Any] | None, digits: int = 3) -> str:
    if not metric or metric.get("value") is None:
        return "n/a"
    text = f"{metric['value']:.{digits}f}"
    if metric.get("ci_low") is not None:
        text += f" ({metric['ci_low']:.{digits}f}–{metric['ci_high']:.{digits}f})"
    return text


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(report: dict[str, Any], max_disagreements: int = 100) -> str:
    run, truth, settings, cov = (report["run"], report["truth"], report["settings"],
                                 report["coverage"])
    out = [f"# Validation of Pluk run: {run['task_title']}", ""]
    out += _table(["", ""], [
        ["Task", f"{run['task_id']} (sha256 {run['task_sha256'][:16]}…)"],
        ["Model file", f"{run['model_file']} (sha256 {run['model_sha256'][:16]}…)"],
        ["Run", f"{run['path']}, started {run['started_at']}, {run['status']}"],
        ["Reference table", f"{Path(truth['path']).name} (sha256 {truth['sha256'][:16]}…), "
                            f"id column '{truth['id_column']}'"],
        ["Report made", f"{report['created_at']} by Pluk {report['pluk_version']}"],
    ])
    tol = settings["tolerance"]
    out += ["", "## Method", "",
            f"Each report's extracted values were compared with the reference table, matched on "
            f"the id column. Categorical fields: accuracy, Cohen's kappa (unweighted) and macro "
            f"F1 (mean over the labels that occur). Numeric fields: mean absolute error (MAE) "
            f"and mean error (prediction − reference) over reports where both are numbers, and "
            f"accuracy within a tolerance (default {tol['default']:g}"
            + "".join(f", {k} {v:g}" for k, v in tol.items() if k != "default")
            + ") over all reports. Text fields: exact match after trimming and case-folding. A "
            f"missing prediction (failed report, invalid value, or not stated) is the category "
            f"'{NULL}' and counts as a disagreement unless the reference is empty too. 95% "
            f"confidence intervals: percentile bootstrap over reports, "
            f"{settings['bootstrap_resamples']} resamples, seed {settings['seed']}.", "",
            "## Coverage", ""]
    status = ", ".join(f"{k} {v}" for k, v in sorted(cov["matched_record_status"].items()))
    out += _table(["", "Reports"], [
        ["Reference rows with an id", cov["truth_rows"]],
        ["… with a record in the run (scored)", f"{cov['with_record']} ({status or 'none'})"],
        ["… without a record (not scored)", cov["without_record"]],
        ["Records not in the reference", cov["records_not_in_truth"]],
        ["Reference rows without an id (ignored)", cov["rows_without_id"]],
    ])
    if cov["missing_ids"]:
        shown = cov["missing_ids"][:50]
        out += ["", "Ids without a record: " + ", ".join(f"`{i}`" for i in shown)
                + (" …" if len(cov["missing_ids"]) > 50 else "")]
    out += ["", "## Summary (estimate, 95% CI)", ""]
    summary = []
    for f in report["fields"]:
        m = f["metrics"]
        summary.append([f["field"], f["type"], f["n"], _fmt(m.get("accuracy")),
                        _fmt(m.get("kappa")), _fmt(m.get("macro_f1")), _fmt(m.get("mae")),
                        _fmt(m.get("tolerance_accuracy"))])
    out += _table(["Field", "Type", "n", "Accuracy", "Kappa", "Macro F1", "MAE",
                   "Within tolerance"], summary)
    if report["skipped"]:
        out += ["", "Not compared: " + "; ".join(f"{s['field']} ({s['reason']})"
                                                 for s in report["skipped"]) + "."]
    for f in report["fields"]:
        out += ["", f"## {f['field']}", "",
                f"Type {f['type']}{', unit ' + f['unit'] if f.get('unit') else ''}; reference "
                f"column '{f['truth_column']}'; {f['n']} reports; disagreements: "
                f"{f['disagreement_count']}."]
        if f.get("kind") == "numeric":
            c = f["counts"]
            out += ["", f"Both numbers {c['both_numbers']}, both empty {c['both_null']}, only "
                        f"the reference empty {c['truth_null_only']}, only the prediction empty "
                        f"{c['prediction_null_only']}. Mean error {_fmt(f['metrics']['mean_error'])}."]
        if "confusion" in f:
            labels, matrix = f["confusion"]["labels"], f["confusion"]["matrix"]
            out += ["", "Confusion matrix (rows: reference, columns: prediction):", ""]
            out += _table(["reference \\ prediction", *labels],
                          [[lb, *row] for lb, row in zip(labels, matrix)])
            out += ["", *_table(["Label", "Support", "Predicted", "Precision", "Recall", "F1"],
                                [[p["label"], p["support"], p["predicted"], f"{p['precision']:.3f}",
                                  f"{p['recall']:.3f}", f"{p['f1']:.3f}"] for p in f["per_label"]])]
        if f.get("labels_outside_task"):
            out += ["", "Reference values outside the task's allowed values: "
                        + ", ".join(f"`{v}`" for v in f["labels_outside_task"])]
        if f["truth_problems"]:
            out += ["", f"Unreadable reference cells (not scored): "
                        + ", ".join(f"`{p['id']}` ({p['problem']})" for p in f["truth_problems"][:20])]
        if f["disagreements"]:
            shown = f["disagreements"][:max_disagreements]
            out += ["", "Disagreements:", ""]
            out += _table(["Id", "Reference", "Prediction", "Reason"],
                          [[d["id"], d["truth"], d["prediction"], d.get("reason", "")]
                           for d in shown])
            if f["disagreement_count"] > len(shown):
                out += ["", f"… {f['disagreement_count'] - len(shown)} more in validation.json."]
    return "\n".join(out) + "\n"


def write_report(report: dict[str, Any], out_dir: str | Path) -> tuple[Path, Path]:
    """validation.md and validation.json in out_dir; returns both paths."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        md = out_dir / "validation.md"
        js = out_dir / "validation.json"
        md.write_text(render_markdown(report), encoding="utf-8")
        js.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ValidationError(f"cannot write the report to {out_dir}: {exc.strerror or exc}"
                              ) from None
    return md, js
