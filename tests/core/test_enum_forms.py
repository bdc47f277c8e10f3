"""Number-like enum options written bare (issue 29, item 4): a bare number in an answer is the
option written with exactly those digits, and a task whose options are one number written two
ways ("1" and "01", "1" and "1.0") is refused when read, naming both, because a bare number
could not say which of them the model meant."""

from __future__ import annotations

import pytest

from pluk.core.errors import TaskError
from pluk.core.extraction.answer_parse import parse_answer
from pluk.core.extraction.loop import answer_record
from pluk.core.readers.reports import Report
from pluk.core.tasks import validate_answer
from pluk.core.tasks.loader import parse_task


def _task(values: list[str]) -> dict:
    return {"id": "t", "title": "t", "description": "d",
            "fields": [{"name": "e", "type": "enum", "values": values}]}


def _record(task, raw: str):
    report = Report(id="r", source="r.txt", format="txt", text="Score 01.", sha256="0" * 64)
    return answer_record(task, report, raw, finish_reason="stop", tokens_prompt=1,
                         tokens_cached=0, tokens_output=1, warnings=[],
                         limits={"token_limit": 100, "time_limit_s": 10.0}, started=0.0)


@pytest.mark.parametrize("values, first, second", [
    (["1", "01"], "1", "01"),
    (["1", "2", "1.0"], "1", "1.0"),
    (["a", "007", "7"], "007", "7"),
    (["-0", "0"], "-0", "0"),
])
def test_one_number_written_two_ways_is_refused_naming_both(values, first, second):
    with pytest.raises(TaskError) as caught:
        parse_task(_task(values), "t.json")
    message = str(caught.value)
    assert f"'{first}'" in message and f"'{second}'" in message
    assert "same number" in message


def test_the_tiny_model_answer_is_refused_at_the_task_not_recorded_as_the_other_option():
    # The real run: options "1" and "01", raw {"e":\n01 }, recorded "e": "1" with status ok.
    with pytest.raises(TaskError):
        task = parse_task(_task(["1", "01"]), "t.json")
        _record(task, '{"e":\n01 }')


@pytest.mark.parametrize("values", [["1", "2", "10"], ["01", "02", "11"], ["1.5", "15"],
                                    ["a", "b"], ["1", "one", "I"]])
def test_distinct_numbers_and_words_are_accepted(values):
    parse_task(_task(values), "t.json")


@pytest.mark.parametrize("values, raw, expected", [
    (["01", "02"], '{"e":\n01 }', "01"),
    (["1", "2"], '{"e": 1}', "1"),
    (["1.0", "2.0"], '{"e": 1.0}', "1.0"),
    (["1", "2"], '{"e": "2"}', "2"),
])
def test_a_bare_number_is_the_option_with_those_digits(values, raw, expected):
    record = _record(parse_task(_task(values), "t.json"), raw)
    assert (record.status, record.fields) == ("ok", {"e": expected})


def test_the_parsed_number_keeps_the_digits_the_model_wrote():
    parsed = parse_answer('{"e":\n01 , "f": [1.50], "g": 2}')
    assert parsed.value == {"e": 1, "f": [1.5], "g": 2}
    assert parsed.value["e"].written == "01" and parsed.value["f"][0].written == "1.50"
    assert parsed.spans["e"].written == "01"
    assert type(parsed.value["g"]) is int and parsed.spans["g"].written is None


@pytest.mark.parametrize("values, raw, expected", [
    (["1", "01"], '{"e": 01}', "01"),
    (["01", "1"], '{"e": 1}', "1"),
    (["1", "1.0"], '{"e": 1.0}', "1.0"),
    (["1.0", "1"], '{"e": 1}', "1"),
])
def test_the_written_digits_win_over_an_equal_number(values, raw, expected):
    # A task that holds both cannot be read; the matching is still exact, not by value.
    from pluk.core.tasks.schema import bare_number_choice

    assert bare_number_choice(values, parse_answer(raw).value["e"]) == expected


def test_a_number_no_option_is_written_as_still_maps_by_value_and_others_are_refused():
    task = parse_task(_task(["1", "2"]), "t.json")
    assert validate_answer(task, parse_answer('{"e": 02}').value) == ({"e": "2"}, {})
    fields, errors = validate_answer(task, parse_answer('{"e": 07}').value)
    assert fields["e"] is None and errors["e"] == "the model wrote 07, not one of the choices"
