"""--resume with other options: what changes the answers is refused (naming what differs), the
rest is recorded per resumption; --retry-errors redoes error records, whose new record
supersedes the old one (records.jsonl stays append-only, readers take the latest per report)."""

from __future__ import annotations

import csv
import json

import pytest

from pluk import cli
from pluk.core.errors import RunFolderError
from pluk.core.extraction.job import run_job
from pluk.core.options import ContextOptions, DecodingOptions, HardwareOptions, RunOptions
from pluk.core.readers.reports import Report
from pluk.core.runs.folder import RunFolder
from pluk.core.tasks import load_task

LONG = "Uitgebreid verslag zonder einde. " * 60  # about 2000 tokens in the tiny vocabulary


def _reports(n: int = 2) -> list[Report]:
    return [Report.from_text(id=f"r{i}", source="mem", format="txt", text=f"PSA {i}.")
            for i in range(n)]


def _options(**decoding) -> RunOptions:
    return RunOptions(hardware=HardwareOptions(n_threads=1),
                      decoding=DecodingOptions(probabilities=False, **decoding))


def _run(model, out, reports, options, **kwargs):
    return run_job(load_task("prostate_mri_nl"), reports, model, out, options, **kwargs)


def test_a_resume_that_would_change_the_answers_is_refused_naming_what_differs(
        tiny_model, tmp_path):
    out = tmp_path / "run"
    _run(tiny_model, out, _reports(1), _options())
    before = (out / "manifest.json").read_text(encoding="utf-8")
    with pytest.raises(RunFolderError) as caught:
        _run(tiny_model, out, _reports(2), _options(temperature=0.7, seed=5), resume=True)
    message = str(caught.value)
    assert "temperature differs (run: 0.0, now: 0.7)" in message
    assert "seed differs (run: 0, now: 5)" in message
    assert (out / "manifest.json").read_text(encoding="utf-8") == before
    assert len(RunFolder(out).records()) == 1


def test_other_changes_are_recorded_per_resumption(tiny_model, tmp_path):
    out = tmp_path / "run"
    _run(tiny_model, out, _reports(1), _options())
    changed = RunOptions(context=ContextOptions(ctx_cap=4096),
                         hardware=HardwareOptions(n_threads=2),
                         decoding=DecodingOptions(probabilities=False, time_limit=60))
    _run(tiny_model, out, _reports(2), changed, resume=True)
    manifest = RunFolder(out).read_manifest()
    assert len(manifest.resumptions) == 1
    resumption = manifest.resumptions[0]
    assert resumption.changed["context.ctx_cap"] == {"before": 8192, "after": 4096}
    assert resumption.changed["hardware.n_threads"] == {"before": 1, "after": 2}
    assert resumption.changed["decoding.time_limit"] == {"before": 300.0, "after": 60.0}
    assert "context_plan" not in " ".join(resumption.changed)
    assert RunOptions.from_saved(manifest.options) == changed  # the options now in force
    assert manifest.resumed_at == [resumption.at]


def test_retry_errors_redoes_error_records_and_readers_take_the_latest(tiny_model, tmp_path):
    reports = [Report.from_text(id="a", source="mem", format="txt", text="PSA 4."),
               Report.from_text(id="long", source="mem", format="txt", text=LONG),
               Report.from_text(id="z", source="mem", format="txt", text="PSA 6.")]
    out = tmp_path / "run"
    # A report too long is an error here (not read in sections), which --retry-errors redoes.
    small = RunOptions(context=ContextOptions(ctx_cap=2048, long_reports="error"),
                       hardware=HardwareOptions(n_threads=1),
                       decoding=DecodingOptions(probabilities=False))
    _run(tiny_model, out, reports, small)
    first = {r.id: r for r in RunFolder(out).records()}
    assert first["long"].status == "error" and "--retry-errors" in first["long"].error

    large = small.model_copy(update={"context": ContextOptions(ctx_cap=8192,
                                                               long_reports="error")})
    _run(tiny_model, out, reports, large, resume=True)  # a plain resume keeps the error
    assert RunFolder(out).records()[1].status == "error"

    result = _run(tiny_model, out, reports, large, resume=True, retry_errors=True)
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a", "long", "z", "long"]
    records = RunFolder(out).records()
    assert [r.id for r in records] == ["a", "long", "z"]  # one per report, in input order
    assert records[1].status != "error"
    assert result.counts["total"] == 3 and result.counts["error"] == 0
    with (out / "results.csv").open(encoding="utf-8-sig") as fh:
        assert [row["id"] for row in csv.DictReader(fh)] == ["a", "long", "z"]
    assert RunFolder(out).read_manifest().resumptions[-1].retry_errors


def test_the_cli_retries_errors_on_resume(tiny_model, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "long.txt").write_text(LONG, encoding="utf-8")
    out = tmp_path / "run"
    args = ["extract", "--task", "prostate_mri_nl", "--input", str(folder), "--model",
            str(tiny_model), "--out", str(out), "--threads", "1", "--long-reports", "error"]
    assert cli.main([*args, "--ctx", "2048"]) == 0
    assert RunFolder(out).records()[0].status == "error"
    assert cli.main([*args, "--ctx", "8192", "--resume", "--retry-errors"]) == 0
    assert RunFolder(out).records()[0].status != "error"
    assert cli.main([*args, "--temperature", "0.5", "--resume"]) == 2
    assert "temperature differs" in capsys.readouterr().err
    # Reading long reports in sections changes answers too: refused on resume.
    split = [a for a in args if a not in ("--long-reports", "error")] + ["--long-reports",
                                                                           "split"]
    assert cli.main([*split, "--resume"]) == 2
    assert "long reports differs" in capsys.readouterr().err


def test_the_grouping_is_recorded_and_a_resume_that_groups_otherwise_is_refused(
        tiny_model, tmp_path, capsys):
    for patient, names in (("P1", ["mri.txt", "pa.txt"]), ("P2", ["mri.txt"])):
        (tmp_path / "in" / patient).mkdir(parents=True)
        for name in names:
            (tmp_path / "in" / patient / name).write_text("PSA 4 ng/ml.", encoding="utf-8")
    out = tmp_path / "run"
    args = ["extract", "--task", "prostate_mri_nl", "--input", str(tmp_path / "in"),
            "--model", str(tiny_model), "--out", str(out), "--threads", "1"]
    assert cli.main([*args, "--group-by", "folder", "--limit", "1"]) == 0
    assert RunOptions.from_saved(RunFolder(out).read_manifest().options).reading.group_by \
        == "folder"
    assert cli.main([*args, "--resume"]) == 2  # ungrouped ids would be other reports
    assert "grouping of documents differs" in capsys.readouterr().err
    assert cli.main([*args, "--group-by", "folder", "--resume"]) == 0
    assert [r.id for r in RunFolder(out).records()] == ["P1", "P2"]
