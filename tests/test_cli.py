"""The `pluk` command line, run in-process through pluk.cli.main with the tiny model."""

from __future__ import annotations

import csv
import json

from pluk.cli import main
from pluk.core.tasks import load_task, pydantic_model
from tests.support.network_guard import no_network
from tests.support.records import answered
from tests.support.report_folder import make_mixed_report_folder


def test_extract_mixed_folder_offline_then_export(tmp_path, tiny_model, capsys):
    expected = make_mixed_report_folder(tmp_path / "reports")
    out = tmp_path / "run"
    with no_network() as attempts:
        code = main(["extract", "--task", "prostate_mri_nl", "--input", str(tmp_path / "reports"),
                     "--model", str(tiny_model), "--out", str(out), "--delimiter", ";"])
    assert code == 0
    assert attempts == []
    err = capsys.readouterr().err
    assert "30/30 reports" in err and "reports/min" in err and "ETA" in err

    assert main(["tasks", "show", "prostate_mri_nl", "--json-schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["required"] == [f.name for f in load_task("prostate_mri_nl").fields]
    model = pydantic_model(load_task("prostate_mri_nl"))
    records = [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]
    assert len(records) == 30
    for record in records:
        if record["id"] in expected["good"]:
            assert answered(record), record
            if record["status"] == "ok":
                model.model_validate(record["fields"])
        else:
            assert record["status"] == "error" and record["error"]
    with (out / "results.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh, delimiter=";"))) == 30
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "finished"
    counts = manifest["counts"]
    assert counts["ok"] + counts["invalid"] == 22 and counts["error"] == 8
    assert counts["total"] == 30
    assert len(manifest["model"]["sha256"]) == 64 and manifest["engine"]["llama_cpp_python"]
    assert manifest["task"]["id"] == "prostate_mri_nl" and len(manifest["task_sha256"]) == 64

    for fmt in ("csv", "json", "xlsx"):
        target = tmp_path / f"export.{fmt}"
        assert main(["export", str(out), "--format", fmt, "--out", str(target)]) == 0
        assert target.stat().st_size > 0
    with (tmp_path / "export.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 30


def test_limit_and_tasks_list(tmp_path, tiny_model, capsys):
    folder = tmp_path / "r"
    folder.mkdir()
    for i in range(4):
        (folder / f"{i}.txt").write_text(f"PSA {i}")
    assert main(["extract", "--task", "prostate_mri_nl", "--input", str(folder), "--model",
                 str(tiny_model), "--out", str(tmp_path / "run"), "--limit", "2"]) == 0
    assert len((tmp_path / "run" / "records.jsonl").read_text().splitlines()) == 2
    capsys.readouterr()
    assert main(["tasks", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {"prostate_mri_nl", "pathology_tissue_nl", "radiology_findings_nl"} <= {
        t["id"] for t in listed}


def test_user_errors_exit_non_zero_with_one_line(tmp_path, tiny_model, capsys):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "a.txt").write_text("PSA 4")
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    cases = [
        (["--task", "nope", "--model", str(tiny_model), "--out", str(tmp_path / "o1")],
         "Unknown task"),
        (["--task", "prostate_mri_nl", "--model", str(tmp_path / "missing.gguf"),
          "--out", str(tmp_path / "o2")], "not found"),
        (["--task", "prostate_mri_nl", "--model", str(tiny_model), "--out", str(blocker)],
         "Cannot write to the output folder"),
        (["--task", "prostate_mri_nl", "--model", str(tiny_model), "--out", str(blocker / "x")],
         "Cannot write to the output folder"),
    ]
    for args, message in cases:
        code = main(["extract", "--input", str(folder), *args])
        err = capsys.readouterr().err.strip()
        assert code == 2
        errors = [line for line in err.splitlines() if line.startswith("pluk: error:")]
        assert len(errors) == 1 and message in errors[0]
        assert "Checking the model file" not in err  # failed before any slow step


def test_inspect_model(tiny_model, capsys):
    assert main(["inspect-model", str(tiny_model), "--json"]) == 0
    facts = json.loads(capsys.readouterr().out)
    assert facts["architecture"] == "llama" and facts["chat_template"] is True
    assert len(facts["sha256"]) == 64 and facts["parameters"] > 0
