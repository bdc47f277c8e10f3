"""run_job, the one orchestrator: the manifest holds the one options model (and a caller's own
sections), answers reused from an earlier run count as this run's, and a run with nothing left
to do never loads the model."""

from __future__ import annotations

import json

from pluk.core.extraction.job import check_model, run_job
from pluk.core.options import DecodingOptions, ReadingOptions, RunOptions
from pluk.core.readers.reports import Report
from pluk.core.runs.folder import RunFolder
from pluk.core.tasks import load_task


def _reports(n: int) -> list[Report]:
    return [Report.from_text(id=f"r{i}", source="mem", format="txt", text=f"PSA {i}.")
            for i in range(n)]


def _run(tiny_model, out, reports, options=None, **kwargs):
    said: list[str] = []
    result = run_job(load_task("prostate_mri_nl"), reports, tiny_model, out,
                     options or RunOptions(decoding=DecodingOptions(probabilities=False)),
                     on_status=said.append, **kwargs)
    return result, said


def test_the_manifest_holds_the_options_and_a_callers_sections(tiny_model, tmp_path):
    options = RunOptions(decoding=DecodingOptions(seed=11, temperature=0.4,
                                                  probabilities=False))
    result, said = _run(tiny_model, tmp_path / "run", _reports(1), options,
                        manifest_options={"dragon": {"shots": 0}})
    assert result.status == "finished" and result.n_ctx is not None
    saved = json.loads((tmp_path / "run" / "manifest.json").read_text())["options"]
    assert RunOptions.from_saved(saved) == options
    assert saved["decoding"]["seed"] == 11 and saved["dragon"] == {"shots": 0}
    assert saved["context_plan"]["n_ctx"] == result.n_ctx
    assert any(s.startswith("Loading the model") for s in said)


def test_a_run_with_nothing_left_to_do_does_not_load_the_model(tiny_model, tmp_path):
    reports = _reports(2)
    first, _ = _run(tiny_model, tmp_path / "run", reports)
    assert first.counts["total"] == 2
    again, said = _run(tiny_model, tmp_path / "run", reports, resume=True)
    assert again.status == "finished" and again.counts == first.counts
    assert again.n_ctx is None
    assert not any(s.startswith(("Counting tokens", "Loading the model")) for s in said)
    assert (tmp_path / "run" / "results.csv").is_file()


def test_reused_answers_are_appended_and_count_toward_the_limit(tiny_model, tmp_path):
    reports = _reports(4)
    limited = RunOptions(reading=ReadingOptions(limit=2),
                         decoding=DecodingOptions(probabilities=False))
    first, _ = _run(tiny_model, tmp_path / "a", reports, limited)
    records = RunFolder(first.run_dir).records()
    assert [r.id for r in records] == ["r0", "r1"]
    checked = check_model(tiny_model)
    reused, said = _run(tiny_model, tmp_path / "b", reports, limited, reuse_records=records,
                        checked=checked)
    assert RunFolder(reused.run_dir).records() == records
    assert reused.n_ctx is None and "Checking the model file" not in said
    # Without a limit the rest are run, and the reused answers are not run again.
    rest, said = _run(tiny_model, tmp_path / "c", reports, reuse_records=records,
                      checked=checked)
    assert [r.id for r in RunFolder(rest.run_dir).records()] == ["r0", "r1", "r2", "r3"]
    assert RunFolder(rest.run_dir).records()[:2] == records
    assert rest.n_ctx is not None


def test_each_report_is_tokenized_once(tiny_model, tmp_path, monkeypatch):
    """The context plan counts each report's tokens and the run takes those very tokens: no
    report text goes through the tokenizer twice (a spy around the real tokenizer)."""
    from pluk.core.engine.model import Model

    reports = _reports(3)
    texts = {r.text for r in reports}
    seen: list[str] = []
    real = Model.tokenize

    def counting(self, text, **kwargs):
        if text in texts:
            seen.append(text)
        return real(self, text, **kwargs)

    monkeypatch.setattr(Model, "tokenize", counting)
    result, _ = _run(tiny_model, tmp_path / "run", reports)
    assert result.counts["total"] == 3
    assert sorted(seen) == sorted(texts)
