"""Ends a list that a model has started to repeat.

Small models loop on entity lists: the same item again and again until the item or token limit
(SmolLM2 on NER tasks, 15 of 16 answers). A grammar cannot forbid a repeat, so the guard follows
the answer as it is written and, once an item of a list equals an earlier item of that list,
bans every token that would write the list's next separator: the model can then only close the
list, and decoding goes on with the rest of the answer. Validation keeps each item once and the
record notes the repeat.

The guard reads text only (a scanner of the answer's JSON structure), so any decoder can use it:
it is told each generated piece and answers with the token ids to ban at the next step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

# A token that ends an object item and writes the list separator in one piece ('},' '"},').
_CLOSES_AND_SEPARATES = re.compile(r"\}\s*,")


class _Array:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.item_start: int | None = None
        self.scalar = False
        self.repeated = False


class RepeatGuard:
    """Follows one answer. `separators()` gives (ids of tokens whose text holds a comma, ids
    of tokens that close an object and write a comma); it is called only once a list repeats,
    since reading a 262k vocabulary takes a moment."""

    def __init__(self, separators: Callable[[], tuple[list[int], list[int]]]):
        self._separators = separators
        self._commas: list[int] | None = None
        self._object_ends: list[int] = []
        self._text: list[str] = []
        self._pos = 0
        # Each open container: ("[", _Array) or ("{", start of the item it is, or None).
        self._stack: list[tuple[str, _Array | None]] = []
        self._in_string = False
        self._escape = False
        self._string_is_item = False
        self.repeats = 0

    # -- the scanner ------------------------------------------------------------------------

    def _parent_array(self) -> _Array | None:
        if self._stack and self._stack[-1][0] == "[":
            return self._stack[-1][1]
        return None

    def _begin_item(self, array: _Array | None, pos: int, scalar: bool = False) -> None:
        if array is not None and array.item_start is None:
            array.item_start = pos
            array.scalar = scalar

    def _end_item(self, array: _Array, end: int) -> None:
        text = "".join(self._text)[array.item_start:end].strip()
        if text in array.items:
            array.repeated = True
            self.repeats += 1
        array.items.append(text)
        array.item_start = None
        array.scalar = False

    def feed(self, piece: str) -> None:
        """Follow the next generated piece of text."""
        self._text.append(piece)
        for char in piece:
            pos = self._pos
            self._pos += 1
            if self._in_string:
                if self._escape:
                    self._escape = False
                elif char == "\\":
                    self._escape = True
                elif char == '"':
                    self._in_string = False
                    array = self._parent_array()
                    if self._string_is_item and array is not None:
                        self._end_item(array, pos + 1)
                continue
            array = self._parent_array()
            if char == '"':
                self._in_string = True
                self._string_is_item = array is not None and array.item_start is None
                self._begin_item(array, pos)
            elif char in "[{":
                self._begin_item(array, pos)
                self._stack.append(("[", _Array()) if char == "[" else ("{", None))
            elif char in "]}":
                if array is not None and array.scalar:
                    self._end_item(array, pos)
                if self._stack:
                    self._stack.pop()
                outer = self._parent_array()
                if outer is not None and outer.item_start is not None:
                    self._end_item(outer, pos + 1)
            elif char == ",":
                if array is not None and array.scalar:
                    self._end_item(array, pos)
            elif not char.isspace() and array is not None:
                self._begin_item(array, pos, scalar=True)

    # -- what to ban ------------------------------------------------------------------------

    def banned(self) -> list[int]:
        """Token ids the next step must not take: a list that repeated an item may not go on.
        At the list's own level every comma is banned; inside one of its string items too
        (a token such as '",' would close the item and go on in one piece); inside one of its
        object items only a token that closes the object and adds a comma."""
        for depth in range(len(self._stack) - 1, -1, -1):
            kind, array = self._stack[depth]
            if kind != "[" or not array.repeated:
                continue
            if self._commas is None:
                self._commas, self._object_ends = self._separators()
            inner = len(self._stack) - 1 - depth
            if inner == 0:
                return self._commas
            if inner == 1 and self._stack[-1][0] == "{":
                return self._object_ends
            return []
        return []


def separator_tokens(pieces: Iterable[tuple[int, str]]) -> tuple[list[int], list[int]]:
    """From (token id, text) pairs of a vocabulary: the comma tokens and the object-end tokens
    a RepeatGuard needs."""
    commas, object_ends = [], []
    for token, text in pieces:
        if "," in text:
            commas.append(token)
            if _CLOSES_AND_SEPARATES.search(text):
                object_ends.append(token)
    return commas, object_ends
