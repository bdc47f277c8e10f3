"""A run's own files survive what is done to it (issue 29, items 2 and 3): an export never
writes over records.jsonl, manifest.json or reviews.jsonl, whatever path names them, and a
review line that lost only its newline is kept, not cut by the next review."""

from __future__ import annotations

import os

import pytest

from pluk.cli import main
from pluk.core.errors import PlukError
from pluk.core.extraction.run_export import export_run
from pluk.core.runs.folder import RunFolder
from pluk.core.runs.reviews import Review, ReviewLog
from tests.support.review_run import make_review_run


@pytest.fixture
def run(tmp_path):
    run_dir, records = make_review_run(tmp_path, n=3)
    return run_dir, records


@pytest.mark.parametrize("name", ["records.jsonl", "manifest.json", "reviews.jsonl"])
def test_an_export_never_writes_over_the_runs_own_files(run, name, capsys):
    run_dir, records = run
    ReviewLog(run_dir).append(Review(record_id=records[0].id, sha256=records[0].sha256,
                                     field="psa", verdict="accepted", model_value=1.0,
                                     value=1.0, reviewer="r", time="2026-12-04T00:00:00Z"))
    before = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}
    # By its plain path, through ".." and through a symbolic link elsewhere.
    link = run_dir.parent / f"link-{name}"
    link.symlink_to(run_dir / name)
    for target in (run_dir / name, run_dir / "sub" / ".." / name, link):
        fmt = "json" if name.endswith(".json") else "csv"
        assert main(["export", str(run_dir), "--format", fmt, "--out", str(target)]) == 2
        err = capsys.readouterr().err
        assert f"that is the run's own {name}" in err and "Traceback" not in err
    with pytest.raises(PlukError, match="run's own"):
        export_run(run_dir, run_dir / name, "json")
    after = {p.name: p.read_bytes() for p in run_dir.iterdir() if p.is_file()}
    assert after == before
    assert len(RunFolder(run_dir).records()) == len(records)


def test_a_hard_link_to_the_records_is_refused(run, tmp_path):
    run_dir, _ = run
    hard = tmp_path / "elsewhere.csv"
    os.link(run_dir / "records.jsonl", hard)
    with pytest.raises(PlukError, match="records.jsonl"):
        export_run(run_dir, hard, "csv")


def test_the_runs_exports_may_be_written_again(run):
    run_dir, records = run
    path, count = export_run(run_dir, run_dir / "results.csv", "csv")
    assert path.is_file() and count == len(records)


def test_a_review_that_lost_only_its_newline_is_kept_by_the_next_one(run):
    run_dir, records = run
    log = ReviewLog(run_dir)

    def review(record, value):
        return Review(record_id=record.id, sha256=record.sha256, field="psa",
                      verdict="corrected", model_value=record.fields["psa"], value=value,
                      reviewer="r", time="2026-12-04T00:00:00Z")

    log.append(review(records[0], 1.5))
    log.path.write_bytes(log.path.read_bytes().rstrip(b"\n"))  # complete, no newline
    assert [r.value for r in log.read()] == [1.5]
    log.append(review(records[1], 2.5))
    assert [(r.record_id, r.value) for r in log.read()] == [(records[0].id, 1.5),
                                                           (records[1].id, 2.5)]
    # Half a line from a killed write is still dropped, and the next review stands alone.
    with log.path.open("ab") as fh:
        fh.write(b'{"record_id": "x", "sha')
    log.append(review(records[2], 3.5))
    assert [r.value for r in log.read()] == [1.5, 2.5, 3.5] and log.skipped == 0
