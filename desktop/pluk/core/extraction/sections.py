"""Splitting a report too long for the context into overlapping sections.

A section is a span of the report's own text (so evidence offsets stay the report's), cut on
the largest boundary that fits: paragraphs, then lines and sentences, then words, and only for
a single word longer than a section, characters. Sizes are the model's own token counts: each
sentence is counted, the sentences are packed greedily, a section ends at a paragraph's end
where one lies in its second half, and every packed section is counted again as a whole
(tokenizing two pieces apart can differ from tokenizing them together by a token or two) and
shrunk while it does not fit. Consecutive sections share up to `overlap` tokens of whole
sentences, so what one boundary cuts is whole in the next section.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pluk.core.runs.records import Section

# The share of a section repeated at the start of the next, and its cap in tokens.
OVERLAP_SHARE = 0.1
OVERLAP_MAX = 256

_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\n+")
_WORD = re.compile(r"\s+")


def default_overlap(room: int) -> int:
    """Tokens repeated between consecutive sections of `room` tokens: a tenth, at most
    OVERLAP_MAX."""
    return min(OVERLAP_MAX, int(room * OVERLAP_SHARE))


def _pieces(text: str, start: int, end: int, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """text[start:end] cut after each match of `pattern` (the separator stays with the piece
    before it, so the pieces cover the span without gaps)."""
    out, at = [], start
    for match in pattern.finditer(text, start, end):
        if match.end() > at and match.start() > at:
            out.append((at, match.end()))
            at = match.end()
    if at < end:
        out.append((at, end))
    return out


def _fitted(text: str, start: int, end: int, room: int, count: Callable[[str], int],
            level: int) -> list[tuple[int, int, int]]:
    """(start, end, tokens) pieces covering text[start:end], each of at most `room` tokens:
    whole if it fits, else cut at words (level 0), then halved by characters (level 1)."""
    n = count(text[start:end])
    if n <= room or end - start <= 1:
        return [(start, end, n)]
    if level == 0:
        pieces = _pieces(text, start, end, _WORD)
        if len(pieces) > 1:
            return [u for a, b in pieces for u in _fitted(text, a, b, room, count, 1)]
    middle = start + (end - start) // 2
    return (_fitted(text, start, middle, room, count, 1)
            + _fitted(text, middle, end, room, count, 1))


def _units(text: str, room: int, count: Callable[[str], int]) -> list[tuple[int, int, int, bool]]:
    """(start, end, tokens, ends_paragraph) units covering the text: its sentences and lines
    (a longer one cut at words), each of at most `room` tokens."""
    units = []
    for p_start, p_end in _pieces(text, 0, len(text), _PARAGRAPH):
        inner = [u for a, b in _pieces(text, p_start, p_end, _SENTENCE)
                 for u in _fitted(text, a, b, room, count, 0)]
        units += [(a, b, n, i == len(inner) - 1) for i, (a, b, n) in enumerate(inner)]
    return units


def split_sections(text: str, room: int, count: Callable[[str], int],
                   overlap: int | None = None) -> list[Section]:
    """The sections of `text`, each of at most `room` tokens as `count` counts them, in order,
    covering the whole text. A section ends at a paragraph's end where one lies in its second
    half, else at a sentence's; the next one starts with the last sentences before that end,
    at most `overlap` tokens of them (default: a tenth of a section, at most OVERLAP_MAX)."""
    if room < 1:
        raise ValueError("a section must hold at least one token")
    if overlap is None:
        overlap = default_overlap(room)
    units = _units(text, room, count)
    sections: list[Section] = []
    first = 0
    while first < len(units):
        last, total = first, units[first][2]
        while last + 1 < len(units) and total + units[last + 1][2] <= room:
            last += 1
            total += units[last][2]
        if last + 1 < len(units) and not units[last][3]:
            # Prefer a paragraph's end, if one leaves the section at least half full.
            running, best = 0, None
            for j in range(first, last + 1):
                running += units[j][2]
                if units[j][3] and running >= room // 2:
                    best = j
            last = best if best is not None else last
        while True:  # the section as one text may count more than its units did
            start, end = units[first][0], units[last][1]
            tokens = count(text[start:end])
            if tokens <= room or last == first:
                break
            last -= 1
        sections.append(Section(start=start, end=end, tokens=tokens))
        if last + 1 >= len(units):
            break
        # The next section repeats up to `overlap` tokens of this one's last units, but
        # always starts after this one's first unit, so the split moves forward.
        back, shared = last + 1, 0
        while back - 1 > first and shared + units[back - 1][2] <= overlap:
            back -= 1
            shared += units[back][2]
        first = back
    return sections
