"""Validation of a run against a labelled table: hand-computed metrics, nulls, CIs, reports."""

from __future__ import annotations

import argparse
import copy
import json
import os
from pathlib import Path

import numpy as np
import pytest

from pluk.commands import evaluate as evaluate_command
from pluk.core.dragon.metrics import cohen_kappa
from pluk.core.runs.records import Record
from pluk.core.runs.folder import ModelFacts, RunFolder, RunManifest
from pluk.core.tasks import task_sha256
from pluk.core.tasks.loader import parse_task
from pluk.core.validation.evaluate import (
    NULL, ValidationError, categorical_metrics, confusion_stats, numeric_metrics, read_table,
    render_markdown, validate_run, write_report,
)
from pluk.core.validation.result import ValidationReport

TASK = {
    "id": "validation_demo",
    "title": "Validation demo",
    "description": "Fields of every comparable kind.",
    "language": "nl",
    "fields": [
        {"name": "tissue", "type": "enum", "values": ["Biopsy", "Resection", "Excision"]},
        {"name": "malignant", "type": "bool", "optional": True},
        {"name": "psa", "type": "float", "unit": "ng/mL", "optional": True},
        {"name": "site", "type": "string"},
        {"name": "lesion", "type": "object", "fields": [{"name": "count", "type": "int"}]},
        {"name": "tags", "type": "list", "items": {"type": "string"}},
    ],
}


def make_run(tmp_path, records: list[dict]) -> RunFolder:
    task = parse_task(TASK, "demo.json")
    manifest = RunManifest(
        model=ModelFacts(path="/models/tiny.gguf", sha256="ab" * 32, size_bytes=1),
        task=task.model_dump(mode="json"), task_sha256=task_sha256(task))
    folder = RunFolder.start(tmp_path / "run", manifest, resume=False)
    for item in records:
        folder.append(Record(source="x", sha256="0" * 64, **item))
    return folder


def ok(rid, **fields):
    base = {"tissue": "Biopsy", "malignant": False, "psa": 1.0, "site": "long",
            "lesion": {"count": 1}, "tags": []}
    return {"id": rid, "status": "ok", "fields": {**base, **fields}}


# -- metrics by hand -----------------------------------------------------------------------------


def test_categorical_metrics_match_hand_computation():
    # O = [[1, 1], [0, 2]]: accuracy 3/4; kappa: pe = (2*1 + 2*3)/16 = 1/2 -> (3/4-1/2)/(1/2) = 1/2
    # F1(a) = 2*(1*0.5)/(1.5) = 2/3, F1(b) = 2*(2/3*1)/(5/3) = 4/5, macro = 11/15
    result = categorical_metrics(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"],
                                 resamples=0)
    m = result["metrics"]
    assert m["accuracy"]["value"] == pytest.approx(0.75)
    assert m["kappa"]["value"] == pytest.approx(0.5)
    assert m["macro_f1"]["value"] == pytest.approx(11 / 15)
    assert result["confusion"]["matrix"] == [[1, 1], [0, 2]]
    per = {p["label"]: p for p in result["per_label"]}
    assert per["a"]["precision"] == 1.0 and per["a"]["recall"] == 0.5
    assert per["b"]["support"] == 2 and per["b"]["predicted"] == 3


def test_vectorised_kappa_equals_the_dragon_kappa():
    rng = np.random.default_rng(1)
    labels = ["x", "y", "z", NULL]
    for _ in range(20):
        truth = list(rng.choice(labels, 40))
        pred = list(rng.choice(labels, 40))
        k = len(labels)
        matrix = np.zeros((k, k))
        for t, p in zip(truth, pred):
            matrix[labels.index(t), labels.index(p)] += 1
        assert confusion_stats(matrix)["kappa"] == pytest.approx(cohen_kappa(truth, pred))


def test_undefined_kappa_is_none_with_a_reason_not_nan():
    result = categorical_metrics(["a", "a"], ["a", "a"], ["a"], resamples=50)
    assert result["metrics"]["kappa"]["value"] is None
    assert "undefined" in result["metrics"]["kappa"]["note"]
    assert result["metrics"]["accuracy"]["value"] == 1.0


def test_numeric_metrics_count_nulls_instead_of_dropping_them():
    # both numbers: (1, 1.5) and (2, 2): MAE 0.25, mean error 0.25; within 0.5: rows 1, 2 and
    # the both-null row 4 agree, row 3 (a number against null) does not: 3/4
    result = numeric_metrics([1.0, 2.0, 3.0, None], [1.5, 2.0, None, None], 0.5, resamples=0)
    m = result["metrics"]
    assert m["mae"]["value"] == pytest.approx(0.25)
    assert m["mean_error"]["value"] == pytest.approx(0.25)
    assert m["tolerance_accuracy"]["value"] == pytest.approx(0.75)
    assert result["counts"] == {"both_numbers": 2, "both_null": 1, "truth_null_only": 0,
                                "prediction_null_only": 1}


def test_bootstrap_is_seeded_percentile_and_brackets_the_estimate():
    truth = ["a"] * 30 + ["b"] * 30
    pred = ["a"] * 25 + ["b"] * 5 + ["b"] * 27 + ["a"] * 3
    one = categorical_metrics(truth, pred, ["a", "b"], resamples=500, seed=7)["metrics"]
    two = categorical_metrics(truth, pred, ["a", "b"], resamples=500, seed=7)["metrics"]
    assert one == two
    for name in ("accuracy", "kappa", "macro_f1"):
        assert one[name]["ci_low"] <= one[name]["value"] <= one[name]["ci_high"]
        assert one[name]["ci_low"] < one[name]["ci_high"]
    perfect = categorical_metrics(truth, truth, ["a", "b"], resamples=200)["metrics"]
    assert (perfect["accuracy"]["ci_low"], perfect["accuracy"]["ci_high"]) == (1.0, 1.0)


# -- reference tables ----------------------------------------------------------------------------


def test_excel_dutch_csv_with_semicolons_cp1252_and_decimal_commas(tmp_path):
    path = tmp_path / "truth.csv"
    path.write_bytes("id;psa;site\nr1;9,7;longtop\nr2;;café\n".encode("cp1252"))
    columns, rows = read_table(path)
    assert columns == ["id", "psa", "site"]
    assert rows[1]["site"] == "café" and rows[0]["psa"] == "9,7"


def test_xlsx_reference_table(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["ID", "psa"])
    book.active.append([101, 4.5])
    book.save(tmp_path / "t.xlsx")
    columns, rows = read_table(tmp_path / "t.xlsx")
    assert columns == ["ID", "psa"] and rows[0]["ID"] == 101


# -- a whole validation --------------------------------------------------------------------------


@pytest.fixture
def demo(tmp_path):
    folder = make_run(tmp_path, [
        ok("r1", tissue="Biopsy", malignant=True, psa=9.7, site="Long"),
        ok("r2", tissue="Resection", malignant=None, psa=None),
        {"id": "r3", "status": "error", "error": "report too long"},
        {"id": "r4", "status": "invalid", "fields": {**ok("r4")["fields"], "tissue": None},
         "field_errors": {"tissue": "invalid value"}},
        ok("extra"),
    ])
    truth = tmp_path / "truth.csv"
    truth.write_text("Report ID;tissue;malignant;psa;site;lesion.count\n"
                     "r1;Biopsy;ja;9,7;long;1\n"
                     "r2;Resection;nee;;long;2\n"
                     "r3;Excision;nee;4;long;1\n"
                     "r4;biopsy;ja;1,05;lever;1\n"
                     "r5;Biopsy;nee;1;long;1\n", encoding="utf-8-sig")
    return folder, truth


def test_validation_end_to_end(demo):
    folder, truth = demo
    report = validate_run(folder.path, truth, "report id", tolerance=["psa=0.1"], resamples=200)
    assert isinstance(report, ValidationReport)
    cov = report.coverage
    assert (cov.truth_rows, cov.with_record, cov.without_record) == (5, 4, 1)
    assert cov.missing_ids == ["r5"] and cov.records_not_in_truth == 1
    assert cov.matched_record_status == {"ok": 2, "error": 1, "invalid": 1}
    fields = {f.field: f for f in report.fields}
    assert set(fields) == {"tissue", "malignant", "psa", "site", "lesion.count"}
    assert [(s.field, s.reason) for s in report.skipped] == [
        ("tags", "list fields are not compared")]

    tissue = fields["tissue"]  # r1 ok, r2 ok, r3 error -> null, r4 invalid -> null
    assert tissue.n == 4 and tissue.kind == "categorical"
    assert tissue.metrics.accuracy.value == pytest.approx(0.5)
    assert tissue.confusion.labels == ["Biopsy", "Resection", "Excision", NULL]
    assert tissue.confusion.matrix[2][3] == 1 and tissue.confusion.matrix[0][3] == 1
    assert {d.id: d.reason for d in tissue.disagreements} == {"r3": "report too long",
                                                              "r4": "invalid value"}

    malignant = fields["malignant"]  # truth true,false,false,true; pred true,null,null,false
    assert malignant.metrics.accuracy.value == pytest.approx(0.25)
    assert malignant.confusion.labels == ["false", "true", NULL]

    psa = fields["psa"]  # (9.7, 9.7) ok; (null, null) ok; (4, null) no; (1.05, 1.0) within 0.1
    assert psa.kind == "numeric" and psa.confusion is None and psa.counts.both_numbers == 2
    assert psa.metrics.tolerance_accuracy.value == pytest.approx(0.75)
    assert psa.metrics.tolerance_accuracy.tolerance == 0.1
    assert psa.metrics.mae.value == pytest.approx(0.025)
    assert fields["site"].metrics.accuracy.value == pytest.approx(0.5)  # r1 case-folded
    assert fields["lesion.count"].metrics.mae.value == pytest.approx(1 / 3)


def test_report_files_are_written_and_readable(demo, tmp_path):
    folder, truth = demo
    report = validate_run(folder.path, truth, "Report ID", resamples=100)
    md, js = write_report(report, tmp_path / "out")
    written = json.loads(js.read_text(encoding="utf-8"))
    assert written["coverage"]["with_record"] == 4
    assert ValidationReport.model_validate(written) == report  # the file reads back whole
    text = md.read_text(encoding="utf-8")
    for needle in ("## Coverage", "## Summary", "Confusion matrix", "Disagreements",
                   "percentile bootstrap", "tiny.gguf", NULL):
        assert needle in text
    assert render_markdown(report) == text


def test_clear_errors(demo):
    folder, truth = demo
    with pytest.raises(ValidationError, match="id column 'nope' not found"):
        validate_run(folder.path, truth, "nope", resamples=0)
    with pytest.raises(ValidationError, match="no reference id matches"):
        validate_run(folder.path, truth, "psa", resamples=0)
    with pytest.raises(ValidationError, match="no field 'volume'"):
        validate_run(folder.path, truth, "Report ID", columns=["volume"], resamples=0)
    with pytest.raises(ValidationError, match="not compared: size"):
        validate_run(folder.path, truth, "Report ID", tolerance=["size=1"], resamples=0)


def test_a_field_can_be_mapped_to_another_column(demo):
    folder, truth = demo
    report = validate_run(folder.path, truth, "Report ID", columns=["site=tissue"], resamples=0)
    assert [f.truth_column for f in report.fields] == ["tissue"]


def test_cli_command_writes_the_report(demo, tmp_path, capsys):
    folder, truth = demo
    parser = argparse.ArgumentParser()
    evaluate_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["evaluate", str(folder.path), "--truth", str(truth),
                              "--id-column", "Report ID", "--columns", "tissue", "psa",
                              "--tolerance", "0.1", "--resamples", "100"])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "4 of 5 reference rows have a record" in out and "kappa" in out
    assert (folder.path / "validation" / "validation.md").is_file()


# -- the written files keep their format ---------------------------------------------------------

GOLDEN = Path(__file__).parent / "data" / "validation"


def _golden_cases(tmp_path) -> dict[str, object]:
    """Validations that between them write every key validation.json can hold."""
    rich = make_run(tmp_path / "rich", [
        {**ok("r1", tissue="Biopsy", malignant=True, psa=9.7, site="Long"), "probabilities": {
            "tissue": {"Biopsy": 0.875, "Resection": 0.125, "Excision": 0.0},
            "malignant": {"true": 0.75, "false": 0.25}}},
        {**ok("r2", tissue="Resection", malignant=None, psa=None), "probabilities": {
            "tissue": {"Biopsy": 0.5, "Resection": 0.25, "Excision": 0.25}}},
        {"id": "r3", "status": "error", "error": "report too long"},
        {"id": "r4", "status": "invalid", "fields": {**ok("r4")["fields"], "tissue": None},
         "field_errors": {"tissue": "invalid value"}},
        ok("r6", tissue="Excision"),
        ok("extra"),
    ])
    truth = tmp_path / "rich.csv"
    truth.write_text("Report ID;tissue;malignant;psa;site;lesion.count\n"
                     "r1;Biopsy;ja;9,7;long;1\n"
                     "r2;Resection;nee;;long;2\n"
                     "r3;Excision;nee;4;long;1\n"
                     "r4;biopsy;ja;1,05;lever;1\n"
                     "r5;Biopsy;nee;1;long;1\n"
                     "r6;Autopsy;misschien;2;long;3\n"
                     ";Biopsy;nee;1;long;1\n", encoding="utf-8")
    same = make_run(tmp_path / "same", [ok("u1"), ok("u2"), ok("u3")])
    same_truth = tmp_path / "same.csv"
    same_truth.write_text("id,tissue\nu1,Biopsy\nu2,Biopsy\nu3,Biopsy\n", encoding="utf-8")
    return {
        "rich": validate_run(rich.path, truth, "report id", tolerance=["0.5", "psa=0.1"],
                             resamples=50),
        "unanimous": validate_run(same.path, same_truth, "id", columns=["tissue"],
                                  resamples=20),
    }


def _normalised(report: dict, markdown: str) -> tuple[str, str]:
    """Both files with what differs per machine and run (paths, times, versions) blanked."""
    data = copy.deepcopy(report)
    moving = [report["run"]["path"], report["truth"]["path"], report["created_at"],
              report["run"]["started_at"], report["run"]["task_sha256"][:16],
              f"Pluk {report['pluk_version']}"]
    data["created_at"] = data["pluk_version"] = "-"
    data["run"]["path"] = data["run"]["started_at"] = data["run"]["task_sha256"] = "-"
    data["truth"]["path"] = "-"
    for text in sorted(moving, key=len, reverse=True):
        markdown = markdown.replace(text, "-")
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n", markdown


def test_validation_files_keep_their_format(tmp_path):
    # The files a paper's supplement cites: the same keys, in the same order, with the same
    # values as the format of record (tests/core/data/validation). PLUK_UPDATE_GOLDEN=1
    # rewrites those after a deliberate change of format.
    for name, report in _golden_cases(tmp_path).items():
        md, js = write_report(report, tmp_path / name)
        written = json.loads(js.read_text(encoding="utf-8"))
        got_json, got_md = _normalised(written, md.read_text(encoding="utf-8"))
        if os.environ.get("PLUK_UPDATE_GOLDEN"):
            GOLDEN.mkdir(parents=True, exist_ok=True)
            (GOLDEN / f"{name}.json").write_text(got_json, encoding="utf-8")
            (GOLDEN / f"{name}.md").write_text(got_md, encoding="utf-8")
        assert got_json == (GOLDEN / f"{name}.json").read_text(encoding="utf-8"), name
        assert got_md == (GOLDEN / f"{name}.md").read_text(encoding="utf-8"), name
