"""Reading answers back: decimal commas as object values, spans of every value, clear errors."""

from __future__ import annotations

import json

import pytest

from pluk.core.extraction.answer_parse import AnswerSyntaxError, parse_answer


def test_plain_json_reads_as_json_does():
    raw = '{"a": 1, "b": [1.5, 2], "c": {"d": "x, y"}, "e": null, "f": true}'
    assert parse_answer(raw).value == json.loads(raw)


def test_a_decimal_comma_as_an_object_value_is_a_decimal():
    parsed = parse_answer('{"psa": 9,7, "density": 0,14, "count": 2, "next": "a"}')
    assert parsed.value == {"psa": 9.7, "density": 0.14, "count": 2, "next": "a"}
    assert parsed.spans["psa"].written == "9,7"
    assert parsed.spans["count"].written is None


def test_in_an_array_a_comma_is_always_a_separator():
    assert parse_answer('{"x": [1,2, 3]}').value == {"x": [1, 2, 3]}
    assert parse_answer('{"x": [{"mm": 9,5}]}').value == {"x": [{"mm": 9.5}]}


def test_spans_locate_every_value():
    raw = '{"psa": 8.6, "side": "left", "lesions": [{"mm": 12}]}'
    spans = parse_answer(raw).spans
    assert raw[spans["psa"].start:spans["psa"].end] == "8.6"
    assert raw[spans["side"].start:spans["side"].end] == '"left"'
    assert raw[spans["lesions[0].mm"].start:spans["lesions[0].mm"].end] == "12"
    assert raw[spans["lesions"].start:spans["lesions"].end] == '[{"mm": 12}]'


@pytest.mark.parametrize("raw, message", [
    ('{"a": 1', "expected ',' or '}'"),
    ('{"a": }', "expected a value"),
    ('{"a": 1} x', "extra text"),
    ('{"a": "open', "Unterminated string"),
    ('', "ends early"),
])
def test_bad_answers_name_what_and_where(raw, message):
    with pytest.raises(AnswerSyntaxError, match=message) as caught:
        parse_answer(raw)
    assert caught.value.pos >= 0
