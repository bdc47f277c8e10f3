"""The repeat guard: a list that repeats an item may only close; nothing else is banned."""

from __future__ import annotations

from pluk.core.repeat_guard import RepeatGuard, separator_tokens

VOCAB = {0: ",", 1: '",', 2: "},", 3: '"}, {"', 4: "]", 5: "a", 6: '"', 7: " ", 8: "x,y"}


def _guard() -> RepeatGuard:
    return RepeatGuard(lambda: separator_tokens(VOCAB.items()))


def _fed(*pieces: str) -> RepeatGuard:
    guard = _guard()
    for piece in pieces:
        guard.feed(piece)
    return guard


def test_separator_tokens_sorts_commas_and_object_ends():
    commas, object_ends = separator_tokens(VOCAB.items())
    assert commas == [0, 1, 2, 3, 8]
    assert object_ends == [2, 3]


def test_distinct_items_ban_nothing():
    guard = _fed('{"e": ["a", "b"', ', "c"')
    assert guard.banned() == [] and guard.repeats == 0


def test_a_repeated_string_item_bans_every_comma_at_the_list_level():
    guard = _fed('{"e": ["a", "b", "a"')
    assert guard.repeats == 1
    assert guard.banned() == [0, 1, 2, 3, 8]
    guard.feed("]")  # the list is closed: the rest of the answer is free again
    assert guard.banned() == []


def test_a_repeat_is_caught_when_the_separator_comes_in_the_same_token():
    guard = _fed('{"e": ["a', '", "a', '",')
    assert guard.repeats == 1
    guard.feed(' "a')  # inside the next item, '",' would go on: commas stay banned
    assert 1 in guard.banned()


def test_repeated_object_items_ban_only_closing_with_a_comma_inside_the_item():
    guard = _fed('{"e": [{"t": "a", "k": 1}, {"t": "a", "k": 1}, {"t": ', '"a", "k": 1')
    assert guard.repeats == 1
    # Inside the third object its own commas are allowed; only '},' is not.
    assert guard.banned() == [2, 3]


def test_scalar_items_are_compared_when_they_end():
    guard = _fed('{"n": [1, 2, 1,')
    assert guard.repeats == 1 and guard.banned()[0] == 0


def test_brackets_and_commas_inside_strings_are_text():
    guard = _fed('{"e": ["a, [b]", "a, [b"]')
    assert guard.repeats == 0 and guard.banned() == []


def test_the_vocabulary_is_read_only_once_a_list_repeats():
    calls = []

    def separators():
        calls.append(1)
        return separator_tokens(VOCAB.items())

    guard = RepeatGuard(separators)
    guard.feed('{"e": ["a", "b"')
    guard.banned()
    assert calls == []
    guard.feed(', "a"')
    guard.banned()
    guard.banned()
    assert calls == [1]
