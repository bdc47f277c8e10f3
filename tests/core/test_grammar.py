"""Pluk's grammar: digit-bounded numbers with a decimal comma where it is unambiguous, bare
number-like choices, strict JSON strings, task field order; parsed by llama.cpp itself.

What a grammar admits is checked with llama.cpp's own grammar sampler over the tiny model's
vocabulary (one token per character): a text is admitted when the sampler lets every one of its
tokens through and then the end of the answer, so these tests fail when the GBNF text reads
right but does not constrain. llguidance, which masks the model's choices during a run, is held
to the same sampler along random paths (tests/core/engine/test_llg.py).
"""

from __future__ import annotations

import ctypes
import math

import llama_cpp
import pytest

from pluk.core.errors import PlukError
from pluk.core.engine.grammar import literal, number_body, schema_to_gbnf
from pluk.core.tasks import json_schema, list_tasks


class GrammarProbe:
    """llama.cpp's grammar sampler on a model's vocabulary, fed a text one token at a time."""

    def __init__(self, model_path):
        llama_cpp.llama_backend_init()
        params = llama_cpp.llama_model_default_params()
        params.vocab_only = True
        self.model = llama_cpp.llama_model_load_from_file(str(model_path).encode(), params)
        assert self.model, f"llama.cpp cannot load {model_path}"
        self.vocab = llama_cpp.llama_model_get_vocab(self.model)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(self.vocab)
        self.eos = llama_cpp.llama_vocab_eos(self.vocab)
        self.token_of: dict[bytes, int] = {}  # a piece's bytes -> its token
        piece = ctypes.create_string_buffer(64)
        for token in range(self.n_vocab):
            if llama_cpp.llama_vocab_is_control(self.vocab, token):
                continue
            size = llama_cpp.llama_token_to_piece(self.vocab, token, piece, len(piece), 0, True)
            if size > 0:
                self.token_of.setdefault(piece.raw[:size], token)
        self._candidates = (llama_cpp.llama_token_data * self.n_vocab)()

    def close(self) -> None:
        llama_cpp.llama_model_free(self.model)

    def _tokens(self, text: str) -> list[int]:
        # A character the vocabulary lacks goes as its UTF-8 bytes (the byte tokens).
        out = []
        for char in text:
            data = char.encode("utf-8")
            if data in self.token_of:
                out.append(self.token_of[data])
            else:
                out += [self.token_of[bytes([b])] for b in data]
        return out

    def _allows(self, sampler, token: int) -> bool:
        for i in range(self.n_vocab):
            self._candidates[i].id, self._candidates[i].logit = i, 0.0
        array = llama_cpp.llama_token_data_array(data=self._candidates, size=self.n_vocab,
                                                 selected=-1, sorted=False)
        llama_cpp.llama_sampler_apply(sampler, ctypes.byref(array))
        return not math.isinf(self._candidates[token].logit)

    def admits(self, gbnf: str, text: str) -> bool:
        sampler = llama_cpp.llama_sampler_init_grammar(self.vocab, gbnf.encode("utf-8"),
                                                       b"root")
        assert sampler, "llama.cpp refused the grammar"
        try:
            for token in self._tokens(text):
                if not self._allows(sampler, token):
                    return False  # accepting it would throw inside llama.cpp
                llama_cpp.llama_sampler_accept(sampler, token)
            return self._allows(sampler, self.eos)
        finally:
            llama_cpp.llama_sampler_free(sampler)


@pytest.fixture(scope="module")
def probe(tiny_model):
    grammar_probe = GrammarProbe(tiny_model)
    yield grammar_probe
    grammar_probe.close()


def _number(node: dict, *, decimal_comma: bool) -> str:
    return f"root ::= {number_body(node, decimal_comma=decimal_comma)}\n"


def _rules(gbnf: str) -> dict[str, str]:
    return dict(line.split(" ::= ", 1) for line in gbnf.splitlines() if " ::= " in line)


def test_the_probe_refuses_what_a_grammar_does_not_allow(probe):
    # The check itself can fail: a one-word grammar admits that word and nothing else.
    assert probe.admits('root ::= "ja"\n', "ja")
    assert not probe.admits('root ::= "ja"\n', "nee")
    assert not probe.admits('root ::= "ja"\n', "j")      # the answer may not end early
    assert not probe.admits('root ::= "ja"\n', "jaa")


def test_a_bounded_integer_has_one_digit_more_than_its_maximum(probe):
    grammar = _number({"type": "integer", "minimum": 0, "maximum": 1000}, decimal_comma=True)
    assert all(probe.admits(grammar, text) for text in ("0", "1000", "99999", "7,5"))
    # A runaway "1000..." ends at 10000: out of range, so validation refuses it, rather
    # than at exactly the maximum, a value the model never meant.
    assert probe.admits(grammar, "10000")
    assert not any(probe.admits(grammar, text) for text in ("100000", "-1", "01", "", "1 "))


def test_a_negative_minimum_admits_a_sign_and_no_maximum_admits_many_digits(probe):
    signed = _number({"type": "number", "minimum": -5, "maximum": 5}, decimal_comma=False)
    assert probe.admits(signed, "-5") and probe.admits(signed, "-4.5")
    assert not probe.admits(signed, "-4,5")
    unbounded = _number({"type": "number"}, decimal_comma=False)
    assert probe.admits(unbounded, "123456789012345")
    assert not probe.admits(unbounded, "1234567890123456")


def test_decimal_commas_only_where_they_cannot_be_a_separator(probe):
    schema = {"type": "object", "properties": {
        "psa": {"type": "number", "minimum": 0, "maximum": 1000},
        "sizes": {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 100},
                  "maxItems": 4}}, "required": ["psa", "sizes"]}
    gbnf = schema_to_gbnf(schema)
    assert probe.admits(gbnf, '{"psa": 9,7, "sizes": [1.5, 2]}')
    # Inside a list "1,5" can only be two items: the item rule has no decimal comma.
    rules = _rules(gbnf)
    item = next(body for name, body in rules.items() if name.startswith("sizes-item"))
    assert "[.,]" not in item and '"."' in item
    assert not probe.admits(gbnf, '{"psa": 9,7, "sizes": [1,5,2,3,4]}')  # 5 items: too many


def test_number_like_choices_may_be_written_bare(probe):
    schema = {"type": "object", "properties": {
        "pirads": {"type": "string", "enum": ["1", "2", "3", "4", "5"]},
        "side": {"type": "string", "enum": ["left", "right"]}}, "required": ["pirads", "side"]}
    gbnf = schema_to_gbnf(schema)
    assert probe.admits(gbnf, '{"pirads": 4, "side": "left"}')
    assert probe.admits(gbnf, '{"pirads": "4", "side": "right"}')
    assert not probe.admits(gbnf, '{"pirads": 6, "side": "left"}')
    assert not probe.admits(gbnf, '{"pirads": 4, "side": left}')
    assert not probe.admits(gbnf, '{"pirads": 4, "side": "up"}')


def test_fields_come_in_task_order_and_strings_are_strict(probe):
    schema = {"type": "object", "properties": {
        "b": {"type": "string", "maxLength": 3}, "a": {"type": "boolean"}},
        "required": ["b", "a"]}
    gbnf = schema_to_gbnf(schema)
    top = _rules(gbnf)[_rules(gbnf)["root"]]
    assert top.index(literal('"b"')) < top.index(literal('"a"'))
    assert probe.admits(gbnf, '{"b": "abc", "a": true}')
    assert probe.admits(gbnf, '{"b": "é\\n", "a": false}')  # an escape counts as one
    assert not probe.admits(gbnf, '{"a": true, "b": "abc"}')  # out of order
    assert not probe.admits(gbnf, '{"b": "abcd", "a": true}')  # over maxLength
    assert not probe.admits(gbnf, '{"b": "a\x01", "a": true}')  # a raw control character
    assert not probe.admits(gbnf, '{"b": "\\u0041", "a": true}')  # no \u escapes
    assert not probe.admits(gbnf, '{"b": "\U0001F600", "a": true}')  # outside the BMP
    assert not probe.admits(gbnf, '{"b": "abc", "a": true, "c": 1}')  # no extra keys


def test_unbounded_strings_and_lists_are_refused():
    with pytest.raises(PlukError, match="maximum length"):
        schema_to_gbnf({"type": "object", "properties": {"a": {"type": "string"}}})
    with pytest.raises(PlukError, match="maximum number of items"):
        schema_to_gbnf({"type": "object", "properties": {
            "a": {"type": "array", "items": {"type": "boolean"}}}})


def test_every_library_task_grammar_is_accepted_by_llguidance(tiny_model):
    # The decoder compiles the grammar with llguidance (Decoder.grammar, once per run before
    # anything is decoded) and refuses one it cannot read with a reason (tests/core/engine).
    from pluk.core.engine.llg import Grammar, tokenizer_for

    tasks, _ = list_tasks()
    assert len(tasks) > 30
    tokenizer = tokenizer_for(tiny_model).tokenizer
    for _, task in tasks:
        Grammar(tokenizer, schema_to_gbnf(json_schema(task)))
