"""The slot as one state machine (slot.py): every answer walks prompt -> (thinking) ->
answering -> settling -> side -> done in that order, only forward; and a slot whose batch entry
did not fit is served first in the next batch, so no late sequence starves. On the suite's
random-weight model with the real llama.cpp decode."""

from __future__ import annotations

import pytest

from pluk.core.engine import batch as batches
from pluk.core.engine import slot as slot_module
from pluk.core.engine.slot import Phase
from tests.core.engine.conftest import build_requests, make_decoder, prostate_task

ORDER = [Phase.PROMPT, Phase.THINKING, Phase.ANSWERING, Phase.SETTLING, Phase.SIDE, Phase.DONE]


def test_every_answer_walks_the_phases_forward_to_done(tiny_model, reports, monkeypatch):
    walked: dict[str, list[Phase]] = {}
    setattr_ = slot_module.Slot.__setattr__

    def record(self, name, value):
        if name == "phase":
            walked.setdefault(self.request.id, []).append(value)
        setattr_(self, name, value)

    monkeypatch.setattr(slot_module.Slot, "__setattr__", record)
    with make_decoder(tiny_model, parallel=3) as decoder:
        prompt, requests = build_requests(decoder, prostate_task(), reports[:6])
        results = {r.id: r for r in decoder.extract(prompt, requests)}
    assert set(walked) == set(results)
    for rid, phases in walked.items():
        assert phases[0] is Phase.PROMPT and phases[-1] is Phase.DONE, (rid, phases)
        steps = [ORDER.index(p) for p in phases]
        assert steps == sorted(steps), (rid, phases)  # never back
        assert Phase.ANSWERING in phases and Phase.THINKING not in phases
        # A complete answer with decisions to finish went through their side evaluations.
        if results[rid].finish_reason == "stop" and results[rid].stats.side_tokens:
            assert Phase.SIDE in phases
    assert any(r.stats.side_tokens for r in results.values())  # the side phase was exercised


def test_an_answer_past_its_time_limit_goes_straight_to_done(tiny_model, reports):
    with make_decoder(tiny_model) as decoder:
        prompt, requests = build_requests(decoder, prostate_task(), reports[:1],
                                          time_limit=0.0)
        [result] = decoder.extract(prompt, requests)
    assert result.finish_reason == "time" and result.probabilities == {}


def test_a_slot_that_did_not_fit_is_served_first_in_the_next_batch(tiny_model, reports,
                                                                   monkeypatch):
    """n_batch 16 with four answers: their forced runs (JSON keys) do not all fit, and some
    are longer than 16 tokens (cut to the batch: before, such an answer waited for ever)."""
    build = batches.build
    waits, served_first = [], []

    def watched(batch, ctx, slots, mode, n_batch):
        waiting = [s for s in slots if s is not None and s.waited and s.pending
                   and s.phase in (Phase.ANSWERING, Phase.SETTLING)]
        longest = max(waiting, key=lambda s: s.waited) if waiting else None
        plan = build(batch, ctx, slots, mode, n_batch)
        if mode != "prompt" and longest is not None:
            served_first.append(any(e.slot is longest for e in plan.entries))
        waits.extend(s.waited for s in slots if s is not None)
        return plan

    monkeypatch.setattr(batches, "build", watched)
    with make_decoder(tiny_model, parallel=4, n_batch=16) as decoder:
        prompt, requests = build_requests(decoder, prostate_task(), reports[:8])
        results = list(decoder.extract(prompt, requests))
    assert len(results) == 8
    if not served_first:
        pytest.fail("no entry was ever left out: the test exercised nothing")
    assert all(served_first)
    assert max(waits) <= 3  # at most one batch per other slot before its turn
