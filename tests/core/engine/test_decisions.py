"""Decisions read while the answer is written give the numbers of today's re-evaluation after it
(extraction/scoring.py through LlamaEngine), on the tiny vocabulary (one token a character, so
every quoted option is a tree of several steps) and on a real BPE vocabulary.

The two evaluate the same tokens in differently sized batches, and llama.cpp's kernels change
with a batch's size (on the CPU at 64 tokens): on the F32 tiny model that moves probabilities by
a few 1e-4, on SmolLM2's Q4_1 weights its logits by up to 0.6 and its probabilities by a few
hundredths. A wrong tree or token boundary moves them by far more."""

from __future__ import annotations

import pytest

from pluk.core.engine.llama import LlamaEngine
from pluk.core.extraction.answer_parse import parse_answer
from pluk.core.extraction.scoring import field_probabilities
from pluk.core.options import HardwareOptions
from tests.core.engine.conftest import build_requests, make_decoder, prostate_task


def reevaluated(model, task, prompt, request, result) -> dict[str, dict[str, float]]:
    """Today's scoring of the decoder's own answer: the same tokens evaluated again."""
    with LlamaEngine(model, 4096, HardwareOptions(n_threads=1)) as engine:
        spans = parse_answer(result.text).spans
        return field_probabilities(task, engine, prompt.tokens + request.tokens, result.text,
                                   spans, result.output_tokens, lambda: False)


def compare(model, reports, tolerance: float) -> int:
    task = prostate_task()
    with make_decoder(model) as decoder:
        prompt, requests = build_requests(decoder, task, reports)
        results = {r.id: r for r in decoder.extract(prompt, requests)}
        side = decoder.stats.side_tokens
    for request in requests:
        result = results[request.id]
        expected = reevaluated(model, task, prompt, request, result)
        assert set(result.probabilities) == set(expected)
        for field, options in expected.items():
            assert result.probabilities[field] == pytest.approx(options, abs=tolerance), (
                field, result.text)
    return side


def test_decisions_match_the_reevaluation_on_the_tiny_vocabulary(tiny_model, reports):
    side = compare(tiny_model, reports[:2], 2e-3)
    # A bare 4 leaves the quoted "1".."5" unobserved: they were read in a side evaluation.
    assert side > 0


@pytest.mark.real_model
def test_decisions_match_the_reevaluation_on_smollm2(smollm2_model, reports):
    compare(smollm2_model, reports[:2], 0.05)
