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
from pluk.core.written_words import number, wording


# The metrics of the summary table, in order, with their headings (shared with the GUI's view).
SUMMARY_METRICS = {"accuracy": "Accuracy", "kappa": "Kappa", "macro_f1": "Macro F1",
                   "mae": "MAE", "tolerance_accuracy": "Within tolerance", "ece": "ECE"}
CALIBRATION_SOURCES = {"probability": "the option probabilities",
                       "agreement": "the agreement across passes"}


def picture_name(field: str, source: str) -> str:
    """The reliability diagram's file name beside validation.md: safe on every file system."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in field)
    return f"reliability-{safe}-{source}.png"


def format_metric(metric: Metric | None, digits: int = 3, language: str = "en") -> str:
    """'0.812 (0.75–0.87)': the estimate and its 95% interval, or 'n/a' (in Dutch '0,812
    (0,750–0,870)' and 'n.v.t.')."""
    if metric is None or metric.value is None:
        return wording(language)("n/a")
    text = number(metric.value, digits, language)
    if metric.ci_low is not None and metric.ci_high is not None:
        text += (f" ({number(metric.ci_low, digits, language)}–"
                 f"{number(metric.ci_high, digits, language)})")
    return text


_METHOD = {
    "en": "Each report's extracted values were compared with the reference table, matched on "
          "the id column. Categorical fields: accuracy, Cohen's kappa (unweighted) and macro F1 "
          "(mean over the labels that occur). Numeric fields: mean absolute error (MAE) and mean "
          "error (prediction − reference) over reports where both are numbers, and accuracy "
          "within a tolerance ({tolerance}) over all reports. Text fields: exact match after "
          "trimming and case-folding. A missing prediction (failed report, invalid value, or "
          "not stated) is the category '{null}' and counts as a disagreement unless the "
          "reference is empty too. 95% confidence intervals: percentile bootstrap over "
          "reports, {resamples} resamples, seed {seed}. Calibration of yes/no and category "
          "fields whose records carry option probabilities: the probability of the answered "
          "option is its confidence, and the answer is correct when it equals the reference; "
          "the expected calibration error (ECE) is the mean over answers of |accuracy − mean "
          "confidence| of their bin, over equal-width confidence bins, with a reliability "
          "diagram per field. A run answered in several passes (--passes) is calibrated a "
          "second time with the share of the passes that gave the answer as its confidence.",
    "nl": "De geëxtraheerde waarden van elk verslag zijn vergeleken met de referentietabel, "
          "gekoppeld op de id-kolom. Categorische velden: juistheid, Cohens kappa (ongewogen) "
          "en macro-F1 (gemiddelde over de labels die voorkomen). Numerieke velden: gemiddelde "
          "absolute fout (MAE) en gemiddelde fout (voorspelling − referentie) over verslagen "
          "waar beide een getal zijn, en juistheid binnen een tolerantie ({tolerance}) over "
          "alle verslagen. Tekstvelden: exacte overeenkomst na het weghalen van witruimte aan "
          "de randen en zonder onderscheid tussen hoofd- en kleine letters. Een ontbrekende "
          "voorspelling (mislukt verslag, ongeldige waarde of niet vermeld) is de categorie "
          "'{null}' en telt als verschil, tenzij de referentie ook leeg is. "
          "95%-betrouwbaarheidsintervallen: percentielbootstrap over verslagen, {resamples} "
          "trekkingen, seed {seed}. Kalibratie van ja/nee- en keuzevelden waarvan de records "
          "optiekansen hebben: de kans van de gekozen optie is de zekerheid, en het antwoord "
          "is juist als het gelijk is aan de referentie; de verwachte kalibratiefout (ECE) is "
          "het gemiddelde over de antwoorden van |juistheid − gemiddelde zekerheid| van hun "
          "klasse, over even brede klassen van zekerheid, met een betrouwbaarheidsdiagram per "
          "veld. Een run met meerdere antwoorden per verslag (--passes) wordt een tweede keer "
          "gekalibreerd, met het deel van de antwoorden dat de waarde gaf als zekerheid.",
}


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |",
             "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(report: ValidationReport, max_disagreements: int = 100,
                    language: str = "en") -> str:
    """validation.md, its own words in `language` (en, nl; written_words.py)."""
    _ = wording(language)

    def metric(m: Metric | None) -> str:
        return format_metric(m, language=language)

    def num(value: float, digits: int = 3) -> str:
        return number(value, digits, language)

    run, truth, settings, cov = report.run, report.truth, report.settings, report.coverage
    out = [f"# {_('Validation of Pluk run: {title}').format(title=run.task_title)}", ""]
    out += _table(["", ""], [
        [_("Task"), f"{run.task_id} (sha256 {run.task_sha256[:16]}…)"],
        [_("Model file"), f"{run.model_file} (sha256 {run.model_sha256[:16]}…)"],
        [_("Run"), _("{path}, started {started}, {status}").format(
            path=run.path, started=run.started_at, status=_(run.status))],
        [_("Reference table"), _("{name} (sha256 {sha}…), id column '{column}'").format(
            name=Path(truth.path).name, sha=truth.sha256[:16], column=truth.id_column)],
        [_("Report made"), _("{when} by Pluk {version}").format(
            when=report.created_at, version=report.pluk_version)],
    ])
    tol = settings.tolerance
    tolerance = ", ".join([f"{tol['default']:g}"] + [f"{k} {v:g}" for k, v in tol.items()
                                                     if k != "default"])
    if language == "nl":
        tolerance = tolerance.replace(".", ",")
    method = _METHOD.get(language, _METHOD["en"]).format(
        tolerance=("default " if language != "nl" else "standaard ") + tolerance, null=NULL,
        resamples=settings.bootstrap_resamples, seed=settings.seed)
    out += ["", f"## {_('Method')}", "", method, "", f"## {_('Coverage')}", ""]
    status = ", ".join(f"{_(k)} {v}" for k, v in sorted(cov.matched_record_status.items()))
    out += _table(["", _("Reports")], [
        [_("Reference rows with an id"), cov.truth_rows],
        [_("… with a record in the run (scored)"), f"{cov.with_record} ({status or _('none')})"],
        [_("… without a record (not scored)"), cov.without_record],
        [_("Records not in the reference"), cov.records_not_in_truth],
        [_("Reference rows without an id (ignored)"), cov.rows_without_id],
    ])
    if cov.missing_ids:
        shown = cov.missing_ids[:50]
        out += ["", _("Ids without a record: ") + ", ".join(f"`{i}`" for i in shown)
                + (" …" if len(cov.missing_ids) > 50 else "")]
    out += ["", f"## {_('Summary (estimate, 95% CI)')}", ""]
    summary = []
    for f in report.fields:
        summary.append([f.field, f.type, f.n]
                       + [metric(f.metrics.get(name)) for name in SUMMARY_METRICS])
    out += _table([_("Field"), _("Type"), "n", *(_(h) for h in SUMMARY_METRICS.values())],
                  summary)
    if report.skipped:
        out += ["", _("Not compared: ") + "; ".join(f"{s.field} ({s.reason})"
                                                    for s in report.skipped) + "."]
    for f in report.fields:
        out += ["", f"## {f.field}", "", _(
            "Type {type}{unit}; reference column '{column}'; {n} reports; disagreements: {d}."
        ).format(type=f.type, unit=_(", unit ") + f.unit if f.unit else "",
                 column=f.truth_column, n=f.n, d=f.disagreement_count)]
        if f.kind == "numeric" and f.counts is not None:
            c = f.counts
            out += ["", _("Both numbers {both}, both empty {empty}, only the reference empty "
                          "{ref}, only the prediction empty {pred}. Mean error {error}.").format(
                both=c.both_numbers, empty=c.both_null, ref=c.truth_null_only,
                pred=c.prediction_null_only, error=metric(f.metrics.mean_error))]
        if f.confusion is not None:
            labels, matrix = f.confusion.labels, f.confusion.matrix
            out += ["", _("Confusion matrix (rows: reference, columns: prediction):"), ""]
            out += _table([_("reference \\ prediction"), *labels],
                          [[lb, *row] for lb, row in zip(labels, matrix)])
            out += ["", *_table([_(h) for h in ("Label", "Support", "Predicted", "Precision",
                                                "Recall", "F1")],
                                [[p.label, p.support, p.predicted, num(p.precision),
                                  num(p.recall), num(p.f1)] for p in f.per_label or []])]
        for cal in f.calibration or []:
            out += ["", *_calibration(f.field, cal, language)]
        if f.labels_outside_task:
            out += ["", _("Reference values outside the task's allowed values: ")
                    + ", ".join(f"`{v}`" for v in f.labels_outside_task)]
        if f.truth_problems:
            out += ["", _("Unreadable reference cells (not scored): ")
                    + ", ".join(f"`{p.id}` ({p.problem})" for p in f.truth_problems[:20])]
        if f.disagreements:
            shown = f.disagreements[:max_disagreements]
            out += ["", _("Disagreements:"), ""]
            out += _table([_(h) for h in ("Id", "Reference", "Prediction", "Reason")],
                          [[d.id, d.truth, d.prediction, d.reason or ""] for d in shown])
            if f.disagreement_count > len(shown):
                out += ["", _("… {n} more in validation.json.").format(
                    n=f.disagreement_count - len(shown))]
    return "\n".join(out) + "\n"


def _calibration(field: str, cal: Calibration, language: str = "en") -> list[str]:
    _ = wording(language)

    def num(value: float | None, digits: int = 3) -> str:
        return "" if value is None else number(value, digits, language)

    lines = [_("Calibration of {source}: ECE {ece} over {n} {answers}, {bins} equal-width "
               "bins:").format(source=_(CALIBRATION_SOURCES[cal.source]),
                               ece=format_metric(cal.ece, language=language), n=cal.n,
                               answers=_("answer") if cal.n == 1 else _("answers"),
                               bins=cal.bin_count), ""]
    lines += _table([_(h) for h in ("Confidence", "Answers", "Mean confidence", "Accuracy")],
                    [[f"{num(b.lower, 1)}–{num(b.upper, 1)}", b.count,
                      num(b.mean_confidence), num(b.accuracy)] for b in cal.bins])
    if cal.picture:
        lines += ["", f"![{_('Reliability diagram of {field}').format(field=field)}]"
                      f"({cal.picture})", "",
                  _("Reliability diagram: confidence (x, 0 to 1) against accuracy (y, 0 to 1); "
                    "a bar per bin with answers, its dark tick the bin's mean confidence; a "
                    "calibrated confidence has its bars on the grey diagonal.")]
    return lines


def write_report(report: ValidationReport, out_dir: str | Path, language: str = "en",
                 ) -> tuple[Path, Path]:
    """validation.md (its words in `language`) and validation.json in out_dir, and the
    reliability diagrams that validation.md links to beside them; returns the paths of the
    first two."""
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        md = out_dir / "validation.md"
        js = out_dir / "validation.json"
        md.write_text(render_markdown(report, language=language), encoding="utf-8")
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
