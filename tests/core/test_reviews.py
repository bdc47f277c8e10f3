"""Reviews: the append-only reviews.jsonl beside a run, its crash safety, the review order, and
what reviews add to exports, the HTML page, `pluk review` and `pluk evaluate`."""

from __future__ import annotations

import csv
import json
import re

import pytest
from openpyxl import load_workbook

from pluk.cli import main
from pluk.core.extraction.run_export import export_run
from pluk.core.runs.folder import RunFolder
from pluk.core.runs.review_order import review_order
from pluk.core.runs.reviews import (Review, ReviewError, ReviewLog, check_value, latest_reviews,
                                    review_fields, summary)
from pluk.core.tasks import load_task
from tests.support.review_run import make_review_run


def _review(record, field, verdict, value=None, reason=None, time="2025-01-01T00:00:00+00:00"):
    from pluk.core.runs.reviews import value_at

    return Review(record_id=record.id, sha256=record.sha256, field=field, verdict=verdict,
                  model_value=value_at(record.fields, field), value=value, reason=reason,
                  reviewer="dr. Test", time=time)


@pytest.fixture
def run(tmp_path):
    return make_review_run(tmp_path)


def test_the_latest_review_of_a_field_wins_and_records_stay_untouched(run):
    run_dir, records = run
    before = (run_dir / "records.jsonl").read_bytes()
    log = ReviewLog(run_dir)
    log.append(_review(records[0], "psa", "accepted", 8.6))
    log.append(_review(records[0], "psa", "corrected", 8.7))
    log.append(_review(records[1], "psa", "rejected", reason="hallucinated"))
    latest = latest_reviews(log.read(), records)
    assert latest[(records[0].id, "psa")].value == 8.7
    assert latest[(records[1].id, "psa")].verdict == "rejected"
    assert (run_dir / "records.jsonl").read_bytes() == before
    counts = summary(load_task("prostate_mri_nl"), records, latest)
    assert counts["psa"] == {"model": 4, "accepted": 0, "corrected": 1, "rejected": 1}


def test_a_torn_last_line_is_ignored_and_cut_before_the_next_append(run):
    run_dir, records = run
    log = ReviewLog(run_dir)
    log.append(_review(records[0], "psa", "accepted", 8.6))
    whole = log.path.read_bytes()
    line = _review(records[0], "highest_pirads", "accepted", "4").model_dump_json()
    log.path.write_bytes(whole + line[: len(line) // 2].encode())  # killed mid-write
    assert [r.field for r in log.read()] == ["psa"]
    log.append(_review(records[1], "psa", "rejected", reason="other"))
    lines = log.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert [r.field for r in log.read()] == ["psa", "psa"]
    assert all(json.loads(x) for x in lines)


def test_a_review_of_another_text_does_not_count(run):
    _run_dir, records = run
    stale = _review(records[0], "psa", "accepted", 8.6).model_copy(update={"sha256": "f" * 64})
    assert latest_reviews([stale], records) == {}


def test_the_audit_trail_holds_no_report_text(run):
    run_dir, records = run
    log = ReviewLog(run_dir)
    for path, _spec in review_fields(load_task("prostate_mri_nl")):
        log.append(_review(records[0], path, "accepted", records[0].fields[path]))
    data = log.path.read_text(encoding="utf-8")
    quotes = [e.quote for e in records[0].evidence.values() if len(e.quote) > 8]
    assert quotes and not any(q in data for q in quotes)
    assert "MRI prostate" not in data


@pytest.mark.parametrize("field, value, message", [
    ("psa", 20000.0, "above the maximum 10000"), ("psa", -1.0, "below the minimum 0"),
    ("suspicious_lesion_count", 2.5, "whole number"), ("highest_pirads", "6", "not one of"),
    ("extraprostatic_extension", "yes", "yes or no"), ("psa", "9,7", "is a number")])
def test_a_correction_outside_the_fields_type_or_bounds_is_refused(field, value, message):
    spec = load_task("prostate_mri_nl").field(field)
    with pytest.raises(ReviewError, match=message):
        check_value(spec, value)


def test_corrections_inside_the_bounds_are_kept_as_the_field_stores_them():
    task = load_task("prostate_mri_nl")
    assert check_value(task.field("psa"), 9) == 9.0
    assert check_value(task.field("suspicious_lesion_count"), 3.0) == 3
    assert check_value(task.field("psa"), None) is None
    findings = load_task("radiology_findings_nl").field("findings")
    assert check_value(findings, [{"finding": "nodus", "location": None, "size_mm": 4,
                                   "new": None}])[0]["size_mm"] == 4.0
    with pytest.raises(ReviewError):
        check_value(findings, [{"finding": "nodus"}])


def test_a_rejection_needs_a_reason_from_the_list(run):
    _run_dir, records = run
    with pytest.raises(ValueError):
        _review(records[0], "psa", "rejected")
    with pytest.raises(ValueError):
        _review(records[0], "psa", "rejected", reason="unsure")


def test_most_uncertain_first(run):
    _run_dir, records = run
    order = [r.id for r in review_order(load_task("prostate_mri_nl"), records)]
    # low probability, then ungrounded evidence, then a failed field, then the rest
    assert order[:3] == [records[2].id, records[1].id, records[3].id]
    assert sorted(order) == sorted(r.id for r in records)
    assert [r.id for r in review_order(load_task("prostate_mri_nl"), records, "run")] == [
        r.id for r in records]


def _reviewed_run(run):
    run_dir, records = run
    log = ReviewLog(run_dir)
    log.append(_review(records[0], "psa", "accepted", records[0].fields["psa"]))
    log.append(_review(records[0], "prostate_volume", "corrected", 27.0))
    log.append(_review(records[1], "psa", "rejected", reason="hallucinated"))
    return run_dir, records


def test_csv_and_xlsx_exports_gain_review_columns(run, tmp_path):
    run_dir, records = _reviewed_run(run)
    path, count = export_run(run_dir, tmp_path / "out.csv", "csv")
    assert count == len(records)
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    assert header.index("psa:reviewed") == header.index("psa") + 1
    assert header.index("psa:review_status") == header.index("psa") + 2
    first, second, third = rows[0], rows[1], rows[2]
    assert (first["psa:review_status"], first["psa:reviewed"]) == ("accepted", "8.6")
    assert (first["prostate_volume:review_status"], first["prostate_volume:reviewed"]) == (
        "corrected", "27")
    assert first["prostate_volume"] == "26"  # the model's value stays beside it
    assert (second["psa:review_status"], second["psa:reviewed"]) == ("rejected", "")
    assert (third["psa:review_status"], third["psa:reviewed"]) == ("model", third["psa"])

    xlsx, _ = export_run(run_dir, tmp_path / "out.xlsx", "xlsx")
    sheet = load_workbook(xlsx).active
    values = list(sheet.values)
    assert "prostate_volume:review_status" in values[0]
    column = values[0].index("prostate_volume:reviewed")
    assert values[1][column] == 27.0


def test_reviewed_only_exports_hold_only_what_a_person_reviewed(run, tmp_path):
    run_dir, records = _reviewed_run(run)
    path, count = export_run(run_dir, tmp_path / "only.csv", "csv", reviewed_only=True)
    with path.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert count == 2 and [r["id"] for r in rows] == [records[0].id, records[1].id]
    assert rows[0]["prostate_volume"] == "27" and rows[0]["highest_pirads"] == ""
    assert rows[0]["highest_pirads:review_status"] == "model"
    assert rows[1]["psa"] == "" and rows[1]["psa:review_status"] == "rejected"
    data = json.loads(export_run(run_dir, tmp_path / "only.json", "json",
                                 reviewed_only=True)[0].read_text(encoding="utf-8"))
    assert [r["id"] for r in data["records"]] == [records[0].id, records[1].id]
    assert data["records"][1]["review"] == {"psa": {
        "status": "rejected", "value": None, "reason": "hallucinated", "reviewer": "dr. Test",
        "time": "2025-01-01T00:00:00+00:00"}}


def test_an_unreviewed_run_exports_as_before(run, tmp_path):
    run_dir, _records = run
    path, _ = export_run(run_dir, tmp_path / "plain.csv", "csv")
    header = path.read_text(encoding="utf-8-sig").splitlines()[0]
    assert ":review" not in header


def test_html_export_escapes_text_has_no_external_references_and_marks_evidence(run,
                                                                              tmp_path):
    run_dir, records = _reviewed_run(run)
    hostile = tmp_path / "reports" / "en00.txt"
    text = hostile.read_text(encoding="utf-8")
    assert "MRI prostate" in text
    path, count = export_run(run_dir, tmp_path / "run.html", "html")
    page = path.read_text(encoding="utf-8")
    assert count == len(records)
    assert page.count("<section") == len(records)
    assert "<mark" in page and "8.6 ng/mL</mark>" in page
    assert "ungrounded" in page  # records[1]'s psa is written nowhere
    assert "corrected" in page
    # no external references: no URLs, no src, no stylesheet links, no scripts
    assert not re.search(r"https?://|\bsrc\s*=|<link|<script|@import|url\(", page, re.I)
    for href in re.findall(r'href="([^"]*)"', page):
        assert href.startswith("#")


def test_html_export_escapes_what_reports_and_records_hold(tmp_path):
    from pluk.core.runs.html_export import render
    from pluk.core.runs.records import Evidence, Record

    task = load_task("pathology_tissue_nl")
    text = 'Conclusie: <script>alert("x")</script> & <b>carcinoom</b>.'
    start = text.index("<b>")
    record = Record(id="<img src=x onerror=alert(1)>", source="s", sha256="h", status="ok",
                    fields={"tissue_type": "biopsy", "organ": None,
                            "diagnosis": "<b>carcinoom</b>", "malignant": True,
                            "tumour_grade": None},
                    evidence={"diagnosis": Evidence(quote="<b>carcinoom</b>", start=start,
                                                    end=start + 16, status="exact")})
    page = render(task, [record], {"h": text})
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<mark title=\"diagnosis\">&lt;b&gt;carcinoom&lt;/b&gt;</mark>" in page


def test_pluk_review_summary_and_export_reviewed(run, tmp_path, capsys):
    run_dir, records = _reviewed_run(run)
    assert main(["review", str(run_dir), "--summary"]) == 0
    out = capsys.readouterr().out
    assert f"0 of {len(records)} reports reviewed" in out
    psa = next(line for line in out.splitlines() if line.startswith("psa "))
    assert psa.split() == ["psa", "4", "1", "0", "1"]
    assert main(["review", str(run_dir), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["fields"]["prostate_volume"]["corrected"] == 1
    out_file = tmp_path / "reviewed.csv"
    assert main(["export", str(run_dir), "--reviewed", "--out", str(out_file)]) == 0
    assert "wrote 2 rows" in capsys.readouterr().err
    assert main(["export", str(run_dir), "--format", "html", "--out",
                 str(tmp_path / "r.html")]) == 0


def test_evaluate_takes_the_reviewed_values_as_the_reference(run, tmp_path, capsys):
    run_dir, records = _reviewed_run(run)
    out = tmp_path / "validation"
    assert main(["evaluate", str(run_dir), "--truth-from-reviews", str(run_dir), "--out",
                 str(out), "--resamples", "0"]) == 0
    report = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    by_field = {f["field"]: f for f in report["fields"]}
    # psa: record 0 accepted (agrees); record 1 rejected as hallucinated (reference null)
    assert by_field["psa"]["n"] == 2 and by_field["psa"]["disagreement_count"] == 1
    # prostate_volume: only record 0 was reviewed (corrected 26 -> 27)
    assert by_field["prostate_volume"]["n"] == 1
    assert by_field["prostate_volume"]["disagreement_count"] == 1
    assert report["truth"]["kind"] == "reviews"
    assert report["coverage"]["truth_rows"] == 2
    assert main(["evaluate", str(run_dir)]) == 2  # no reference given: one error line
    assert "--truth-from-reviews" in capsys.readouterr().err


def test_records_of_a_reviewed_run_read_the_same(run):
    run_dir, records = _reviewed_run(run)
    assert RunFolder(run_dir).records() == records
