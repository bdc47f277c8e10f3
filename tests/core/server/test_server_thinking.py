"""A thinking model behind a server (the suite's fake OpenAI server, real HTTP on 127.0.0.1,
which thinks as a model behind a reasoning parser does): the budget is asked for in the
server's terms, the reasoning lands in the record's thinking fields, the answer parses, and a
budget of 0 turns thinking off."""

from __future__ import annotations

import json

import pytest

from pluk.core.extraction.answer_parse import parse_answer
from pluk.core.extraction.job import run_job
from pluk.core.options import DecodingOptions, RunOptions, ServerOptions
from pluk.core.runs.folder import RunFolder
from pluk.core.tasks import load_task
from tests.core.server.conftest import reports
from tests.support.fake_openai import LLAMA_SERVER, VLLM, json_server

ANSWER = json.dumps({"psa": 1.5, "highest_pirads": "4"})
REASONING = "The report gives PSA 1,5 and PI-RADS 4 so " * 3  # 27 words: 27 tokens to the fake server


def _run(url, out, budget):
    options = RunOptions(server=ServerOptions(url=url, retries=0),
                         decoding=DecodingOptions(thinking_budget=budget))
    result = run_job(load_task("prostate_mri_nl"), reports(2), None, out, options)
    assert result.status == "finished" and result.counts["total"] == 2
    return RunFolder(out).records()


@pytest.mark.parametrize("routes,field", [(LLAMA_SERVER, "reasoning_content"),
                                          (VLLM, "reasoning")])
def test_the_servers_reasoning_goes_into_the_record(tmp_path, routes, field):
    with json_server(routes, content=ANSWER, reasoning=REASONING,
                     reasoning_field=field) as (url, bodies):
        records = _run(url, tmp_path / "run", 48)
    for record in records:
        assert record.thinking.tokens == 27 and record.thinking.budget == 48
        assert not record.thinking.budget_hit and record.thinking.closed_by == "server"
        assert record.thinking_text == REASONING
        assert record.raw == ANSWER and parse_answer(record.raw)
        assert "<think>" not in record.raw
    body = bodies[0]
    assert body["chat_template_kwargs"] == {"enable_thinking": True}
    if routes is LLAMA_SERVER:
        assert body["reasoning_format"] == "deepseek" and body["thinking_budget_tokens"] == 48
    else:
        assert body["reasoning_effort"] == "low"


def test_budget_zero_turns_the_servers_thinking_off(tmp_path):
    with json_server(LLAMA_SERVER, content=ANSWER, reasoning=REASONING) as (url, bodies):
        records = _run(url, tmp_path / "run", 0)
    assert bodies[0]["chat_template_kwargs"] == {"enable_thinking": False}
    for record in records:
        assert record.thinking.tokens == 0 and record.thinking_text is None
        assert record.raw == ANSWER


def test_a_think_block_left_in_the_content_is_split_off(tmp_path):
    with json_server(VLLM, content=f"<think>{REASONING}</think>\n\n{ANSWER}") as (url, _):
        records = _run(url, tmp_path / "run", 64)
    for record in records:
        assert record.raw == ANSWER and record.thinking_text == REASONING
        assert record.thinking.tokens > 0  # estimated: the server did not count them


def test_without_a_budget_nothing_is_asked(tmp_path):
    with json_server(LLAMA_SERVER, content=ANSWER) as (url, bodies):
        records = _run(url, tmp_path / "run", None)
    assert "chat_template_kwargs" not in bodies[0] and "reasoning_effort" not in bodies[0]
    assert all(record.thinking is None for record in records)


def test_no_answer_after_thinking_is_retried_once_with_half_the_budget(tmp_path):
    with json_server(LLAMA_SERVER, content="", reasoning=REASONING) as (url, bodies):
        options = RunOptions(server=ServerOptions(url=url, retries=0),
                             decoding=DecodingOptions(thinking_budget=48, thinking_retry=True))
        run_job(load_task("prostate_mri_nl"), reports(1), None, tmp_path / "run", options)
    assert [b["thinking_budget_tokens"] for b in bodies] == [48, 24]
    (record,) = RunFolder(tmp_path / "run").records()
    assert record.status == "invalid" and record.error.startswith("No answer after thinking")
    assert record.thinking.retried and record.thinking.budget == 24
    assert any("wrote nothing after thinking" in w for w in record.warnings)
