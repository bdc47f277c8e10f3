"""The passes of one report (--passes, one prompt_key) share its evaluated prompt: the first
pass reads it, the others copy it and evaluate only its last token, whether they run beside
the first (parallel) or after it in the same sequence; the answers do not depend on which.
On the suite's random-weight model."""

from __future__ import annotations

from dataclasses import replace

from tests.core.engine.conftest import build_requests, check_answer, make_decoder, prostate_task

PASSES = 3


def _with_passes(requests):
    out = []
    for request in requests:
        first = replace(request, prompt_key=request.id)
        out.append(first)
        out += [replace(first, id=f"{request.id}#pass{k + 1}", temperature=0.8)
                for k in range(1, PASSES)]
    return out


def _run(model, reports, **options):
    with make_decoder(model, **options) as decoder:
        prompt, requests = build_requests(decoder, prostate_task(), reports)
        results = {r.id: r for r in decoder.extract(prompt, _with_passes(requests))}
        return results, decoder.stats.prompt_tokens, len(prompt.tokens)


def test_passes_read_the_report_once_and_answer_alike_at_any_parallel(tiny_model, reports):
    task = prostate_task()
    one, read_one, prefix = _run(tiny_model, reports[:2])
    three, read_three, _ = _run(tiny_model, reports[:2], parallel=3)
    assert set(one) == set(three) and len(one) == 2 * PASSES
    for rid, result in one.items():
        check_answer(task, result)
        if "#pass" in rid:  # the whole prompt but its last token came from the first pass
            assert result.tokens_cached == result.tokens_prompt - 1
        else:
            assert result.tokens_cached == prefix
    assert {k: r.tokens_cached for k, r in three.items()} == {
        k: r.tokens_cached for k, r in one.items()}
    # Beside the first pass or after it in its sequence: the same answers, the same reading.
    assert {k: r.text for k, r in three.items()} == {k: r.text for k, r in one.items()}
    assert read_three == read_one
    reports_tokens = sum(r.tokens_prompt - prefix for k, r in one.items() if "#pass" not in k)
    # Each report read once, and one token per later pass (plus the prefix, once per run).
    assert read_one == prefix + reports_tokens + 2 * (PASSES - 1)


def test_without_a_prompt_key_nothing_is_shared(tiny_model, reports):
    with make_decoder(tiny_model, parallel=2) as decoder:
        prompt, requests = build_requests(decoder, prostate_task(), reports[:1])
        twice = [requests[0], replace(requests[0], id="again")]
        results = list(decoder.extract(prompt, twice))
    assert [r.tokens_cached for r in results] == [len(prompt.tokens)] * 2


def test_a_shared_cache_shares_the_prompt_among_running_passes(tiny_model, reports):
    # One cache for all sequences: a finished pass's cells are freed (they could hold another
    # answer), so only passes that run beside the first copy its prompt.
    shared, _, prefix = _run(tiny_model, reports[:1], parallel=3, kv_unified=True)
    for rid, result in shared.items():
        check_answer(prostate_task(), result)
        assert result.tokens_cached == (result.tokens_prompt - 1 if "#pass" in rid else prefix)
