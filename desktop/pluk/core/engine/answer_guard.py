"""Steers an answer while it is written, where a grammar alone cannot: it ends a list that a
model repeats, and keeps a decimal comma that the report itself writes.

- Repeats. Small models loop on entity lists: the same item until the item or token limit
  (SmolLM2 on NER tasks, 15 of 16 answers). A grammar cannot forbid a repeat, so once an item
  of a list equals an earlier item of that list, every token that would write the list's next
  separator is banned: the model can only close the list and goes on with the rest of the
  answer. Validation keeps each item once and the record notes the repeat.
- Decimal commas. A Dutch report writes "PSA: 9,7". After `"psa": 9` a model writes `,`
  (SmolLM2: p 0.54, with `.` at 0.41), and then hesitates between the next key (0.32) and `7`
  (0.30): read as a separator, the value would be cut to 9. The grammar admits a decimal comma
  in an object's value; where the report writes this very number with a decimal comma
  ("9,<digit>"), the comma after those digits is taken as the report's decimal comma: a token
  that would write the comma and go on with something else is banned, and after the comma
  only digits may follow. Where the report does not write it so, nothing is steered.

The guard reads text only (a scanner of the answer's JSON structure), so any decoder can use
it: it is told each generated piece, and says which token ids the next step must not take, or
the only ones it may take. It is incremental: each character is scanned once, as it comes, and
the report is searched once per number, not at every step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pydantic import BaseModel

# A token that ends an object item and writes the list separator in one piece ('},' '"},').
_CLOSES_AND_SEPARATES = re.compile(r"\}\s*,")


class TokenClasses(BaseModel):
    """The token ids of a vocabulary that the guard steers with."""

    commas: list[int]         # any comma in the text
    object_ends: list[int]    # '}' then a comma
    comma_then_other: list[int]  # starts with a comma and goes on with something not a digit
    digits: list[int]         # starts with a digit


def token_classes(pieces: Iterable[tuple[int, str]]) -> TokenClasses:
    """From (token id, text) pairs of a vocabulary: the classes a guard needs."""
    commas, object_ends, comma_then_other, digits = [], [], [], []
    for token, text in pieces:
        if "," in text:
            commas.append(token)
            if _CLOSES_AND_SEPARATES.search(text):
                object_ends.append(token)
            if text.startswith(",") and len(text) > 1 and not text[1].isdigit():
                comma_then_other.append(token)
        if text[:1].isdigit():
            digits.append(token)
    return TokenClasses(commas=commas, object_ends=object_ends,
                        comma_then_other=comma_then_other, digits=digits)


class _Array:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.item_start: int | None = None
        self.scalar = False
        self.repeated = False


@dataclass(frozen=True, slots=True)
class Steer:
    """What the next step may take: made every answer step, so a plain object (a pydantic model
    validated the token lists each time)."""

    banned: list[int] = field(default_factory=list)
    only: list[int] | None = None


_FREE = Steer()  # nothing steered: the same object every step


class AnswerGuard:
    """Follows one answer. `classes()` reads the vocabulary; it is called only once there is
    something to steer, since reading a 262k vocabulary takes a moment. `report` is the text
    the model reads, for its decimal commas."""

    def __init__(self, classes: Callable[[], TokenClasses], report: str = "",
                 decimal_keys: Iterable[str] = ()):
        self._classes_source = classes
        # Keys whose values are decimals (float fields): whole numbers are never steered.
        self._decimal_keys = set(decimal_keys)
        self._key = ""
        self._string_start = 0
        self._classes: TokenClasses | None = None
        self._report = report
        self._has_decimal_commas = bool(re.search(r"\d,\d", report))
        # The answer's characters so far: appended to, never copied or scanned again.
        self._chars: list[str] = []
        # Whether the report writes these digits with a decimal comma: asked at every step
        # of a number, answered once per number.
        self._commas_seen: dict[str, bool] = {}
        self._pos = 0
        # Each open container: ("[", _Array) or ("{", None).
        self._stack: list[tuple[str, _Array | None]] = []
        self._in_string = False
        self._escape = False
        self._string_is_item = False
        # The number being written as an object's value, and whether a ':' awaits a value.
        self._awaiting_value = False
        self._number = ""
        self.repeats = 0
        self.decimal_commas = 0

    @property
    def classes(self) -> TokenClasses:
        if self._classes is None:
            self._classes = self._classes_source()
        return self._classes

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
        text = "".join(self._chars[array.item_start:end]).strip()
        if text in array.items:
            array.repeated = True
            self.repeats += 1
        array.items.append(text)
        array.item_start = None
        array.scalar = False

    def _follow_number(self, char: str) -> bool:
        """Follow an object's numeric value; True when `char` belongs to it."""
        if (self._awaiting_value and (char.isdigit() or char == "-")
                and self._key in self._decimal_keys):
            self._awaiting_value = False
            self._number = char
            return True
        if not self._number:
            return False
        if char.isdigit():
            if self._number.endswith(","):
                self.decimal_commas += 1
            self._number += char
            return True
        if char in ".," and not any(c in self._number for c in ".,"):
            self._number += char
            # A comma stays open: the next character says if it was a decimal comma.
            return char == "."
        self._number = ""
        return False

    def feed(self, piece: str) -> None:
        """Follow the next generated piece of text."""
        self._chars.extend(piece)
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
                    elif array is None:
                        self._key = "".join(self._chars[self._string_start + 1:pos])
                continue
            if self._follow_number(char):
                continue
            array = self._parent_array()
            if char == ":" and not array:
                self._awaiting_value = True
                continue
            if not char.isspace():
                self._awaiting_value = False
            if char == '"':
                self._in_string = True
                self._string_start = pos
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

    # -- what to steer ----------------------------------------------------------------------

    def _reports_decimal_comma(self, digits: str) -> bool:
        digits = digits.lstrip("-")
        if not self._has_decimal_commas:
            return False
        found = self._commas_seen.get(digits)
        if found is None:
            found = self._commas_seen[digits] = re.search(
                rf"(?<![\d.,]){re.escape(digits)},\d", self._report) is not None
        return found

    def _decimal(self) -> Steer | None:
        number = self._number
        if not number or "." in number:
            return None
        if number.endswith(","):
            if self._reports_decimal_comma(number[:-1]):
                return Steer(only=self.classes.digits)
            return None
        if "," not in number and self._reports_decimal_comma(number):
            return Steer(banned=self.classes.comma_then_other)
        return None

    def _repeat_bans(self) -> list[int]:
        """A list that repeated an item may not go on. At the list's own level every comma is
        banned; inside one of its string items too (a token such as '",' would close the item
        and go on in one piece); inside one of its object items only a token that closes the
        object and adds a comma."""
        for depth in range(len(self._stack) - 1, -1, -1):
            kind, array = self._stack[depth]
            if kind != "[" or not array.repeated:
                continue
            inner = len(self._stack) - 1 - depth
            if inner == 0:
                return self.classes.commas
            if inner == 1 and self._stack[-1][0] == "{":
                return self.classes.object_ends
            return []
        return []

    def steer(self) -> Steer:
        """What the next step may take."""
        decimal = self._decimal()
        if decimal is not None:
            return decimal
        banned = self._repeat_bans()
        return Steer(banned=banned) if banned else _FREE
