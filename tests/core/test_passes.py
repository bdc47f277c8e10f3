"""Self-consistency, --passes N (issue 23, item 4): the majority per field with its agreement k
of N, ties null with the reason or the most probable where the task says so, the agreement in
the exports, the review order and the validation's calibration; and a real run from the CLI
with SmolLM2 (real llama.cpp), whose records all carry the agreement."""

from __future__ import annotations

import csv

import pytest

from pluk.cli import main
from pluk.core.extraction.passes import merge_passes
from pluk.core.runs.folder import RunFolder
from pluk.core.runs.records import Evidence, Record
from pluk.core.runs.review_order import review_order
from pluk.core.tasks import load_task
from pluk.core.tasks.loader import parse_task
from pluk.core.validation.evaluate import validate_run
from tests.core.test_validation import make_run, ok
from tests.support.english_mri import reports

TASK = parse_task({
    "id": "t", "title": "t", "description": "d",
    "fields": [{"name": "psa", "type": "float"},
               {"name": "pirads", "type": "enum", "values": ["1", "2", "3", "4", "5"]}]},
    "t.json")


def _pass(psa, pirads, p_pirads=None, errors=None, status="ok") -> Record:
    fields = {"psa": psa, "pirads": pirads}
    probabilities = ({"pirads": {v: (p_pirads if v == pirads else (1 - p_pirads) / 4)
                                 for v in "12345"}} if p_pirads is not None else {})
    evidence = {"psa": Evidence(status="exact", quote=str(psa), start=0, end=1)}
    return Record(id="r", source="r.txt", sha256="0" * 64, status=status, fields=fields,
                  field_errors=errors or {}, probabilities=probabilities, evidence=evidence,
                  raw="{}", tokens_prompt=10, tokens_output=5, seconds=1.0)


def test_the_majority_is_kept_with_its_agreement_and_its_own_evidence():
    record = merge_passes(TASK, [_pass(8.6, "4", 0.6), _pass(8.6, "3", 0.5),
                                 _pass(6.8, "3", 0.7)])
    assert record.fields == {"psa": 8.6, "pirads": "3"}
    assert record.passes == 3 and record.agreement == {"psa": 2, "pirads": 2}
    assert record.probabilities["pirads"]["3"] == pytest.approx(0.5)  # pass 2's, which gave 3
    assert record.evidence["psa"].quote == "8.6"
    assert record.status == "ok" and record.tokens_output == 15


def test_a_tie_is_null_with_the_reason_or_the_most_probable_where_the_task_says():
    passes = [_pass(8.6, "4", 0.55), _pass(6.8, "3", 0.9)]
    record = merge_passes(TASK, passes)
    assert record.fields["pirads"] is None and record.status == "invalid"
    assert record.field_errors["pirads"] == "The passes tie: 1 of 2 each for 4, 3"
    assert record.agreement["pirads"] == 1
    probable = TASK.model_copy(update={"passes_tie": "most_probable"})
    record = merge_passes(probable, passes)
    # mean probability of 3 over the passes: (0.1125 + 0.9) / 2 against 4: (0.55 + 0.025) / 2
    assert record.fields["pirads"] == "3" and record.agreement["pirads"] == 1
    assert any("the passes tie" in w and "3, is kept" in w for w in record.warnings)
    # A number field has no probabilities: the tied value of the earliest pass.
    assert record.fields["psa"] == 8.6


def test_a_failed_pass_gives_no_vote_but_counts_in_n():
    failed = Record(id="r", source="r.txt", sha256="0" * 64, status="error", fields=None,
                    error="The engine failed on this report: boom", seconds=0.1)
    record = merge_passes(TASK, [failed, _pass(8.6, "2", errors={"pirads": "bad"}),
                                 _pass(8.6, "4")])
    assert record.fields == {"psa": 8.6, "pirads": "4"}
    assert record.agreement == {"psa": 2, "pirads": 1}
    assert any(w.startswith("Pass 1 failed: The engine failed") for w in record.warnings)
    everything_failed = merge_passes(TASK, [failed, failed])
    assert everything_failed.status == "error" and everything_failed.passes == 2


def test_low_agreement_goes_first_in_the_review_and_old_records_still_read():
    sure = merge_passes(TASK, [_pass(8.6, "4")] * 3)
    unsure = merge_passes(TASK, [_pass(8.6, "4"), _pass(8.6, "3"), _pass(8.6, "4")])
    assert unsure.agreement["pirads"] == 2
    assert review_order(TASK, [sure, unsure]) == [unsure, sure]
    old = Record.model_validate({"id": "r", "source": "s", "sha256": "h", "status": "ok",
                                 "fields": {"psa": 1.0, "pirads": "1"}, "seconds": 1.0})
    assert old.passes is None and old.agreement is None


def test_the_agreement_of_passes_is_calibrated_beside_the_probabilities(tmp_path):
    def agreed(rid, malignant, k):
        record = ok(rid, tissue="Biopsy", malignant=malignant)
        record.update(passes=5, agreement={"tissue": 5, "malignant": k})
        return record

    folder = make_run(tmp_path, [agreed("r1", True, 5), agreed("r2", False, 3),
                                 agreed("r3", True, 4)])
    truth = tmp_path / "truth.csv"
    truth.write_text("id,tissue,malignant,psa\nr1,Biopsy,true,1\nr2,Biopsy,true,1\n"
                     "r3,Biopsy,true,1\n", encoding="utf-8")
    report = validate_run(folder.path, truth, "id", resamples=50)
    malignant = next(f for f in report.fields if f.field == "malignant")
    (cal,) = [c for c in malignant.calibration if c.source == "agreement"]
    # confidences 1.0 right, 0.6 wrong, 0.8 right: ECE (0 + 0.6 + 0.2) / 3
    assert cal.n == 3 and cal.ece.value == pytest.approx(0.8 / 3)


def test_passes_from_the_cli_with_a_real_model(tmp_path, smollm2_model):
    source = tmp_path / "reports"
    source.mkdir()
    for report in reports()[:2]:
        (source / f"{report.id}.txt").write_text(report.text, encoding="utf-8")
    run = tmp_path / "run"
    assert main(["extract", "--task", "prostate_mri_nl", "--input", str(source), "--model",
                 str(smollm2_model), "--out", str(run), "--passes", "3", "--parallel", "3",
                 "--ctx", "2048"]) == 0
    task = load_task("prostate_mri_nl")
    records = list(RunFolder(run).records())
    assert len(records) == 2
    for record in records:
        assert record.passes == 3
        assert set(record.agreement) == {spec.name for spec in task.fields}
        for name, k in record.agreement.items():
            assert 0 <= k <= 3
            if record.fields[name] is not None and name not in record.field_errors:
                # A value kept from three passes: a majority, or a tie it won by probability.
                assert k >= 2 or task.passes_tie == "most_probable", (name, record)
    with (run / "results.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert all(row["psa:agreement"].endswith(" of 3") for row in rows)
    assert RunFolder(run).read_manifest().options["decoding"]["passes"] == 3
