"""Hostile inputs end to end: names and texts that once crashed a run, resume or export."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from pluk.cli import main
from pluk.core.extraction.job import run_job
from pluk.core.options import RunOptions
from pluk.core.readers import read_inputs
from pluk.core.tasks import load_task
from tests.support.hostile_files import xlsx_broken_after_row

BAD_NAME = b"pati\xebnt.txt"  # Latin-1 "patiënt.txt": not valid UTF-8


def _folder_with_a_non_utf8_name(root: Path) -> Path:
    root.mkdir()
    (root / "a.txt").write_text("PSA 7,5 ng/ml. PI-RADS 4.", encoding="utf-8")
    with open(os.path.join(os.fsencode(root), BAD_NAME), "wb") as fh:
        fh.write(b"PSA 9 ng/ml. PI-RADS 5.")
    return root


@pytest.mark.skipif(sys.platform != "linux", reason="Linux file names are bytes; others are not")
def test_a_non_utf8_file_name_is_kept_escaped_and_the_run_resumes_it(tmp_path, tiny_model):
    root = _folder_with_a_non_utf8_name(tmp_path / "reports")
    reports = read_inputs([root])
    ids = sorted(r.id for r in reports)
    assert ids == ["a.txt", "pati\\xebnt.txt"]
    bad = next(r for r in reports if r.id != "a.txt")
    assert bad.error is None and bad.source.endswith("pati\\xebnt.txt")
    task = load_task("prostate_mri_nl")
    out = tmp_path / "run"
    options = RunOptions.from_saved({"ctx_cap": 2048, "probabilities": False})
    result = run_job(task, reports, tiny_model, out, options)
    assert result.status == "finished" and result.counts["total"] == 2
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == ids
    assert all((out / f"results.{ext}").stat().st_size > 0 for ext in ("csv", "json", "xlsx"))
    again = run_job(task, read_inputs([root]), tiny_model, out, options, resume=True)
    assert again.status == "finished" and again.counts["total"] == 2
    assert len((out / "records.jsonl").read_text(encoding="utf-8").splitlines()) == 2


def _ids(run: Path) -> list[str]:
    lines = (run / "records.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["id"] for line in lines]


def test_extract_with_a_limit_reads_only_the_rows_it_needs_also_on_resume(tmp_path, tiny_model):
    # Rows past row 10 are damaged: a full read turns the whole file into one error record.
    table = xlsx_broken_after_row(tmp_path / "big.xlsx", rows=40, broken_after=10)
    out = tmp_path / "run"
    args = ["extract", "--task", "prostate_mri_nl", "--input", str(table), "--model",
            str(tiny_model), "--out", str(out), "--ctx", "2048"]
    assert main([*args, "--limit", "2"]) == 0
    assert _ids(out) == ["r1", "r2"]
    assert main([*args, "--limit", "3", "--resume"]) == 0
    assert _ids(out) == ["r1", "r2", "r3", "r4", "r5"]
