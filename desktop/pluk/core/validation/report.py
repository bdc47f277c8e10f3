"""The written validation report: Markdown for a paper's supplement, and the JSON beside it.

Owns `render_markdown` (method, coverage, summary table and per-field sections with confusion
matrices, calibration and disagreements) and `write_report`, which writes validation.md and
validation.json from a ValidationReport (`result`), and beside them one reliability diagram
(PNG, `reliability_png`) per calibrated field, linked from validation.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pluk.core.validation.reliability_png import reliability_png
from pluk.core.validation.result import Calibration, Metric, ValidationReport
from pluk.core.validation.truth import NULL, ValidationError


# The metrics of the summary table, in order, with their headings (shared with the GUI's view).
SUMMARY_METRICS = {"accuracy": "Accuracy", "kappa": "Kappa", "macro_f1": "Macro F1",
                   "mae": "MAE", "tolerance_accuracy": "Within tolerance", "ece": "ECE"}
CALIBRATION_SOURCES = {"probability": "the option probabilities",
                       "agreement": "the agreement across passes"}


def picture_name(field: str, source: str) -> str:
    """The reliability diagram's file name beside validation.md: safe on every file system."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in field)
    return f"reliability-{safe}-{source}.png"


def format_metric(metric: Metric | None, digits: int = 3) -> str:
    """'0.812 (0.75–0.87)': the estimate and its 95% interval, or 'n/a'."""
    if metric is None or metric.value is None:
        return "n/a"
    text = f"{metric.value:.{digits}f}"
    if metric.ci_low is not None and metric.ci_high is not None:
        text += f" ({metric.ci_low:.{digits}f}–{metric.ci_high:.{digits}f})"
    return text


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(report: ValidationReport, max_disagreements: int = 100) -> str:
    run, truth, settings, cov = report.run, report.truth, report.settings, report.coverage
    out = [f"# Validation of Pluk run: {run.task_title}", ""]
    out += _table(["", ""], [
        ["Task", f"{run.task_id} (sha256 {run.task_sha256[:16]}…)"],
        ["Model file", f"{run.model_file} (sha256 {run.model_sha256[:16]}…)"],
        ["Run", f"{run.path}, started {run.started_at}, {run.status}"],
        ["Reference table", f"{Path(truth.path).name} (sha256 {truth.sha256[:16]}…), "
                            f"id column '{truth.id_column}'"],
        ["Report made", f"{report.created_at} by Pluk {report.pluk_version}"],
    ])
    tol = settings.tolerance
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
            f"{settings.bootstrap_resamples} resamples, seed {settings.seed}. Calibration of "
            f"yes/no and category fields whose records carry option probabilities: the "
            f"probability of the answered option is its confidence, and the answer is correct "
            f"when it equals the reference; the expected calibration error (ECE) is the mean "
            f"over answers of |accuracy − mean confidence| of their bin, over equal-width "
            f"confidence bins, with a reliability diagram per field.", "",
            "## Coverage", ""]
    status = ", ".join(f"{k} {v}" for k, v in sorted(cov.matched_record_status.items()))
    out += _table(["", "Reports"], [
        ["Reference rows with an id", cov.truth_rows],
        ["… with a record in the run (scored)", f"{cov.with_record} ({status or 'none'})"],
        ["… without a record (not scored)", cov.without_record],
        ["Records not in the reference", cov.records_not_in_truth],
        ["Reference rows without an id (ignored)", cov.rows_without_id],
    ])
    if cov.missing_ids:
        shown = cov.missing_ids[:50]
        out += ["", "Ids without a record: " + ", ".join(f"`{i}`" for i in shown)
                + (" …" if len(cov.missing_ids) > 50 else "")]
    out += ["", "## Summary (estimate, 95% CI)", ""]
    summary = []
    for f in report.fields:
        summary.append([f.field, f.type, f.n]
                       + [format_metric(f.metrics.get(name)) for name in SUMMARY_METRICS])
    out += _table(["Field", "Type", "n", *SUMMARY_METRICS.values()], summary)
    if report.skipped:
        out += ["", "Not compared: " + "; ".join(f"{s.field} ({s.reason})"
                                                 for s in report.skipped) + "."]
    for f in report.fields:
        out += ["", f"## {f.field}", "",
                f"Type {f.type}{', unit ' + f.unit if f.unit else ''}; reference "
                f"column '{f.truth_column}'; {f.n} reports; disagreements: "
                f"{f.disagreement_count}."]
        if f.kind == "numeric" and f.counts is not None:
            c = f.counts
            out += ["", f"Both numbers {c.both_numbers}, both empty {c.both_null}, only "
                        f"the reference empty {c.truth_null_only}, only the prediction empty "
                        f"{c.prediction_null_only}. Mean error "
                        f"{format_metric(f.metrics.mean_error)}."]
        if f.confusion is not None:
            labels, matrix = f.confusion.labels, f.confusion.matrix
            out += ["", "Confusion matrix (rows: reference, columns: prediction):", ""]
            out += _table(["reference \\ prediction", *labels],
                          [[lb, *row] for lb, row in zip(labels, matrix)])
            out += ["", *_table(["Label", "Support", "Predicted", "Precision", "Recall", "F1"],
                                [[p.label, p.support, p.predicted, f"{p.precision:.3f}",
                                  f"{p.recall:.3f}", f"{p.f1:.3f}"] for p in f.per_label or []])]
        for cal in f.calibration or []:
            out += ["", *_calibration(f.field, cal)]
        if f.labels_outside_task:
            out += ["", "Reference values outside the task's allowed values: "
                        + ", ".join(f"`{v}`" for v in f.labels_outside_task)]
        if f.truth_problems:
            out += ["", "Unreadable reference cells (not scored): "
                        + ", ".join(f"`{p.id}` ({p.problem})" for p in f.truth_problems[:20])]
        if f.disagreements:
            shown = f.disagreements[:max_disagreements]
            out += ["", "Disagreements:", ""]
            out += _table(["Id", "Reference", "Prediction", "Reason"],
                          [[d.id, d.truth, d.prediction, d.reason or ""] for d in shown])
            if f.disagreement_count > len(shown):
                out += ["", f"… {f.disagreement_count - len(shown)} more in validation.json."]
    return "\n".join(out) + "\n"


def _calibration(field: str, cal: Calibration) -> list[str]:
    lines = [f"Calibration of {CALIBRATION_SOURCES[cal.source]}: ECE {format_metric(cal.ece)} "
             f"over {cal.n} answer{'' if cal.n == 1 else 's'}, {cal.bin_count} equal-width "
             f"bins:", ""]
    lines += _table(["Confidence", "Answers", "Mean confidence", "Accuracy"],
                    [[f"{b.lower:.1f}–{b.upper:.1f}", b.count,
                      "" if b.mean_confidence is None else f"{b.mean_confidence:.3f}",
                      "" if b.accuracy is None else f"{b.accuracy:.3f}"] for b in cal.bins])
    if cal.picture:
        lines += ["", f"![Reliability diagram of {field}]({cal.picture})", "",
                  "Reliability diagram: confidence (x, 0 to 1) against accuracy (y, 0 to 1); a "
                  "bar per bin with answers, its dark tick the bin's mean confidence; a "
                  "calibrated confidence has its bars on the grey diagonal."]
    return lines


def write_report(report: ValidationReport, out_dir: str | Path) -> tuple[Path, Path]:
    """validation.md and validation.json in out_dir, and the reliability diagrams that
    validation.md links to beside them; returns the paths of the first two."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        md = out_dir / "validation.md"
        js = out_dir / "validation.json"
        md.write_text(render_markdown(report), encoding="utf-8")
        js.write_text(json.dumps(report.as_json_data(), indent=2, ensure_ascii=False) + "\n",
                      encoding="utf-8")
        for field in report.fields:
            for cal in field.calibration or []:
                if cal.picture:
                    (out_dir / cal.picture).write_bytes(reliability_png(cal.bins))
    except OSError as exc:
        raise ValidationError(f"cannot write the report to {out_dir}: {exc.strerror or exc}"
                              ) from None
    return md, js
