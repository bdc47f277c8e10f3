"""Run folders (manifest, append-only records, resume after a kill) and the exports."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from pluk.core.runs import export
from pluk.core.errors import RunFolderError
from pluk.core.runs.records import Record
from pluk.core.runs.folder import RunFolder
from pluk.core.tasks import load_task

REPO = Path(__file__).resolve().parents[2]


def _write_reports(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"verslag_{i:03d}.txt").write_text(
            f"MRI prostaat {i}. PSA {i % 9 + 1},{i % 7} ng/ml. Volume {30 + i} cc. "
            f"PI-RADS {i % 5 + 1} laesie in de perifere zone.", encoding="utf-8")


def _extract(model: Path, inputs: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pluk.cli", "extract", "--task", "prostate_mri_nl",
         "--input", str(inputs), "--model", str(model), "--out", str(out), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=os.environ.copy())


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_kill_and_resume_gives_every_report_once_like_an_uninterrupted_run(tmp_path, tiny_model):
    reports = tmp_path / "reports"
    _write_reports(reports, 40)
    full = _extract(tiny_model, reports, tmp_path / "full")
    assert full.wait(timeout=300) == 0, full.stderr.read()

    run = tmp_path / "killed"
    proc = _extract(tiny_model, reports, run)
    records = run / "records.jsonl"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if records.exists() and len(records.read_text().splitlines()) >= 5:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    # Read as resume reads it: the kill may land mid-write and leave a torn last line.
    killed_count = len(RunFolder(run).records())
    assert 5 <= killed_count < 40, "the kill must land mid-run"
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "running"  # what a crash leaves behind

    resumed = _extract(tiny_model, reports, run, "--resume")
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
    lines = _lines(records)
    ids = [r["id"] for r in lines]
    assert len(ids) == len(set(ids)) == 40
    full_lines = {r["id"]: r for r in _lines(tmp_path / "full" / "records.jsonl")}
    assert set(ids) == set(full_lines)
    assert {i: (r["status"], r["fields"]) for i, r in ((r["id"], r) for r in lines)} == {
        i: (r["status"], r["fields"]) for i, r in full_lines.items()}
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["status"] == "finished" and len(manifest["resumed_at"]) == 1
    assert manifest["counts"]["total"] == 40


def test_resume_refuses_a_different_task_and_a_fresh_run_refuses_a_used_folder(
        tmp_path, tiny_model):
    reports = tmp_path / "reports"
    _write_reports(reports, 2)
    first = _extract(tiny_model, reports, tmp_path / "run")
    assert first.wait(timeout=120) == 0
    again = _extract(tiny_model, reports, tmp_path / "run")
    assert again.wait(timeout=120) == 2
    assert "already holds a run" in again.stderr.read()
    other = subprocess.run(
        [sys.executable, "-m", "pluk.cli", "extract", "--task", "pathology_tissue_nl", "--input",
         str(reports), "--model", str(tiny_model), "--out", str(tmp_path / "run"), "--resume"],
        capture_output=True, text=True)
    assert other.returncode == 2 and "different task" in other.stderr


def test_a_partial_last_line_is_dropped_on_resume(tmp_path):
    folder = RunFolder(tmp_path)
    record = Record(id="a", source="s", sha256="x", status="ok", fields={})
    folder.append(record)
    with folder.records_path.open("a") as fh:
        fh.write('{"id": "b", "sou')  # a kill in the middle of a write
    assert [r.id for r in folder.records()] == ["a"]
    folder._drop_damaged_tail()
    assert folder.records_path.read_text().count("\n") == 1


def test_a_damaged_manifest_is_a_clear_error(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(RunFolderError, match="damaged"):
        RunFolder(tmp_path).read_manifest()


def _records():
    return [
        Record(id="1", source="a.txt", sha256="x", status="ok",
               fields={"modality": "CT", "findings": [{"finding": "=HYPERLINK(\"x\")",
                       "location": "long", "size_mm": 4.0, "new": True}],
                       "follow_up_recommended": False}),
        Record(id="2", source="b.txt", sha256="y", status="error", error="empty file"),
        Record(id="3", source="c.txt", sha256="z", status="ok",
               fields={"modality": "-MRI", "findings": [], "follow_up_recommended": True},
               warnings=["@note"]),
    ]


def test_csv_export_opens_with_the_csv_module_dutch_excel_style(tmp_path):
    task = load_task("radiology_findings_nl")
    path = export.write_csv(tmp_path / "r.csv", task, _records(), delimiter=";")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert list(rows[0])[:5] == ["id", "source", "status", "error", "warnings"]
    assert json.loads(rows[0]["findings"])[0]["finding"] == '=HYPERLINK("x")'  # inside JSON text
    assert rows[2]["modality"] == "'-MRI" and rows[2]["warnings"] == "'@note"
    assert rows[1]["status"] == "error" and rows[1]["error"] == "empty file"


def test_nested_objects_flatten_into_dotted_columns(tmp_path):
    from pluk.core.tasks.loader import parse_task

    task = parse_task({"id": "n", "title": "t", "description": "d", "fields": [
        {"name": "lesion", "type": "object", "fields": [
            {"name": "site", "type": "string"}, {"name": "size", "type": "float"}]}]}, "m")
    records = [Record(id="1", source="s", sha256="x", status="ok",
                      fields={"lesion": {"site": "=cmd", "size": -2.5}})]
    path = export.write_csv(tmp_path / "n.csv", task, records)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["lesion.site"] == "'=cmd"
    assert row["lesion.size"] == "-2.5"  # a number is not a formula
    as_json = export.write_csv(tmp_path / "j.csv", task, records, nested="json")
    with as_json.open(encoding="utf-8-sig", newline="") as fh:
        assert json.loads(next(csv.DictReader(fh))["lesion"]) == {"site": "=cmd", "size": -2.5}


def test_xlsx_and_json_exports_hold_every_record(tmp_path):
    task = load_task("radiology_findings_nl")
    records = _records()
    sheet = load_workbook(export.write_xlsx(tmp_path / "r.xlsx", task, records))["results"]
    values = list(sheet.values)
    assert values[0][:3] == ("id", "source", "status") and len(values) == 4
    assert values[3][values[0].index("modality")] == "-MRI"  # a text cell: no apostrophe
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    data = json.loads(export.write_json(tmp_path / "r.json", task, records).read_text())
    assert [r["id"] for r in data["records"]] == ["1", "2", "3"]


def test_csv_numbers_and_yes_no_as_a_spreadsheet_in_the_locale_reads_them(tmp_path):
    """yes/no in words, numbers in their shortest exact form, the decimal mark asked for; a
    negative number stays a number (no apostrophe), text is neutralised as before."""
    from pluk.core.tasks.loader import parse_task

    task = parse_task({"id": "n", "title": "t", "description": "d", "fields": [
        {"name": "psa", "type": "float"}, {"name": "count", "type": "int"},
        {"name": "abnormal", "type": "bool"}, {"name": "note", "type": "string"}]}, "m")
    records = [Record(id="1", source="s", sha256="x", status="ok",
                      fields={"psa": 9.7, "count": 2, "abnormal": True, "note": "-x"}),
               Record(id="2", source="s", sha256="y", status="ok",
                      fields={"psa": -27.0, "count": None, "abnormal": False, "note": None})]

    def read(path, delimiter):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [(r["psa"], r["count"], r["abnormal"], r["note"])
                    for r in csv.DictReader(fh, delimiter=delimiter)]

    plain = export.write_csv(tmp_path / "plain.csv", task, records, delimiter=";")
    assert read(plain, ";") == [("9.7", "2", "yes", "'-x"), ("-27", "", "no", "")]
    dutch = export.write_csv(tmp_path / "nl.csv", task, records, delimiter=";", decimal=",",
                             booleans=("ja", "nee"))
    assert read(dutch, ";") == [("9,7", "2", "ja", "'-x"), ("-27", "", "nee", "")]
    assert export.number_text(0.1 + 0.2) == "0.30000000000000004"  # exact, never rounded
    assert export.number_text(1e-7, ",") == "1e-07"
