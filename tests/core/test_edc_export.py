"""Runs of tasks imported from a data dictionary, written as REDCap's and Castor's import files:
codes for labels, 0/1 checkbox columns, dates, empty cells for null, reviewed values; checked
cell by cell against the dictionary by tests/support/edc_check.py, which reads the dictionary
itself. The last test does it for a real extraction with SmolLM2."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from pluk.cli import main
from pluk.core.errors import PlukError
from pluk.core.extraction.run_export import export_run
from pluk.core.runs.reviews import Review, ReviewLog
from pluk.core.runs.folder import RunFolder
from pluk.core.tasks import load_task
from pluk.core.tasks.castor import import_castor
from pluk.core.tasks.redcap import import_redcap
from pluk.core.runs.edc_export import plain_number
from tests.support.edc_check import problems
from tests.support.edc_dictionaries import make_run, write_castor, write_redcap, write_reports

VALUES_A = {"age": 67, "sex": "Male", "diagnosis_date": "2024-02-03", "smoker": True,
            "history": "=cmd|' /C calc'!A0", "psa": 8.4, "gleason": "GG2",
            "biopsy_date": "2024-01-28", "report_date": None, "sites": ["Left lobe", "Apex"],
            "margin": False, "tumour_type": "adenocarcinoma"}
VALUES_B = {**{k: None for k in VALUES_A}, "sex": "Female", "smoker": False, "margin": True,
            "biopsy_date": "28 Jan 2024", "report_date": "2024-02-30", "sites": [],
            "psa": 1e-05}


def _read(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=delimiter))


@pytest.fixture()
def redcap_run(tmp_path):
    dictionary = write_redcap(tmp_path / "study.csv")
    task, _ = import_redcap(dictionary)
    return dictionary, make_run(tmp_path, task, [VALUES_A, VALUES_B, None])


def test_redcap_import_file_has_codes_checkbox_columns_and_dates(tmp_path, redcap_run):
    dictionary, run = redcap_run
    notes: list[str] = []
    out, count = export_run(run, tmp_path / "import.csv", "redcap", notes=notes)
    assert count == 2
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == ["record_id", "age", "sex", "diagnosis_date", "smoker", "history", "psa",
                      "gleason", "biopsy_date", "report_date", "sites___1", "sites___2",
                      "sites___3", "sites___99", "margin", "tumour_type"]
    a, b = _read(out)
    assert a == {"record_id": "rep0.txt", "age": "67", "sex": "1",
                 "diagnosis_date": "2024-02-03", "smoker": "1",
                 "history": "=cmd|' /C calc'!A0", "psa": "8.4", "gleason": "2",
                 "biopsy_date": "2024-01-28", "report_date": "", "sites___1": "1",
                 "sites___2": "0", "sites___3": "1", "sites___99": "0", "margin": "0",
                 "tumour_type": "adenocarcinoma"}
    # null is empty; an empty checkbox list is all 0; a date not written YYYY-MM-DD, or not a
    # real date, is left empty with a note, never guessed
    assert (b["age"], b["sex"], b["smoker"], b["margin"], b["psa"]) == ("", "2", "0", "1",
                                                                         "0.00001")
    assert [b[f"sites___{c}"] for c in ("1", "2", "3", "99")] == ["0"] * 4
    assert b["biopsy_date"] == b["report_date"] == ""
    assert any("'biopsy_date': 1 value left empty" in n for n in notes)
    assert any("'report_date': 1 value left empty" in n for n in notes)
    assert any("1 report without values (status error) left out" in n for n in notes)
    assert problems(dictionary, out) == []


def test_the_independent_check_catches_what_redcap_refuses(tmp_path, redcap_run):
    dictionary, run = redcap_run
    out, _ = export_run(run, tmp_path / "import.csv", "redcap")
    text = out.read_text(encoding="utf-8")
    broken = tmp_path / "broken.csv"
    broken.write_text(text.replace(",67,1,2024-02-03,", ",167,Male,03-02-2024,"),
                      encoding="utf-8")
    found = problems(dictionary, broken)
    assert any("age='167': above the maximum" in p for p in found)
    assert any("sex='Male': not one of the codes" in p for p in found)
    assert any("diagnosis_date='03-02-2024': not a date" in p for p in found)


def test_reviewed_values_and_only_reviewed_ones(tmp_path, redcap_run):
    dictionary, run = redcap_run
    records = RunFolder(run).records()
    log = ReviewLog(run)
    log.append(Review(record_id="rep0.txt", sha256=records[0].sha256, field="gleason",
                      verdict="corrected", model_value="GG2", value="GG3",
                      time="2026-12-04T10:00:00"))
    log.append(Review(record_id="rep0.txt", sha256=records[0].sha256, field="sites",
                      verdict="rejected", model_value=["Left lobe", "Apex"], reason="incorrect",
                      time="2026-12-04T10:00:01"))
    after, count = export_run(run, tmp_path / "after.csv", "redcap")
    a, _ = _read(after)
    assert count == 2 and a["gleason"] == "3" and a["age"] == "67"
    assert [a[f"sites___{c}"] for c in ("1", "2", "3", "99")] == [""] * 4
    only, count = export_run(run, tmp_path / "only.csv", "redcap", reviewed_only=True)
    (row,) = _read(only)
    assert count == 1 and row["record_id"] == "rep0.txt" and row["gleason"] == "3"
    assert all(v == "" for k, v in row.items() if k not in ("record_id", "gleason"))
    assert problems(dictionary, after) == [] and problems(dictionary, only) == []


def test_castor_import_file(tmp_path):
    structure, options = write_castor(tmp_path / "castor")
    task, _ = import_castor(structure, options)
    run = make_run(tmp_path, task, [{"pat_psa": 15.0, "pat_gleason": "GG3",
                                 "pat_sites": ["Apex, base"], "pat_date": "2023-11-02",
                                 "pat_type": "acinar; adenocarcinoma", "pat_notes": None,
                                 "pat_year": 2023}])
    out, count = export_run(run, tmp_path / "castor.csv", "castor")
    assert count == 1
    (row,) = _read(out, ";")
    assert row == {"Participant Id": "rep0.txt", "pat_psa": "15", "pat_gleason": "3",
                   "pat_sites#Leftlobe": "0", "pat_sites#Rightlobe": "0",
                   "pat_sites#Apexbase": "1", "pat_date": "02-11-2023",
                   "pat_type": "acinar; adenocarcinoma", "pat_notes": "", "pat_year": "2023"}


def test_the_command_and_its_refusals(tmp_path, redcap_run, capsys):
    _, run = redcap_run
    assert main(["export", str(run), "--format", "redcap", "--out",
                 str(tmp_path / "r.csv")]) == 0
    err = capsys.readouterr().err
    assert "wrote 2 rows (redcap)" in err and "pluk: note: 'biopsy_date'" in err
    assert main(["export", str(run), "--format", "castor", "--out",
                 str(tmp_path / "c.csv")]) == 2
    assert "imported from a REDCap dictionary: export it with --format redcap" in (
        capsys.readouterr().err)
    assert main(["export", str(run), "--format", "redcap", "--out",
                 str(tmp_path / "r.xlsx")]) == 2  # a workbook's name on a CSV
    assert "give --out r.csv" in capsys.readouterr().err
    plain = make_run(tmp_path / "plain", load_task("prostate_mri_nl"), [None])
    with pytest.raises(PlukError, match="was not imported from a data dictionary"):
        export_run(plain, tmp_path / "p.csv", "redcap")


def test_plain_numbers():
    assert [plain_number(v) for v in (27.0, 9.7, 1e-05, 12, 1e16, -0.5)] == [
        "27", "9.7", "0.00001", "12", "10000000000000000", "-0.5"]


def test_a_real_extraction_exports_what_redcap_accepts(tmp_path, smollm2_model, capsys):
    dictionary = write_redcap(tmp_path / "study.csv")
    task_file = tmp_path / "study.json"
    assert main(["tasks", "import-redcap", str(dictionary), "--out", str(task_file)]) == 0
    reports = write_reports(tmp_path / "reports")
    run = tmp_path / "run"
    assert main(["extract", "--task", str(task_file), "--input", str(reports), "--model",
                 str(smollm2_model), "--out", str(run)]) == 0
    out = tmp_path / "redcap_import.csv"
    assert main(["export", str(run), "--format", "redcap", "--out", str(out)]) == 0
    rows = _read(out)
    assert sorted(r["record_id"] for r in rows) == ["patient_a.txt", "patient_b.txt",
                                                    "patient_c.txt"]
    assert problems(dictionary, out) == []
    assert any(v for row in rows for k, v in row.items() if k != "record_id")
    # The file holds the run's values, coded: every answered choice is its code.
    records = {r.id: r for r in RunFolder(run).records()}
    codes = {"sex": {"Male": "1", "Female": "2"},
             "gleason": {f"GG{n}": str(n) for n in range(1, 6)}}
    for row in rows:
        fields = records[row["record_id"]].fields
        for name, table in codes.items():
            assert row[name] == (table[fields[name]] if fields[name] is not None else "")
    castor_out = tmp_path / "castor_import.csv"
    structure, options = write_castor(tmp_path / "castor")
    assert main(["tasks", "import-castor", str(structure), "--option-groups", str(options),
                 "--out", str(tmp_path / "castor.json")]) == 0
    assert main(["extract", "--task", str(tmp_path / "castor.json"), "--input", str(reports),
                 "--model", str(smollm2_model), "--out", str(tmp_path / "crun")]) == 0
    assert main(["export", str(tmp_path / "crun"), "--format", "castor", "--out",
                 str(castor_out)]) == 0
    for row in _read(castor_out, ";"):
        assert row["pat_gleason"] in ("", "1", "2", "3")
        assert row["pat_date"] == "" or re.match(r"^\d{2}-\d{2}-\d{4}$", row["pat_date"])
        assert all(row[c] in ("0", "1", "") for c in row if c.startswith("pat_sites#"))
        assert row["pat_year"] == "" or re.match(r"^-?\d+$", row["pat_year"])
