"""Pluk's decoder on the suite's random-weight model: valid answers with every bound enforced,
the same answers one at a time or three at once, forced tokens in one batch, masks only where
the model's choice is refused, stop and limits, continuous batching and restarts."""

from __future__ import annotations

import math
import re

import pytest

from pluk.core.engine import sampling
from pluk.core.engine.answer_guard import AnswerGuard
from pluk.core.engine.llg import MaskBuffer
from pluk.core.errors import CancelledError
from pluk.core.readers.reports import Report
from pluk.core.tasks.loader import parse_task
from tests.core.engine.conftest import (build_requests, check_answer, list_task, make_decoder,
                                        prostate_task, run_all)


@pytest.fixture(scope="module")
def tiny(tiny_model):
    with make_decoder(tiny_model) as decoder:
        yield decoder


@pytest.fixture(scope="module")
def sequential(tiny, reports):
    return run_all(tiny, prostate_task(), reports[:4])


def test_every_answer_parses_and_validates(sequential):
    task = prostate_task()
    assert len(sequential) == 4
    for result in sequential.values():
        check_answer(task, result)
        assert result.tokens_output == len(result.output_tokens) <= result.token_limit
        # A number has at most one digit more than its bound needs (maximum 20: 3 digits).
        count = re.search(r'"suspicious_lesion_count"\s*:\s*(\d+)', result.text).group(1)
        assert len(count) <= 3
        assert set(result.probabilities) == {"highest_pirads", "extraprostatic_extension"}
        for options in result.probabilities.values():
            assert sum(options.values()) == pytest.approx(1.0)


def test_list_and_text_bounds_hold(tiny, reports):
    task = list_task()
    for result in run_all(tiny, task, reports[:3]).values():
        _, fields, _ = check_answer(task, result)
        assert len(fields["findings"]) <= 3
        assert all(len(item) <= 12 for item in fields["findings"])


def test_the_self_test_task_answers_validate(tiny, reports):
    from pluk.core.diagnostics.self_test import SELFTEST_TASK

    task = parse_task(SELFTEST_TASK, "self-test")
    for result in run_all(tiny, task, reports[:2]).values():
        _, fields, _ = check_answer(task, result)
        assert fields["organ"] is None or len(fields["organ"]) <= 20
        assert set(result.probabilities) == {"modality", "lesion", "follow_up"}


def test_three_at_once_answer_as_one_at_a_time(tiny_model, reports, sequential):
    with make_decoder(tiny_model, parallel=3) as decoder:
        parallel = run_all(decoder, prostate_task(), reports[:4])
        assert decoder.stats.decode_calls < sum(r.stats.decode_calls for r in sequential.values())
    # Each sequence has its own cells: the same arithmetic but for the rounding of a matrix
    # product over three rows instead of one (F32 weights; SmolLM2's Q4_1 comes out bit-equal).
    assert {k: r.text for k, r in parallel.items()} == {k: r.text for k, r in sequential.items()}
    for key, result in parallel.items():
        for field, options in result.probabilities.items():
            assert options == pytest.approx(sequential[key].probabilities[field], abs=1e-6)


def test_forced_tokens_ride_in_one_decode(tiny, sequential):
    for result in sequential.values():
        stats = result.stats
        assert stats.forced_tokens > 0
        assert result.tokens_output == stats.sampled_tokens + stats.forced_tokens
        prompt_chunks = math.ceil(stats.prompt_tokens / tiny.options.n_batch)
        # One decode per chosen token (its forced continuation rides along), plus one for forced
        # tokens at the very start and the side evaluations of decisions not taken.
        assert stats.decode_calls <= prompt_chunks + stats.sampled_tokens + 1 + stats.side_tokens


def test_the_full_mask_is_computed_only_when_the_choice_is_refused(tiny, reports, monkeypatch):
    checks, masks = [], []
    take = sampling.Chooser._take
    fill = MaskBuffer.fill

    def counting_take(self, matcher, token):  # the one check of the model's own choice
        checks.append(take(self, matcher, token))
        return checks[-1]

    def counting_fill(self, matchers):
        masks.extend([len(checks)] * len(matchers))
        return fill(self, matchers)

    monkeypatch.setattr(sampling.Chooser, "_take", counting_take)
    monkeypatch.setattr(MaskBuffer, "fill", counting_fill)
    results = run_all(tiny, prostate_task(), reports[:2])
    refused = [i + 1 for i, ok in enumerate(checks) if not ok]
    assert masks == refused  # a mask right after each refused choice, and nowhere else
    assert len(masks) == sum(r.stats.masks_computed for r in results.values())
    # One check per chosen token: the answer ends at its closing brace, with no end token.
    assert len(checks) == sum(r.stats.sampled_tokens for r in results.values())


def test_the_guard_reads_every_piece_once(tiny, reports):
    pieces: list[str] = []

    class Recording(AnswerGuard):
        def feed(self, piece: str) -> None:
            pieces.append(piece)
            super().feed(piece)

    task = parse_task({"id": "t", "title": "t", "language": "en", "description": "d", "fields": [
        {"name": "organ", "type": "string", "max_length": 30},
        {"name": "size", "type": "float", "minimum": 0, "maximum": 100}]}, "test")
    prompt, requests = build_requests(tiny, task, reports[:1])
    requests[0].guard = lambda: Recording(tiny.token_classes, reports[0].text, {"size"})
    (result,) = tiny.extract(prompt, requests)
    check_answer(task, result)
    assert "".join(pieces) == result.text
    assert len(pieces) == result.tokens_output


def test_time_and_token_limits_end_an_answer(tiny, reports):
    task = prostate_task()
    cut = run_all(tiny, task, reports[:2], max_tokens=5)
    assert all(r.finish_reason == "length" and r.tokens_output == 5 for r in cut.values())
    timed = run_all(tiny, task, reports[:2], time_limit=1e-6)
    assert all(r.finish_reason == "time" for r in timed.values())


def test_a_stop_ends_the_batch_and_the_decoder_works_again(tiny, reports, sequential):
    task = prostate_task()
    prompt, requests = build_requests(tiny, task, reports[:4])
    calls = []

    def stop() -> bool:
        calls.append(1)
        return len(calls) > 30

    got = []
    with pytest.raises(CancelledError):
        for result in tiny.extract(prompt, requests, should_stop=stop):
            got.append(result.id)
    assert len(got) < 4
    again = run_all(tiny, task, reports[:4])
    assert {k: r.text for k, r in again.items()} == {k: r.text for k, r in sequential.items()}


def test_the_abort_hook_runs_only_in_long_prompt_batches(tiny_model, reports):
    """should_stop is polled once per decode; only a batch of many prompt tokens lets llama.cpp
    poll it after every graph node, and a stop there ends the prompt at once."""
    task = prostate_task()
    with make_decoder(tiny_model, abort_min_tokens=10**9) as decoder:
        prompt, requests = build_requests(decoder, task, reports[:2])
        polls = []
        list(decoder.extract(prompt, requests, should_stop=lambda: polls.append(1) and False))
        assert len(polls) <= decoder.stats.decode_calls
    with make_decoder(tiny_model) as decoder:
        prefix = prompt.tokens
        polls = []

        def stop_soon() -> bool:
            polls.append(1)
            return len(polls) > 3

        with pytest.raises(CancelledError):
            decoder.prepare(prefix, should_stop=stop_soon)
        assert len(polls) == 4 and decoder.stats.decode_calls == 1  # stopped inside one batch
        results = run_all(decoder, task, reports[:1])
        assert results[reports[0].id].finish_reason == "stop"


def test_the_decoder_offers_what_the_pipeline_reads(tiny):
    facts = tiny.facts()
    assert facts.parallel == 1 and facts.n_vocab == tiny.vocab.n_vocab
    assert facts.grammar.startswith("llguidance")
    assert tiny.detokenize(tiny.tokenize("PSA 9,7")) == "PSA 9,7"


def test_a_report_joins_as_soon_as_one_finishes(tiny_model, reports):
    pulled = []
    with make_decoder(tiny_model, parallel=2) as decoder:
        prompt, requests = build_requests(decoder, prostate_task(), reports[:5])

        def lazily():
            for request in requests:
                pulled.append(request.id)
                yield request

        seen = []
        for result in decoder.extract(prompt, lazily()):
            seen.append((result.id, len(pulled)))
    assert sorted(i for i, _ in seen) == sorted(r.id for r in reports[:5])
    # Two reports are decoded at a time; the third is taken only when one has finished.
    assert seen[0][1] <= 3


def test_a_full_shared_cache_restarts_the_latest_answer(tiny_model, reports, sequential):
    task = prostate_task()
    probe = make_decoder(tiny_model)
    prompt, requests = build_requests(probe, task, reports[:3])
    longest_report = max(len(r.tokens) for r in requests)
    longest_answer = max(sequential[r.id].tokens_output for r in requests)
    probe.close()
    # llama.cpp rounds a context up to a multiple of 256: room for the three reports, not for
    # their three answers, but for any one of them alone.
    n_ctx = -(-(len(prompt.tokens) + 3 * longest_report + 1) // 256) * 256
    room = n_ctx - len(prompt.tokens)
    assert 3 * (longest_report + longest_answer) > room > longest_report + longest_answer + 40
    with make_decoder(tiny_model, parallel=3, n_ctx=n_ctx, kv_unified=True, kv_cells=n_ctx,
                      answer_reserve=1) as decoder:
        assert decoder.n_ctx == n_ctx
        results = run_all(decoder, task, reports[:3])
        assert decoder.stats.preempted > 0
    assert {k: r.text for k, r in results.items()} == {
        k: sequential[k].text for k in results}


def test_temperature_draws_valid_answers_repeatably(tiny_model, reports):
    task = prostate_task()
    runs = []
    for _ in range(2):
        with make_decoder(tiny_model, temperature=0.8, seed=3) as decoder:
            runs.append(run_all(decoder, task, reports[:2]))
    for result in runs[0].values():
        check_answer(task, result)
    assert {k: r.text for k, r in runs[0].items()} == {k: r.text for k, r in runs[1].items()}


def test_a_report_that_cannot_fit_is_refused(tiny_model):
    with make_decoder(tiny_model, n_ctx=2048) as decoder:
        huge = Report.from_text(id="huge", source="t", format="txt", text="word " * 2000)
        (result,) = run_all(decoder, prostate_task(), [huge]).values()
    assert result.finish_reason == "error" and "does not fit" in result.error
