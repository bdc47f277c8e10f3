"""llguidance reads Pluk's GBNF as llama.cpp does: the same tokens allowed along random paths
through every task's grammar, and every bound of the schema enforced."""

from __future__ import annotations

import ctypes
from pathlib import Path

import llama_cpp
import numpy as np
import pytest

from pluk.core.engine.grammar import schema_to_gbnf
from pluk.core.engine.llg import (SPARSE_WORDS, Grammar, MaskBuffer, _repair_escapes,
                                  tokenizer_for)
from pluk.core.engine.native import NativeModel
from pluk.core.engine.vocab import Vocabulary
from pluk.core.errors import PlukError
from pluk.core.tasks import json_schema
from pluk.core.tasks.loader import load_task_file, parse_task
from tests.conftest import REPO_ROOT

TASK_FILES = sorted((REPO_ROOT / "tasks").glob("*.json")) + sorted(
    (REPO_ROOT / "tasks" / "dragon").glob("*.json"))


@pytest.fixture(scope="module")
def tiny_vocab(tiny_model):
    model = NativeModel(tiny_model, vocab_only=True)
    yield model, Vocabulary(model.vocab), tokenizer_for(tiny_model).tokenizer
    model.close()


def test_the_converters_code_point_escapes_are_repaired():
    assert _repair_escapes(r"/[^\x7F\U10000-\U10FFFF]/") == r"/[^\x7F\u{10000}-\u{10FFFF}]/"
    # An escaped backslash before a letter U is a literal, not an escape.
    assert _repair_escapes(r'"\\U10"') == r'"\\U10"'


def _valid_utf8_prefix(data: bytes) -> bool:
    for extra in range(4):
        for second in (0x80, 0x90, 0xA0, 0xBF):
            tail = bytes([second]) + b"\x80" * (extra - 1) if extra else b""
            try:
                (data + tail).decode("utf-8")
                return True
            except UnicodeDecodeError:
                pass
    return False


class _GbnfSampler:
    """llama.cpp's own grammar sampler over a whole vocabulary: which tokens it allows."""

    def __init__(self, vocab_ptr, n_vocab: int, gbnf: str):
        self.sampler = llama_cpp.llama_sampler_init_grammar(vocab_ptr, gbnf.encode(), b"root")
        assert self.sampler
        self.n = n_vocab
        self.data = (llama_cpp.llama_token_data * n_vocab)()

    def allowed(self) -> np.ndarray:
        for i in range(self.n):
            self.data[i].id, self.data[i].logit, self.data[i].p = i, 0.0, 0.0
        array = llama_cpp.llama_token_data_array(data=self.data, size=self.n, selected=-1,
                                                 sorted=False)
        llama_cpp.llama_sampler_apply(self.sampler, ctypes.byref(array))
        return np.array([self.data[i].logit != -np.inf for i in range(self.n)])

    def accept(self, token: int) -> None:
        llama_cpp.llama_sampler_accept(self.sampler, token)

    def free(self) -> None:
        llama_cpp.llama_sampler_free(self.sampler)


@pytest.mark.parametrize("task_file", TASK_FILES, ids=lambda p: p.stem)
def test_llguidance_allows_what_llama_cpp_gbnf_allows_along_random_paths(task_file: Path,
                                                                          tiny_vocab):
    """Compared as the texts the allowed tokens write, where a valid answer may go: llguidance
    also refuses control tokens written as text, bytes that cannot be UTF-8 and surrogates,
    which llama.cpp's sampler lets through, and it allows one of several tokens writing the
    same bytes (the tiny vocabulary has byte tokens beside its character tokens)."""
    model, vocab, tokenizer = tiny_vocab
    gbnf = schema_to_gbnf(json_schema(load_task_file(task_file)))
    grammar = Grammar(tokenizer, gbnf)
    masks = MaskBuffer(vocab.n_vocab, tokenizer.vocab_size)
    rng = np.random.default_rng(7)
    ordinary = [t for t in range(vocab.n_vocab) if not tokenizer.is_special_token(t)]
    for _walk in range(2):
        matcher, reference = grammar.matcher(), _GbnfSampler(model.vocab, vocab.n_vocab, gbnf)
        written = b""
        try:
            for _step in range(250):
                theirs, ours = reference.allowed(), masks.allowed(matcher)
                assert not (ours & ~theirs).any(), written
                assert theirs[sorted(vocab.eog)].any() == ours[sorted(vocab.eog)].any()
                texts = {t: tokenizer.decode_bytes([t]) for t in ordinary}
                expected = {texts[t] for t in ordinary
                            if theirs[t] and _valid_utf8_prefix(written + texts[t])}
                assert {texts[t] for t in ordinary if ours[t]} == expected, written
                if ours[sorted(vocab.eog)].any() and rng.random() < 0.5:
                    break
                choices = [t for t in ordinary if ours[t]]
                if not choices:
                    break
                token = int(rng.choice(choices))
                assert matcher.consume_token(token)
                reference.accept(token)
                written += texts[token]
        finally:
            reference.free()


def _accepts(grammar: Grammar, tokenizer, text: str) -> bool:
    matcher = grammar.matcher()
    tokens = tokenizer.tokenize_str(text)
    return matcher.try_consume_tokens(tokens) == len(tokens) and matcher.is_accepting()


def test_every_bound_of_the_schema_is_enforced(tiny_vocab):
    _, _, tokenizer = tiny_vocab
    task = parse_task({
        "id": "bounds", "title": "Bounds", "language": "en", "description": "d",
        "fields": [
            {"name": "items", "type": "list", "max_items": 2,
             "items": {"type": "string", "max_length": 4}},
            {"name": "size", "type": "float", "minimum": 0, "maximum": 100},
            {"name": "score", "type": "enum", "values": ["3", "4"]},
        ]}, "test")
    grammar = Grammar(tokenizer, schema_to_gbnf(json_schema(task)))

    def answer(items: str, size: str, score: str = '"4"') -> str:
        return f'{{"items": {items}, "size": {size}, "score": {score}}}'

    assert _accepts(grammar, tokenizer, answer('["abcd", "é€"]', "99.5"))
    assert not _accepts(grammar, tokenizer, answer('["a", "b", "c"]', "1"))  # max_items
    assert not _accepts(grammar, tokenizer, answer('["abcde"]', "1"))  # max_length
    assert not _accepts(grammar, tokenizer, answer('["\U0001F600"]', "1"))  # beyond the BMP
    assert _accepts(grammar, tokenizer, answer("[]", "1000"))  # one digit over the bound...
    assert not _accepts(grammar, tokenizer, answer("[]", "10000"))  # ...and no more
    assert _accepts(grammar, tokenizer, answer("[]", "9,7"))  # a decimal comma as a value
    assert _accepts(grammar, tokenizer, answer("[]", "1", "4"))  # a number-like choice bare
    assert not _accepts(grammar, tokenizer, answer("[]", "1", '"5"'))


def test_a_grammar_llguidance_cannot_read_is_refused(tiny_vocab):
    _, _, tokenizer = tiny_vocab
    with pytest.raises(PlukError):
        Grammar(tokenizer, 'root ::= "a" undefined-rule\n')


def test_the_tokenizer_is_built_once_per_model_file(tiny_model):
    assert tokenizer_for(tiny_model) is tokenizer_for(tiny_model)


def test_a_sparse_mask_lists_the_same_tokens_as_the_dense_one(tiny_model):
    """MaskBuffer reads a mask with few allowed tokens as their ids (SPARSE_WORDS): the ids are
    exactly the dense mask's True positions, along a path through a task's grammar."""
    from pluk.core.engine.decoder import Decoder, DecoderOptions
    from pluk.core.engine.grammar import schema_to_gbnf
    from pluk.core.tasks import json_schema, load_task

    with Decoder(tiny_model, DecoderOptions(n_ctx=512)) as decoder:
        grammar = decoder.grammar(schema_to_gbnf(json_schema(load_task("prostate_mri_nl"))))
        matcher = grammar.matcher()
        masks = MaskBuffer(decoder.vocab.n_vocab, decoder.tokenizer.vocab_size)
        rng = np.random.default_rng(3)
        sparse_seen = dense_seen = 0
        for _step in range(120):
            dense = masks.allowed(matcher)
            ids, booleans = masks.ids_at(0)  # the same fill, read as ids where few
            if ids is None:
                dense_seen += 1
                assert (booleans == dense).all()
            else:
                sparse_seen += 1
                assert ids.tolist() == np.flatnonzero(dense).tolist()
            choices = np.flatnonzero(dense)
            if not choices.size or matcher.is_accepting():
                break
            assert matcher.consume_token(int(rng.choice(choices)))
    assert sparse_seen > 0


def test_masks_filled_together_are_each_matchers_own_mask(tiny_model):
    """A decode step fills the masks of all its refused choices at once, on llguidance's
    threads (MaskBuffer.fill): each is bit for bit the mask its matcher gives alone. Eight
    matchers at different places of a task's grammar, several rounds."""
    from pluk.core.engine.decoder import Decoder, DecoderOptions
    from pluk.core.engine.grammar import schema_to_gbnf
    from pluk.core.tasks import json_schema, load_task

    with Decoder(tiny_model, DecoderOptions(n_ctx=512)) as decoder:
        grammar = decoder.grammar(schema_to_gbnf(json_schema(load_task("prostate_mri_nl"))))
        alone = MaskBuffer(decoder.vocab.n_vocab, decoder.tokenizer.vocab_size)
        together = MaskBuffer(decoder.vocab.n_vocab, decoder.tokenizer.vocab_size)
        rng = np.random.default_rng(5)
        matchers = [grammar.matcher() for _ in range(8)]
        compared = set()
        for _round in range(40):
            live = [m for m in matchers if not m.is_accepting()]
            if len(live) < 2:
                break
            together.fill(live)
            for j, matcher in enumerate(live):
                own = alone.allowed(matcher)
                assert (together.dense_at(j) == own).all()
                ids, booleans = together.ids_at(j)
                if ids is None:
                    assert (booleans == own).all()
                else:
                    assert ids.tolist() == np.flatnonzero(own).tolist()
                compared.add(int(own.sum()))
                assert matcher.consume_token(int(rng.choice(np.flatnonzero(own))))
    assert len(compared) > 3  # masks of several kinds, not the same one each time


def test_each_mask_of_a_fill_reads_as_its_own_ids():
    """MaskBuffer.ids_at: each sparse mask's ids are its set bits in ascending order, without
    the bits past the vocabulary; a mask with more than SPARSE_WORDS non-zero words is dense.
    Hand-made masks of every kind, side by side as one fill leaves them."""
    n_vocab = 32 * 400 - 5  # the last word's top bits lie past the vocabulary
    masks = MaskBuffer(n_vocab, n_vocab)
    rng = np.random.default_rng(11)
    wanted = [
        np.array([], dtype=np.intp),                                   # nothing allowed
        np.array([0, 1, 31, 32, 33, 12000]),                           # word edges
        np.sort(rng.choice(n_vocab, 40, replace=False)),               # scattered
        np.arange(0, n_vocab, 3),                                      # dense: every word
        np.array([n_vocab - 1]),                                       # the last token
        np.sort(rng.choice(32 * SPARSE_WORDS, 900, replace=False)),    # at most SPARSE_WORDS
    ]
    masks._words = np.zeros((len(wanted), masks._n_words), dtype=np.int32)
    for j, ids in enumerate(wanted):
        bits = np.zeros(masks._n_words * 32, dtype=np.uint8)
        bits[ids] = 1
        if j == 1:
            bits[n_vocab:] = 1  # set past the vocabulary: never an id
        masks._words[j] = np.packbits(bits, bitorder="little").view(np.int32)
    for j, ids in enumerate(wanted):
        got, booleans = masks.ids_at(j)
        if j == 3:
            assert got is None and np.flatnonzero(booleans).tolist() == ids.tolist()
        else:
            assert booleans is None and got.tolist() == ids.tolist()
            assert (np.flatnonzero(masks.dense_at(j)) == ids).all()
