"""The checkable claims of docs/privacy.md: a pseudonymising run on a local model and `pluk
deidentify` open no network connection (every connect attempt is refused and recorded), and
they write nothing outside their output folder and the user folders (PLUK_HOME); the run's
records point their evidence into the original text; the pack names what it must."""

from __future__ import annotations

from pathlib import Path

import pytest

from pluk import cli
from pluk.core.extraction.job import run_job
from pluk.core.options import PrivacyOptions, RunOptions
from pluk.core.readers.reports import Report
from pluk.core.runs.folder import RunFolder
from pluk.core.tasks import load_task
from tests.support.dutch_letters import letters
from tests.support.network_guard import no_network

pytest.importorskip("deduce")
PACK = Path(__file__).resolve().parents[3] / "docs" / "privacy.md"


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def test_deidentify_and_a_pseudonymised_local_run_use_no_network_and_write_only_their_folders(
        tmp_path, tiny_model, monkeypatch):
    home, work = tmp_path / "home", tmp_path / "cwd"
    work.mkdir()
    monkeypatch.setenv("PLUK_HOME", str(home))
    monkeypatch.chdir(work)
    source = tmp_path / "letters"
    source.mkdir()
    written = letters(2, start=40)
    for i, letter in enumerate(written):
        (source / f"b{i}.txt").write_text(letter.text, encoding="utf-8")
    before = _files(tmp_path)
    reports = [Report.from_text(id=f"r{i}", source="mem", format="txt", text=letter.text)
               for i, letter in enumerate(written)]
    with no_network() as attempts:
        assert cli.main(["deidentify", str(source), "--out", str(tmp_path / "copies")]) == 0
        result = run_job(load_task("prostate_mri_nl"), reports, tiny_model, tmp_path / "run",
                         RunOptions(privacy=PrivacyOptions(pseudonymise=True)))
    assert attempts == [] and result.status == "finished"
    new = _files(tmp_path) - before
    allowed = (tmp_path / "copies", tmp_path / "run", home)
    assert new and all(any(p.is_relative_to(a) for a in allowed) for p in new), new
    assert not any(work.iterdir())
    folder = RunFolder(tmp_path / "run")
    assert folder.read_manifest().options["pseudonymisation"]["on"] is True
    for record, report in zip(folder.records(), reports):
        for evidence in record.evidence.values():
            if evidence.status != "not_found":
                assert report.text[evidence.start:evidence.end] == evidence.quote


def test_the_privacy_pack_names_what_a_privacy_officer_asks_for():
    text = PACK.read_text(encoding="utf-8")
    for heading in ("Data flow", "Network connections", "DPIA", "Threat model",
                    "Verify that no network is used", "```mermaid"):
        assert heading in text, heading
    # The commands and options it tells a hospital to use exist.
    parser = cli.build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for command in ("deidentify", "extract", "export", "self-test"):
        assert command in commands and f"pluk {command}" in text
    assert "--pseudonymise" in text and "--no-pseudonymise" in text
    assert "HF_HUB_OFFLINE" in text and "manifest.json" in text and "records.jsonl" in text


def test_the_html_of_a_pseudonymised_run_shows_no_identifier_unless_asked(tmp_path,
                                                                          tiny_model):
    source = tmp_path / "letters"
    source.mkdir()
    letter = letters(1, start=60)[0]
    (source / "b.txt").write_text(letter.text, encoding="utf-8")
    from pluk.core.readers import read_inputs

    run_job(load_task("prostate_mri_nl"), read_inputs([str(source)]), tiny_model,
            tmp_path / "run", RunOptions(privacy=PrivacyOptions(pseudonymise=True)),
            inputs=[str(source)])
    bsn = letter.identifiers["bsn"][0]
    for name, extra in (("plain.html", []), ("text.html", ["--report-text"])):
        assert cli.main(["export", str(tmp_path / "run"), "--out", str(tmp_path / name),
                         *extra]) == 0
    plain = (tmp_path / "plain.html").read_text(encoding="utf-8")
    for values in letter.identifiers.values():
        for value in values:
            assert value not in plain, value
    assert "[PATIENT]" in plain and "PSA 9,7" in plain
    assert bsn in (tmp_path / "text.html").read_text(encoding="utf-8")
