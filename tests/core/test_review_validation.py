"""Reviews are checked when read (issue 29, item 5): a line of reviews.jsonl whose value does not
pass the field's type and bounds (check_value, the editor's own check) is left out with a
warning naming the line, never exported as a corrected value nor used as a reference, and a
non-finite number never reaches an export."""

from __future__ import annotations

import csv
import json
import logging

import pytest

from pluk.cli import main
from pluk.core.runs.reviews import Review, ReviewLog, latest_reviews
from tests.support.review_run import make_review_run

TIME = "2025-01-01T00:00:00+00:00"
# (field, a value the field cannot hold) as a hand-edited or foreign reviews.jsonl may hold it.
BAD = [
    ("highest_pirads", "banana"),
    ("psa", float("inf")),
    ("suspicious_lesion_count", {"n": 2}),
    ("extraprostatic_extension", "yes please"),
]


def _line(record, field, verdict, value):
    return json.dumps({"record_id": record.id, "sha256": record.sha256, "field": field,
                       "verdict": verdict, "model_value": None, "value": value,
                       "reviewer": "hand", "time": TIME})  # Infinity as Python writes it


@pytest.fixture
def bad_run(tmp_path):
    """A run with one good correction (line 1) and a bad one per field (lines 2-5)."""
    run_dir, records = make_review_run(tmp_path)
    lines = [_line(records[0], "prostate_volume", "corrected", 27.0)]
    lines += [_line(records[1], field, "corrected", value) for field, value in BAD]
    (run_dir / "reviews.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return run_dir, records


def test_a_review_the_field_cannot_hold_is_left_out_with_its_line(bad_run, caplog):
    run_dir, records = bad_run
    log = ReviewLog(run_dir)
    with caplog.at_level(logging.WARNING, logger="pluk.core.runs.reviews"):
        reviews = log.read()
    assert [(r.record_id, r.field) for r in reviews] == [(records[0].id, "prostate_volume")]
    assert log.skipped == 4
    warned = "\n".join(m.getMessage() for m in caplog.records)
    for number, (field, _) in enumerate(BAD, start=2):
        assert f"line {number}" in warned and field in warned
    assert "banana" in warned and "finite" in warned
    # latest_reviews on what read() gives: the bad corrections do not hold.
    latest = latest_reviews(reviews, records)
    assert all((records[1].id, field) not in latest for field, _ in BAD)


def test_a_bad_review_does_not_hide_the_earlier_good_one(tmp_path):
    run_dir, records = make_review_run(tmp_path)
    lines = [_line(records[0], "psa", "corrected", 8.7),
             _line(records[0], "psa", "corrected", float("nan"))]
    (run_dir / "reviews.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    latest = latest_reviews(ReviewLog(run_dir).read(), records)
    assert latest[(records[0].id, "psa")].value == 8.7


def test_a_review_is_kept_as_the_field_stores_it(tmp_path):
    run_dir, records = make_review_run(tmp_path)
    line = _line(records[0], "suspicious_lesion_count", "corrected", 2.0)
    (run_dir / "reviews.jsonl").write_text(line + "\n", encoding="utf-8")
    [review] = ReviewLog(run_dir).read()
    assert review.value == 2 and isinstance(review.value, int)


def test_the_editor_and_the_reader_refuse_the_same_values(tmp_path):
    from pluk.core.runs.reviews import ReviewError, check_value
    from pluk.core.tasks import load_task

    task = load_task("prostate_mri_nl")
    for field, value in BAD:
        with pytest.raises(ReviewError):
            check_value(task.field(field), value)


def test_pluk_export_leaves_bad_reviews_out(bad_run, tmp_path, caplog):
    run_dir, records = bad_run
    out = tmp_path / "results.json"
    with caplog.at_level(logging.WARNING, logger="pluk.core.runs.reviews"):
        assert main(["export", str(run_dir), "--format", "json", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "Infinity" not in text and "NaN" not in text and "banana" not in text
    data = json.loads(text)
    by_id = {r["id"]: r for r in data["records"]}
    second = by_id[records[1].id]["review"]
    for field, _ in BAD:
        assert second[field]["status"] == "model", field
    kept = by_id[records[0].id]["review"]["prostate_volume"]
    assert (kept["status"], kept["value"]) == ("corrected", 27.0)
    assert "reviews.jsonl, line 2" in caplog.text  # the CLI prints it on stderr

    table = tmp_path / "results.csv"
    assert main(["export", str(run_dir), "--out", str(table)]) == 0
    with table.open(encoding="utf-8-sig", newline="") as fh:
        rows = {row["id"]: row for row in csv.DictReader(fh)}
    assert "corrected" not in {rows[records[1].id][f"{field}:review_status"]
                               for field, _ in BAD}
    for cell in rows[records[1].id].values():
        assert cell.lower() not in ("inf", "infinity", "nan", "banana", "yes please")


def test_evaluate_truth_from_reviews_scores_only_good_reviews(bad_run, tmp_path):
    run_dir, records = bad_run
    out = tmp_path / "validation"
    assert main(["evaluate", str(run_dir), "--truth-from-reviews", str(run_dir), "--out",
                 str(out), "--resamples", "0"]) == 0
    report = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    fields = {f["field"] for f in report["fields"]}
    assert fields == {"prostate_volume"}
    assert report["coverage"]["truth_rows"] == 1
