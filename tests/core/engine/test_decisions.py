"""Decisions read while the answer is written give the numbers of a re-evaluation after it (what
the pipeline did before the decoder: each decision read after the last whole token the model
wrote before the value, every option scored along its own tokens from there, renormalised),
on the tiny vocabulary (one token a character, so every quoted option is a tree of several
steps) and on a real BPE vocabulary.

The two evaluate the same tokens in differently sized batches, and llama.cpp's kernels change
with a batch's size (on the CPU at 64 tokens): on the F32 tiny model that moves probabilities by
a few 1e-4, on SmolLM2's Q4_1 weights its logits by up to 0.6 and its probabilities by a few
hundredths. A wrong tree or token boundary moves them by far more."""

from __future__ import annotations

import numpy as np
import pytest

from pluk.core.engine.native import Batch, NativeContext, NativeModel
from pluk.core.engine.option_tree import branch_probabilities
from pluk.core.engine.vocab import Vocabulary
from pluk.core.extraction.answer_parse import parse_answer
from pluk.core.extraction.scoring import option_forms
from tests.core.engine.conftest import build_requests, make_decoder, prostate_task


class Reevaluation:
    """The model's next-token log-probabilities after any token list, evaluated on their own
    in one sequence (what is already evaluated of a list is kept)."""

    def __init__(self, model):
        self.model = NativeModel(model)
        self.vocab = Vocabulary(self.model.vocab)
        # Flash attention off, as the decoder has it on the CPU: on, the logits move by a few
        # hundredths (SmolLM2's PI-RADS options by up to 0.06).
        self.ctx = NativeContext(self.model, n_ctx=4096, n_batch=512, n_seq_max=1,
                                 n_threads=1, n_threads_batch=1, flash_attn=False)
        self.batch = Batch(512)
        self.evaluated: list[int] = []

    def after(self, tokens: list[int]) -> np.ndarray:
        keep = 0
        for a, b in zip(self.evaluated, tokens[:-1]):
            if a != b:
                break
            keep += 1
        self.ctx.seq_rm(0, keep, -1)
        rest = tokens[keep:]
        for start in range(0, len(rest), 512):
            chunk = rest[start:start + 512]
            self.batch.clear()
            for i, token in enumerate(chunk):
                self.batch.add(token, keep + start + i, 0, start + i == len(rest) - 1)
            assert self.ctx.decode(self.batch) == 0
        self.evaluated = list(tokens)
        logits = self.ctx.logits(self.batch.n - 1).astype(np.float64)
        top = logits.max()
        return logits - (top + np.log(np.exp(logits - top).sum()))

    def close(self) -> None:
        self.batch.free()
        self.ctx.close()
        self.model.close()


def _leading(vocab, tokens, target: bytes) -> tuple[int, bytes]:
    """How many leading `tokens` write a prefix of `target`, and the bytes they write."""
    done, used = b"", 0
    for token in tokens:
        piece = vocab.piece(token)
        if not target.startswith(done + piece):
            break
        done, used = done + piece, used + 1
    return used, done


def reevaluated(model, task, prompt, request, result) -> dict[str, dict[str, float]]:
    context = prompt.tokens + request.tokens
    raw, output = result.text, result.output_tokens
    spans = parse_answer(raw).spans
    again = Reevaluation(model)
    vocab = again.vocab
    scored = {}
    try:
        for spec in task.fields:
            forms = option_forms(spec)
            if forms is None or spec.name not in spans:
                continue
            span = spans[spec.name]
            used, before = _leading(vocab, output, raw[:span.start].encode())
            lead = raw.encode()[len(before):len(raw[:span.start].encode())]
            written = raw[span.start:span.end]
            keys, sequences = [], []
            for key, texts in forms.items():
                for text in texts:
                    sequence = vocab.continuation(before, lead + text.encode())
                    if text == written:  # the answered option along the tokens it was written
                        n, done = _leading(vocab, output[used:], lead + text.encode())
                        if n and done == lead + text.encode():
                            sequence = output[used:used + n]
                    keys.append(key)
                    sequences.append(list(sequence))
            base = context + output[:used]
            prefixes = {tuple(s[:i]) for s in sequences for i in range(1, len(s))}
            after = {prefix: again.after(base + list(prefix)) for prefix in {()} | prefixes}
            totals: dict[str, float] = {}
            for key, p in zip(keys, branch_probabilities(sequences, after)):
                totals[key] = totals.get(key, 0.0) + p
            scored[spec.name] = totals
    finally:
        again.close()
    return scored


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
