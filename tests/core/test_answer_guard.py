"""The answer guard: a list that repeats an item may only close; a decimal comma the report
writes stays a decimal comma; nothing else is steered."""

from __future__ import annotations

from pluk.core.engine.answer_guard import AnswerGuard, token_classes

VOCAB = {0: ",", 1: '",', 2: "},", 3: '"}, {"', 4: "]", 5: "a", 6: '"', 7: " ", 8: "x,y",
         9: "7", 10: ",\n", 11: "14", 12: ".", 13: "\n"}
COMMAS = [0, 1, 2, 3, 8, 10]


def _classes():
    return token_classes(VOCAB.items())


def _fed(*pieces: str, report: str = "", keys=("psa",)) -> AnswerGuard:
    guard = AnswerGuard(_classes, report, keys)
    for piece in pieces:
        guard.feed(piece)
    return guard


def test_token_classes():
    classes = _classes()
    assert classes.commas == COMMAS
    assert classes.object_ends == [2, 3]
    assert classes.comma_then_other == [10]
    assert classes.digits == [9, 11]


def test_distinct_items_steer_nothing():
    guard = _fed('{"e": ["a", "b"', ', "c"')
    assert guard.steer().banned == [] and guard.steer().only is None and guard.repeats == 0


def test_a_repeated_string_item_bans_every_comma_at_the_list_level():
    guard = _fed('{"e": ["a", "b", "a"')
    assert guard.repeats == 1
    assert guard.steer().banned == COMMAS
    guard.feed("]")  # the list is closed: the rest of the answer is free again
    assert guard.steer().banned == []


def test_a_repeat_is_caught_when_the_separator_comes_in_the_same_token():
    guard = _fed('{"e": ["a', '", "a', '",')
    assert guard.repeats == 1
    guard.feed(' "a')  # inside the next item, '",' would go on: commas stay banned
    assert 1 in guard.steer().banned


def test_repeated_object_items_ban_only_closing_with_a_comma_inside_the_item():
    guard = _fed('{"e": [{"t": "a", "k": 1}, {"t": "a", "k": 1}, {"t": ', '"a", "k": 1')
    assert guard.repeats == 1
    # Inside the third object its own commas are allowed; only '},' is not.
    assert guard.steer().banned == [2, 3]


def test_scalar_items_are_compared_when_they_end():
    guard = _fed('{"n": [1, 2, 1,')
    assert guard.repeats == 1 and guard.steer().banned[0] == 0


def test_brackets_and_commas_inside_strings_are_text():
    guard = _fed('{"e": ["a, [b]", "a, [b"]')
    assert guard.repeats == 0 and guard.steer().banned == []


def test_the_vocabulary_is_read_only_once_there_is_something_to_steer():
    calls = []

    def classes():
        calls.append(1)
        return _classes()

    guard = AnswerGuard(classes)
    guard.feed('{"e": ["a", "b"')
    guard.steer()
    assert calls == []
    guard.feed(', "a"')
    guard.steer()
    guard.steer()
    assert calls == [1]


def test_a_decimal_comma_the_report_writes_is_kept():
    report = "PSA: 9,7; geen eerdere biopten. PSA densiteit: 0,14."
    guard = _fed('{\n  "psa": 9', report=report)
    # Writing the comma and going on at once (',\n') is not allowed; a lone comma is.
    assert guard.steer().banned == [10] and guard.steer().only is None
    guard.feed(",")
    assert guard.steer().only == [9, 11]  # only digits may follow the report's decimal comma
    guard.feed("7")
    assert guard.steer().only is None and guard.steer().banned == []
    assert guard.decimal_commas == 1


def test_a_number_the_report_does_not_write_with_a_comma_is_left_alone():
    report = "PSA: 9,7; volume 26 ml."
    guard = _fed('{"psa": 26', report=report)
    assert guard.steer().banned == [] and guard.steer().only is None
    guard.feed(",")
    assert guard.steer().only is None


def test_whole_number_fields_and_decimal_points_are_not_steered():
    report = "PSA: 9,7; 2 laesies, 2,5 cm."
    assert _fed('{"count": 2', report=report, keys=("psa",)).steer().banned == []
    guard = _fed('{"psa": 9.', report=report)
    assert guard.steer().only is None and guard.steer().banned == []


def test_the_report_is_searched_once_per_number_not_at_every_step(monkeypatch):
    """The guard is incremental (issue 24): steering the steps of one number reads the report
    once, however many steps ask."""
    import re

    from pluk.core.engine import answer_guard

    searches = []
    search = re.search

    def counting(pattern, text, *args):
        searches.append(pattern)
        return search(pattern, text, *args)

    monkeypatch.setattr(answer_guard.re, "search", counting)
    guard = _fed('{"psa": 9', report="PSA: 9,7 ng/ml. " * 200)
    searches.clear()  # the one look at the report when the guard is made
    for _ in range(30):
        assert guard.steer().banned == [10]
    guard.feed(",")
    for _ in range(30):
        assert guard.steer().only == [9, 11]
    assert len(searches) == 1
