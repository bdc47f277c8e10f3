"""Issue 26, item 8: a label "en00" matches the record "en00.txt" of a folder run, and a label
with the extension matches a record without one; an ambiguous stem matches nothing."""

from __future__ import annotations

import csv

from pluk.core.validation.evaluate import _id_aliases, validate_run
from tests.support.english_mri import labels
from tests.support.review_run import make_review_run


def _table(path, ids):
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "psa"])
        truth = labels()
        for rid in ids:
            writer.writerow([rid, truth[rid.split(".")[0]]["psa"]])
    return path


def test_label_ids_match_with_or_without_the_extension(tmp_path):
    run_dir, records = make_review_run(tmp_path, n=4)
    assert records[0].id == "en00.txt"
    bare = _table(tmp_path / "bare.csv", ["en00", "en01", "en02", "en03"])
    report = validate_run(run_dir, bare, "id", resamples=0)
    assert report.coverage.with_record == 4 and report.coverage.records_not_in_truth == 0
    full = _table(tmp_path / "full.csv", ["en00.txt", "en01.txt", "en02.txt", "en03.txt"])
    assert validate_run(run_dir, full, "id", resamples=0).coverage.with_record == 4


def test_an_ambiguous_stem_is_no_alias():
    aliases = _id_aliases({"a.txt": 1, "a.pdf": 2, "b.txt": 3, "c": 4})
    assert aliases == {"b": "b.txt"}
