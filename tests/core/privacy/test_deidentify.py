"""`pluk deidentify` and --pseudonymise on Dutch letters the suite writes: no identifier of
deduce's categories remains (in the copies, or in what a real HTTP server receives), the
clinical values do, the placeholders are consistent, and evidence maps back onto the original
text. deduce is real (its lookup cache loads once per process, seconds)."""

from __future__ import annotations

import json

import pytest

from pluk import cli
from pluk.core.extraction.job import run_job
from pluk.core.options import PrivacyOptions, RunOptions, ServerOptions
from pluk.core.privacy.pseudonymise import PATIENT, pseudonymise
from pluk.core.privacy.runs import RunPseudonymiser
from pluk.core.readers.reports import Report
from pluk.core.runs.folder import RunFolder
from pluk.core.runs.records import Evidence, Record
from pluk.core.tasks import load_task
from tests.support.dutch_letters import CLINICAL, letters, valid_bsn
from tests.support.fake_openai import LLAMA_SERVER, json_server

pytest.importorskip("deduce")


def _identifiers(letter) -> list[str]:
    return [value for values in letter.identifiers.values() for value in values]


def test_the_suite_writes_valid_bsns():
    import random

    bsn = valid_bsn(random.Random(1))
    assert len(bsn) == 9 and sum(int(d) * w for d, w in zip(bsn, range(9, 1, -1))) % 11 == \
        int(bsn[-1])


def test_deidentify_leaves_no_identifier_and_keeps_the_clinical_values(tmp_path):
    source = tmp_path / "letters"
    source.mkdir()
    written = letters(12)
    for i, letter in enumerate(written):
        (source / f"brief{i}.txt").write_text(letter.text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["deidentify", str(source), "--out", str(out)]) == 0
    for i, letter in enumerate(written):
        copy = (out / f"brief{i}.txt").read_text(encoding="utf-8")
        for identifier in _identifiers(letter):
            assert identifier not in copy, (identifier, copy)
        for value in CLINICAL:
            assert value in copy
        assert copy.count(PATIENT) == 2  # the "Betreft:" line and the later "Dhr./Mevr."
    summary = (out / "deidentify_summary.json").read_text(encoding="utf-8")
    data = json.loads(summary)
    assert data["reports"] == 12 and data["replaced"]["bsn"] == 12
    assert data["replaced"]["patient"] == 24 and data["replaced"]["persoon"] == 12
    for letter in written:  # counts only: no report text in the summary
        for identifier in _identifiers(letter):
            assert identifier not in summary


def test_a_person_seen_twice_keeps_one_placeholder_and_offsets_map_both_ways():
    text = ("Betreft: mw. A. de Vries\nBesproken met dr. P. Jansen op de poli. Daarna belt "
            "dr. Jansen haar terug; mevrouw De Vries stemt in. PSA 9,7.")
    done = pseudonymise(text)
    assert done.text.count(PATIENT) == 2 and done.text.count("[PERSOON-1]") == 2
    assert "[PERSOON-2]" not in done.text
    at = done.text.index("PSA 9,7")
    start, end = done.span_to_original(at, at + 7)
    assert text[start:end] == "PSA 9,7"
    assert done.span_to_pseudonymised(start, end) == (at, at + 7)
    first = done.text.index(PATIENT)
    start, end = done.span_to_original(first, first + len(PATIENT))
    assert text[start:end] == "mw. A. de Vries"


def test_a_records_evidence_is_mapped_back_onto_the_original_text():
    letter = letters(1, start=5)[0]
    report = Report.from_text(id="a", source="mem", format="txt", text=letter.text)
    privacy = RunPseudonymiser()
    seen = privacy.report(report)
    assert seen.sha256 == report.sha256 and seen.text != report.text
    at = seen.text.index("PI-RADS 4")
    name = seen.text.index(PATIENT)
    record = Record(id="a", source="mem", sha256=report.sha256, status="ok", fields={},
                    evidence={"pirads": Evidence(quote="PI-RADS 4", start=at, end=at + 9,
                                                 status="exact"),
                              "name": Evidence(quote=PATIENT, start=name,
                                               end=name + len(PATIENT), status="exact")})
    back = privacy.record(record)
    for evidence in back.evidence.values():
        assert report.text[evidence.start:evidence.end] == evidence.quote
    assert back.evidence["pirads"].quote == "PI-RADS 4"
    assert letter.identifiers["persoon"][0] in back.evidence["name"].quote


@pytest.mark.parametrize("switch", [None, False])
def test_a_server_run_receives_no_identifier_unless_switched_off(tmp_path, switch):
    written = letters(3, start=20)
    reports = [Report.from_text(id=f"r{i}", source="mem", format="txt", text=letter.text)
               for i, letter in enumerate(written)]
    with json_server(LLAMA_SERVER) as (url, bodies):
        options = RunOptions(server=ServerOptions(url=url, retries=0),
                             privacy=PrivacyOptions(pseudonymise=switch))
        result = run_job(load_task("prostate_mri_nl"), reports, None, tmp_path / "run",
                         options)
    assert result.counts["total"] == 3 and len(bodies) == 3
    sent = json.dumps(bodies, ensure_ascii=False)
    manifest = RunFolder(tmp_path / "run").read_manifest().options["pseudonymisation"]
    if switch is None:  # the default with a server
        for letter in written:
            for identifier in _identifiers(letter):
                assert identifier not in sent, identifier
        for value in CLINICAL:
            assert value in sent
        assert manifest["on"] and not manifest["switched_off"]
        assert manifest["replaced"]["bsn"] == 3
    else:
        assert written[0].identifiers["bsn"][0] in sent  # as written: the user's choice
        assert manifest == {"on": False, "default": True, "switched_off": True}
