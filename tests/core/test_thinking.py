"""Thinking models: a random-weight model whose vocabulary has <think>/</think> and whose chat
template opens the block at the assistant turn (as DeepSeek-R1 distills' do). No real thinking
model can be had offline at a testable size, so the tests assert structure: the budget holds,
the block is closed (forced at the budget), the answer after it parses, decisions are read in
the answer only, the record is honest, and budget 0 thinks nothing."""

from __future__ import annotations

import json

import pytest

from pluk.core.extraction.answer_parse import parse_answer
from pluk.core.extraction.job import run_job
from pluk.core.extraction.record_build import answer_record
from pluk.core.extraction.thinking_plan import TAGS, ThinkingPlan, think_style
from pluk.core.models.random_model import THINK_TEMPLATE, THINK_TOKENS, build_random_gguf
from pluk.core.options import DecodingOptions, HardwareOptions, RunOptions
from pluk.core.readers.reports import Report
from pluk.core.runs import export
from pluk.core.runs.folder import RunFolder
from pluk.core.tasks import load_task
from pluk.core.thinking import ThinkingFacts

TASK = "prostate_mri_nl"


@pytest.fixture(scope="module")
def think_model(tmp_path_factory):
    return build_random_gguf(tmp_path_factory.mktemp("think") / "think.gguf",
                             chat_template=THINK_TEMPLATE, special_tokens=THINK_TOKENS)


def _reports(n: int) -> list[Report]:
    return [Report.from_text(id=f"r{i}", source="mem", format="txt",
                             text=f"PSA {i + 1},5 ng/ml. PI-RADS {i % 5 + 1}.") for i in range(n)]


def _run(model, out, budget, **decoding):
    options = RunOptions(decoding=DecodingOptions(thinking_budget=budget, **decoding),
                         hardware=HardwareOptions(n_threads=1, n_threads_batch=1))
    result = run_job(load_task(TASK), _reports(3), model, out, options)
    assert result.status == "finished" and result.counts["total"] == 3
    return RunFolder(out).records()


def _answer_parses(record):
    assert record.status in ("ok", "invalid"), record.error
    assert "not valid JSON" not in (record.error or "")
    assert "<think>" not in record.raw and "</think>" not in record.raw
    parse_answer(record.raw)  # the answer after the block is the task's JSON


@pytest.mark.parametrize("budget", [24, 10])
def test_the_budget_holds_and_the_answer_after_the_block_parses(think_model, tmp_path, budget):
    for record in _run(think_model, tmp_path / "run", budget):
        thinking = record.thinking
        assert thinking is not None and thinking.budget == budget
        assert 0 < thinking.tokens <= budget
        assert thinking.closed_by in ("model", "budget", "repeat")
        assert thinking.budget_hit == (thinking.closed_by == "budget")
        assert record.thinking_text is not None and "</think>" not in record.thinking_text
        _answer_parses(record)
        # Decisions come from the answer's own tokens: every probability is a distribution.
        for options in record.probabilities.values():
            assert sum(options.values()) == pytest.approx(1.0)


def test_at_the_budget_the_close_is_forced(think_model, tmp_path):
    # The repeat guard needs 16 tokens to see a loop: 10 tokens are the budget's to close.
    for record in _run(think_model, tmp_path / "run", 10):
        assert record.thinking.tokens == 10 and record.thinking.budget_hit
        assert record.thinking.closed_by == "budget"


def test_budget_zero_thinks_nothing(think_model, tmp_path):
    for record in _run(think_model, tmp_path / "run", 0):
        assert record.thinking is None and record.thinking_text is None
        _answer_parses(record)


def test_the_thinking_text_stays_out_of_the_exports_unless_asked(think_model, tmp_path):
    records = _run(think_model, tmp_path / "run", 12)
    task = load_task(TASK)
    plain = json.loads(export.write_json(tmp_path / "a.json", task, records).read_text())
    assert all("thinking_text" not in r and r["thinking"]["budget"] == 12
               for r in plain["records"])
    asked = json.loads(export.write_json(tmp_path / "b.json", task, records,
                                         thinking_text=True).read_text())
    assert all(r["thinking_text"] is not None for r in asked["records"])


def test_a_thinking_model_is_known_from_its_template_and_vocabulary():
    assert think_style(THINK_TEMPLATE, lambda text: False).kind == "tags"
    assert think_style(None, lambda text: text in THINK_TOKENS).kind == "tags"
    qwen3 = "{% if enable_thinking is defined and enable_thinking is false %}" \
            "<think>\n\n</think>\n\n{% endif %}"
    assert think_style(qwen3, lambda text: text in THINK_TOKENS).switch == "enable_thinking"
    gpt_oss = "<|start|>assistant<|channel|>final<|message|>"
    assert think_style(gpt_oss, lambda text: text == "<|channel|>").kind == "channel"
    assert think_style("{{ messages }}", lambda text: False) is None


def test_thinking_off_closes_an_opened_block_empty_and_on_opens_one():
    off, on = ThinkingPlan(style=TAGS, budget=0), ThinkingPlan(style=TAGS, budget=8)
    assert off.suffix("<|im_start|>assistant\n<think>\n").endswith("<think>\n\n</think>\n\n")
    assert on.suffix("<|im_start|>assistant\n<think>\n") == "<|im_start|>assistant\n<think>\n"
    assert on.suffix("<|im_start|>assistant\n").endswith("assistant\n<think>\n")
    closed = "<|im_start|>assistant\n<think>\n\n</think>\n\n"
    assert off.suffix(closed) == closed  # Qwen3 with enable_thinking false closed it itself
    assert on.reserve > 8 and off.reserve == 0


@pytest.mark.parametrize("finish,text,closed,expected", [
    ("time", "", None, "Still thinking at the 5-second limit"),
    ("stop", "", "budget", "No answer after thinking"),
    ("length", '{"psa": 1', "model", "cut off at its 7-token limit after 3 thinking tokens"),
])
def test_failures_of_a_thinking_answer_say_which_they_are(finish, text, closed, expected):
    report = _reports(1)[0]
    thinking = ThinkingFacts(tokens=3, budget=3, budget_hit=closed == "budget",
                             closed_by=closed)
    record = answer_record(load_task(TASK), report, text, finish_reason=finish,
                           tokens_prompt=1, tokens_cached=0, tokens_output=len(text),
                           warnings=[], limits=dict(token_limit=7, time_limit_s=5.0),
                           started=0.0, thinking=thinking)
    assert record.status == "invalid" and expected in record.error
    assert record.thinking == thinking


@pytest.mark.parametrize("budget", [24, 0])
def test_pluk_extract_with_a_thinking_budget(think_model, tmp_path, budget):
    """The issue's own check: `pluk extract --thinking-budget 24` on a think-template model."""
    from pluk.cli import main

    folder = tmp_path / "reports"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.txt").write_text(f"PSA {i},5 ng/ml. PI-RADS 3.")
    out = tmp_path / "run"
    assert main(["extract", "--task", TASK, "--input", str(folder), "--model",
                 str(think_model), "--out", str(out), "--threads", "1",
                 "--thinking-budget", str(budget)]) == 0
    records = RunFolder(out).records()
    assert len(records) == 3
    for record in records:
        _answer_parses(record)
        if budget:
            assert record.thinking.tokens <= budget and record.thinking.budget == budget
        else:
            assert record.thinking is None
    saved = RunFolder(out).read_manifest().options
    assert saved["decoding"]["thinking_budget"] == budget
    plan = saved["context_plan"]
    assert (plan["thinking_style"], plan["thinking_budget"]) == ("tags", budget)
    # A resumed run with the same budget has nothing to redo, and meets no difference.
    assert main(["extract", "--task", TASK, "--input", str(folder), "--model",
                 str(think_model), "--out", str(out), "--threads", "1", "--resume",
                 "--thinking-budget", str(budget)]) == 0
    assert len(RunFolder(out).records()) == 3


def test_an_answer_thinking_left_unfinished_is_retried_once_with_half_the_budget(
        think_model, tmp_path):
    # A time limit too short for any answer: every first try is stopped while thinking, and
    # so is the retry, which the record says it was.
    records = _run(think_model, tmp_path / "run", 40, thinking_retry=True, time_limit=1e-6)
    for record in records:
        assert record.status == "invalid"
        assert record.thinking.retried and record.thinking.budget == 20
        assert any(w.startswith("Retried once with a thinking budget of 20 tokens")
                   for w in record.warnings)
    plain = _run(think_model, tmp_path / "plain", 40, time_limit=1e-6)
    assert all(not r.thinking.retried and r.thinking.budget == 40 for r in plain)
    assert all("limit per report" in r.error for r in plain)
