"""Pluk's grammar: digit-bounded numbers with a decimal comma where it is unambiguous, bare
number-like choices, strict JSON strings, task field order; parsed by llama.cpp itself."""

from __future__ import annotations

import re

import pytest

from pluk.core.engine.llama import EngineOptions, LlamaEngine
from pluk.core.errors import PlukError
from pluk.core.engine.grammar import literal, number_body, schema_to_gbnf
from pluk.core.tasks import json_schema, list_tasks


def _as_regex(gbnf: str) -> re.Pattern:
    # number_body uses only literals, classes, ?, {m,n}, groups and alternation: regex syntax
    # once the quotes and spaces are gone.
    return re.compile("^" + gbnf.replace('"."', r"\.").replace('"', "").replace(" ", "") + "$")


def _rules(gbnf: str) -> dict[str, str]:
    return dict(line.split(" ::= ", 1) for line in gbnf.splitlines() if " ::= " in line)


def test_a_bounded_integer_has_one_digit_more_than_its_maximum():
    pattern = _as_regex(number_body({"type": "integer", "minimum": 0, "maximum": 1000},
                                    decimal_comma=True))
    assert pattern.match("0") and pattern.match("1000") and pattern.match("99999")
    # A runaway "1000..." ends at 10000: out of range, so validation refuses it, rather
    # than at exactly the maximum, a value the model never meant.
    assert pattern.match("10000")
    assert not pattern.match("100000") and not pattern.match("-1") and not pattern.match("01")


def test_a_negative_minimum_admits_a_sign_and_no_maximum_admits_many_digits():
    signed = _as_regex(number_body({"type": "number", "minimum": -5, "maximum": 5},
                                   decimal_comma=False))
    assert signed.match("-5") and signed.match("-4.5") and not signed.match("-4,5")
    unbounded = _as_regex(number_body({"type": "number"}, decimal_comma=False))
    assert unbounded.match("123456789012345") and not unbounded.match("1234567890123456")


def test_decimal_commas_only_where_they_cannot_be_a_separator():
    schema = {"type": "object", "properties": {
        "psa": {"type": "number", "minimum": 0, "maximum": 1000},
        "sizes": {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 100},
                  "maxItems": 4}}, "required": ["psa", "sizes"]}
    rules = _rules(schema_to_gbnf(schema))
    assert "[.,]" in rules["psa"]
    item = next(body for name, body in rules.items() if name.startswith("sizes-item"))
    assert "[.,]" not in item and '"."' in item


def test_number_like_choices_may_be_written_bare():
    schema = {"type": "object", "properties": {
        "pirads": {"type": "string", "enum": ["1", "2", "3", "4", "5"]},
        "side": {"type": "string", "enum": ["left", "right"]}}, "required": ["pirads", "side"]}
    rules = _rules(schema_to_gbnf(schema))
    assert '"\\"4\\""' in rules["pirads"] and ' "4" ' in rules["pirads"]
    assert '"left"' not in rules["side"].replace('"\\"left\\""', "")


def test_fields_come_in_task_order_and_strings_are_strict():
    schema = {"type": "object", "properties": {
        "b": {"type": "string", "maxLength": 3}, "a": {"type": "boolean"}},
        "required": ["b", "a"]}
    gbnf = schema_to_gbnf(schema)
    root = _rules(gbnf)["root"]
    top = _rules(gbnf)[root]
    assert top.index(literal('"b"')) < top.index(literal('"a"'))
    char_rule = _rules(gbnf)["char"]
    assert "\\x00-\\x1F" in char_rule and "\\U00010000" in char_rule and '"u"' not in char_rule
    assert "char{0,3}" in _rules(gbnf)["b"]


def test_unbounded_strings_and_lists_are_refused():
    with pytest.raises(PlukError, match="maximum length"):
        schema_to_gbnf({"type": "object", "properties": {"a": {"type": "string"}}})
    with pytest.raises(PlukError, match="maximum number of items"):
        schema_to_gbnf({"type": "object", "properties": {
            "a": {"type": "array", "items": {"type": "boolean"}}}})


def test_every_library_task_grammar_is_accepted_by_llama_cpp(tiny_model):
    # engine.grammar() has llama.cpp parse the grammar (llama_sampler_init_grammar) and raises
    # when it refuses one; LlamaGrammar.from_string alone only stores the text.
    tasks, _ = list_tasks()
    assert len(tasks) > 30
    engine = LlamaEngine(tiny_model, EngineOptions(n_ctx=512), vocab_only=True)
    try:
        for _, task in tasks:
            engine.grammar(json_schema(task))
        # A grammar llama.cpp refuses (a rule used but never defined) is refused with a reason
        # up front, not when sampling starts (where it would crash the process).
        import pluk.core.engine.llama as engine_module
        original = engine_module.schema_to_gbnf
        engine_module.schema_to_gbnf = lambda schema: "root ::= missing-rule\n"
        try:
            with pytest.raises(PlukError, match="rejected"):
                engine.grammar({"type": "object", "properties": {}})
        finally:
            engine_module.schema_to_gbnf = original
    finally:
        engine.close()
