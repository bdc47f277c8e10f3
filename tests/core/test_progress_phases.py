"""Signs of life during a report: the progress snapshots say when the model reads a report
(with its prompt tokens) and writes the answer (with the tokens so far), before the first
report is done; the time left is known from the first finished report on."""

from __future__ import annotations

from pluk.core.extraction.job import run_job
from pluk.core.options import DecodingOptions, RunOptions
from pluk.core.progress import Progress
from pluk.core.readers.reports import Report
from pluk.core.tasks import load_task


def test_the_first_report_shows_its_phases_and_tokens(tiny_model, tmp_path):
    reports = [Report.from_text(id=f"r{i}", source="mem", format="txt",
                                text=f"MRI prostaat: PSA {i},2 ng/ml, PI-RADS 4.")
               for i in range(3)]
    seen: list[Progress] = []
    said: list[str] = []
    result = run_job(load_task("prostate_mri_nl"), reports, tiny_model, tmp_path / "run",
                     RunOptions(decoding=DecodingOptions(probabilities=False)),
                     on_status=said.append, on_progress=seen.append)
    assert result.status == "finished"
    assert any(s.startswith("Loading the model") for s in said)
    first = [p for p in seen if p.done == 0]
    reading = [p for p in first if p.phase == "prompt"]
    writing = [p for p in first if p.phase == "answer"]
    assert reading and reading[0].phase_tokens > 0 and reading[0].current_id == "r0"
    assert writing and max(p.phase_tokens for p in writing) > 0
    assert all(p.eta_seconds is None for p in first)  # nothing to go on yet
    done_one = next(p for p in seen if p.done == 1)
    assert done_one.eta_seconds is not None and done_one.phase is None
    assert seen[-1].done == 3
