"""Grammars: numeric bounds enforced digit by digit, strict JSON strings, task field order."""

from __future__ import annotations

import json
import re

import pytest

from pluk.core.grammar import natural_le, schema_to_gbnf
from pluk.core.tasks import json_schema, list_tasks


def _as_regex(gbnf: str) -> re.Pattern:
    # natural_le's GBNF uses only literals, classes, ?, groups and alternation: regex-compatible.
    return re.compile("^" + gbnf.replace('"', "").replace(" ", "") + "$")


@pytest.mark.parametrize("hi", [0, 1, 7, 9, 10, 20, 99, 100, 365, 1000, 10000])
def test_natural_le_admits_exactly_zero_to_hi(hi):
    pattern = _as_regex(natural_le(hi))
    admitted = [n for n in range(hi * 3 + 50) if pattern.match(str(n))]
    assert admitted == list(range(hi + 1))
    assert not pattern.match("00") and not pattern.match("-1")


def test_every_library_task_compiles_to_a_grammar():
    from llama_cpp import LlamaGrammar

    tasks, _ = list_tasks()
    assert tasks
    for _, task in tasks:
        LlamaGrammar.from_string(schema_to_gbnf(json_schema(task)), verbose=False)


def test_string_characters_exclude_raw_control_characters():
    gbnf = schema_to_gbnf({"type": "object", "properties": {"a": {"type": "string",
                          "maxLength": 3}}, "required": ["a"]})
    char_rule = next(line for line in gbnf.splitlines() if line.startswith("char ::="))
    assert "\\x00-\\x1F" in char_rule and "\\U00010000" in char_rule and "\"u\"" not in char_rule


def test_bounded_numbers_get_their_own_rule_and_no_sign():
    schema = {"type": "object", "properties": {
        "n": {"type": "integer", "minimum": 0, "maximum": 20},
        "x": {"type": "number", "minimum": 0, "maximum": 1000}}, "required": ["n", "x"]}
    gbnf = schema_to_gbnf(schema)
    assert "__pluk_num_" not in gbnf
    rules = {line.split(" ::= ")[0]: line.split(" ::= ")[1] for line in gbnf.splitlines()
             if line.startswith("pluk-num-")}
    assert len(rules) == 2
    assert all('"-"' not in rule for rule in rules.values())
    json.dumps(schema)  # the caller's schema is left untouched
    assert "minimum" in schema["properties"]["n"]
