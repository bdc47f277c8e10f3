"""run_extraction over real report folders with the real llama.cpp and the tiny model."""

from __future__ import annotations

import pytest

from pluk.core.engine.model import Model
from pluk.core.extraction.context import (answer_reserve, output_token_budget, plan_context,
                                          prompt_parts)
from pluk.core.extraction.loop import run_extraction
from pluk.core.options import DecodingOptions, ReadingOptions, RunOptions
from pluk.core.readers import read_inputs
from pluk.core.readers.reports import Report
from pluk.core.tasks import json_schema, load_task, pydantic_model
from pluk.core.tasks.definition import Example
from pluk.core.tasks.loader import parse_task
from tests.support.decoders import open_decoder
from tests.support.records import answered
from tests.support.report_folder import make_mixed_report_folder

RECORD_KEYS = {"id", "source", "sha256", "status", "fields", "error", "warnings", "raw",
               "tokens_prompt", "tokens_output", "seconds"}


@pytest.fixture(scope="module")
def engine(tiny_model):
    with open_decoder(tiny_model, 4096) as eng:
        yield eng


def test_mixed_folder_gives_one_valid_record_per_report(tmp_path, engine):
    expected = make_mixed_report_folder(tmp_path / "reports")
    task = load_task("prostate_mri_nl")
    reports = read_inputs([tmp_path / "reports"])
    progress = []
    records = list(run_extraction(task, reports, engine, on_progress=progress.append))

    assert [r.id for r in records] == [r.id for r in reports]
    assert len(records) == 30
    by_id = {r.id: r for r in records}
    model = pydantic_model(task)
    for good in expected["good"]:
        record = by_id[good]
        assert answered(record), (good, record.error)
        if record.status == "ok":
            model.model_validate(record.fields)
        assert record.raw and record.tokens_prompt and record.tokens_output
    for bad, reason in expected["bad"].items():
        assert by_id[bad].status == "error"
        assert reason.lower() in by_id[bad].error.lower()
        assert by_id[bad].fields is None
    assert RECORD_KEYS <= set(records[0].model_dump())
    assert progress[-1].done == progress[-1].total == 30
    assert progress[-1].ok + progress[-1].invalid == len(expected["good"])
    assert progress[-1].error == len(expected["bad"])
    # The prefix is evaluated once: every report evaluates only its own part.
    model_records = [r for r in records if r.raw is not None]
    assert model_records and all(r.tokens_cached > 0 for r in model_records)
    assert [r.input_index for r in records] == list(range(30))


def test_stop_between_reports_yields_only_finished_records(engine):
    task = load_task("prostate_mri_nl")
    reports = [Report.from_text(id=f"r{i}", source="mem", format="txt", text=f"PSA {i} ng/ml.")
               for i in range(6)]
    seen = []

    def stop():
        return len(seen) >= 2

    for record in run_extraction(task, reports, engine, should_stop=stop):
        seen.append(record)
    assert [r.id for r in seen] == ["r0", "r1"]


def _long_task(policy: str, side: str = "right"):
    data = load_task("prostate_mri_nl").model_dump(mode="json")
    data.update(id=f"long_{policy}", too_long=policy, truncation_side=side)
    return parse_task(data, "memory")


def test_too_long_report_is_an_error_or_truncated_with_a_warning(tiny_model):
    long_text = "Uitgebreid verslag zonder einde. " * 400
    reports = [Report.from_text(id="long", source="mem", format="txt", text=long_text),
               Report.from_text(id="short", source="mem", format="txt", text="PSA 4.")]
    with open_decoder(tiny_model, 3072) as small:
        error_run = list(run_extraction(_long_task("error"), reports, small))
        assert error_run[0].status == "error"
        assert "tokens" in error_run[0].error and "--ctx" in error_run[0].error
        assert answered(error_run[1])
        for side, where in (("right", "end"), ("left", "start")):
            cut = list(run_extraction(_long_task("truncate", side), reports[:1], small))[0]
            assert answered(cut)
            assert any(f"cut from the {where}" in w for w in cut.warnings)


def test_context_plan_fits_the_longest_report_under_the_cap(tiny_model):
    task = load_task("prostate_mri_nl")
    reports = [Report.from_text(id=str(n), source="m", format="txt", text="woord " * n)
               for n in (10, 300)]
    with Model(tiny_model) as tokenizer:
        plan = plan_context(task, reports, tokenizer, ctx_cap=100_000)
        assert plan.n_ctx >= plan.prompt_tokens + plan.longest_report_tokens + plan.output_tokens
        assert plan.n_ctx % 256 == 0 and plan.reports_too_long == 0
        capped = plan_context(task, reports, tokenizer, ctx_cap=1024)
        assert capped.n_ctx == 1024 and capped.reports_too_long >= 1


def _terms_task(examples: list[Example]):
    """A list task whose answer budget (thousands of tokens) is far above the answer's reserve."""
    return parse_task({
        "id": "terms", "title": "Terms", "language": "nl", "examples": [
            e.model_dump() for e in examples],
        "description": "List every medical term in the report, each once.",
        "fields": [{"name": "terms", "type": "list", "max_items": 40,
                    "items": {"type": "string", "max_length": 60}}]}, "memory")


def test_one_planner_counts_too_long_reports_alike_with_examples_per_report(tiny_model):
    example = Example(text="voorbeeld " * 30, answer={"terms": ["voorbeeld"]})
    task = _terms_task([example])
    budget = output_token_budget(json_schema(task))
    assert budget > answer_reserve(budget)
    reports = [Report.from_text(id=str(n), source="m", format="txt", text="woord " * n)
               for n in (10, 100, 200)]
    with Model(tiny_model) as tokenizer:
        for cap in (1024, 2048, 4096):
            shared = plan_context(task, reports, tokenizer, cap)
            per_report = plan_context(task, reports, tokenizer, cap, lambda _r: [example])
            assert per_report == shared
        # Every report fits next to the answer's reserve, though none next to the whole budget.
        assert shared.reports_too_long == 0
        assert all(shared.prompt_tokens + tokenizer.count_tokens(r.text) + budget > shared.n_ctx
                   for r in reports)

        def choose(report: Report) -> list[Example]:
            return [example] if report.id == "200" else []

        plan = plan_context(task, reports, tokenizer, 2048, choose)
        fixed = {}
        for report in reports:
            parts = prompt_parts(task, tokenizer, choose(report))
            fixed[report.id] = len(parts.prefix_tokens) + len(parts.suffix_tokens)
        assert plan.prompt_tokens == max(fixed.values()) > fixed["10"]
        expected = sum(1 for r in reports if fixed[r.id] + tokenizer.count_tokens(r.text)
                       + answer_reserve(budget) > plan.n_ctx)
        assert 0 < plan.reports_too_long == expected < len(reports)


def test_limit_processes_only_the_first_n(engine):
    task = load_task("prostate_mri_nl")
    reports = [Report.from_text(id=f"r{i}", source="m", format="txt", text="PSA 5.")
               for i in range(5)]
    options = RunOptions(reading=ReadingOptions(limit=2))
    records = list(run_extraction(task, reports, engine, options))
    assert [r.id for r in records] == ["r0", "r1"]


def test_bool_and_enum_fields_carry_renormalised_probabilities(engine):
    task = load_task("prostate_mri_nl")
    reports = [Report.from_text(id=f"r{i}", source="m", format="txt",
                                text=f"PSA {i},5 ng/ml. PI-RADS {i + 2}. Geen EPE.")
               for i in range(3)]
    for record in run_extraction(task, reports, engine):
        assert answered(record)
        probs = record.probabilities
        assert set(probs) == {"highest_pirads", "extraprostatic_extension"}
        assert set(probs["highest_pirads"]) == {"1", "2", "3", "4", "5", "null"}
        assert set(probs["extraprostatic_extension"]) == {"true", "false", "null"}
        for options in probs.values():
            assert sum(options.values()) == pytest.approx(1.0)
            assert all(0.0 < p < 1.0 for p in options.values())  # a random model is unsure
    # Scoring options leaves the engine usable and the prefix still reused.
    again = list(run_extraction(task, reports[:2], engine))
    assert again[1].tokens_cached > 0


def test_reading_the_decisions_never_changes_the_answers(engine):
    """Probabilities are read as the model writes: with them off the answers are the same."""
    task = load_task("prostate_mri_nl")
    reports = [Report.from_text(id=f"r{i}", source="m", format="txt",
                                text=f"PSA {i + 3} ng/ml. PI-RADS {i + 2}.") for i in range(2)]
    scored = list(run_extraction(task, reports, engine))
    plain = list(run_extraction(task, reports, engine,
                                RunOptions(decoding=DecodingOptions(probabilities=False))))
    assert [r.raw for r in plain] == [r.raw for r in scored]
    assert all(r.probabilities == {} for r in plain)
    assert all(set(r.probabilities) == {"highest_pirads", "extraprostatic_extension"}
               for r in scored)


def test_an_answer_that_runs_out_of_context_is_reported_cut_off_not_parsed(tiny_model):
    wordy = parse_task({
        "id": "wordy", "title": "Wordy", "description": "Long free-text fields.",
        "fields": [{"name": f"text{i}", "type": "string", "max_length": 1000}
                   for i in range(4)]}, "memory")
    report = Report.from_text(id="r", source="m", format="txt", text="Kort verslag.")
    with open_decoder(tiny_model, 3072) as small:
        record = list(run_extraction(wordy, [report], small))[0]
    # The worst-case answer (12,000+ tokens) cannot fit, yet the report runs with the rest of
    # the context as the answer's room; the random model's long strings then run out.
    assert record.status == "invalid"
    assert "cut off" in record.error and record.raw
    assert record.fields == {f"text{i}": None for i in range(4)}
    assert all("cut off" in reason for reason in record.field_errors.values())


def _five_reports() -> list[Report]:
    return [Report.from_text(id=f"r{i}", source="m", format="txt", text=f"PSA {i} ng/ml.")
            for i in range(5)]


def test_an_engine_failure_on_one_report_is_that_reports_error_not_the_runs(engine,
                                                                              monkeypatch):
    task = load_task("prostate_mri_nl")
    real = engine._start

    def fails_on_r2(request, *args):
        if "PSA 2 ng/ml" in engine.detokenize(request.tokens):
            raise RuntimeError("llama_decode returned -3")
        return real(request, *args)

    monkeypatch.setattr(engine, "_start", fails_on_r2)
    records = list(run_extraction(task, _five_reports(), engine))
    assert [r.id for r in records] == ["r0", "r1", "r2", "r3", "r4"]
    assert [r.status == "error" for r in records] == [False, False, True, False, False]
    assert records[2].error == "The engine failed on this report: llama_decode returned -3"
    assert records[2].token_limit and records[2].fields is None


def test_a_failed_decode_is_the_error_of_the_reports_in_work_only(tiny_model, monkeypatch):
    task = load_task("prostate_mri_nl")
    with open_decoder(tiny_model, 2048, parallel=2) as pair:
        real, calls = pair._decode, []

        def fails_once(**kwargs):
            calls.append(1)
            return -1 if len(calls) == 12 else real(**kwargs)

        monkeypatch.setattr(pair, "_decode", fails_once)
        records = list(run_extraction(task, _five_reports(), pair))
    assert sorted(r.id for r in records) == ["r0", "r1", "r2", "r3", "r4"]
    failed = [r for r in records if r.status == "error"]
    assert 1 <= len(failed) <= 2
    assert all(r.error == "The engine failed on this report: llama_decode failed (-1)"
               for r in failed)
    assert all(answered(r) for r in records if r.status != "error")


def test_an_answer_over_its_time_limit_is_stopped_and_says_so(engine):
    task = load_task("prostate_mri_nl")
    options = RunOptions(decoding=DecodingOptions(time_limit=1e-9))
    (record,) = run_extraction(task, _five_reports()[:1], engine, options)
    assert record.status == "invalid" and record.time_limit_s == 1e-9
    assert "second limit per report" in record.error and record.raw is not None
    assert set(record.field_errors) == {f.name for f in task.fields}
