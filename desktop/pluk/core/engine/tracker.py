"""Follows the top level of a JSON answer byte by byte: which key's value starts or ends where,
and when the whole object is closed.

The decoder reads a decision (a bool or enum field's option) at the token that starts the
field's value, so it must know, as each token arrives, that this token begins the value of a
tracked key. The scan works on bytes: JSON's structure is ASCII, and no byte of a multi-byte
UTF-8 character equals an ASCII byte, so a character split across tokens cannot confuse it.
Offsets are byte offsets into the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

_WHITESPACE = frozenset(b" \t\r\n")
_OPEN = frozenset(b"{[")
_CLOSE = frozenset(b"}]")
_QUOTE, _BACKSLASH, _COLON, _COMMA = ord('"'), ord("\\"), ord(":"), ord(",")


@dataclass(frozen=True)
class ValueEvent:
    kind: Literal["start", "end"]
    key: str
    offset: int  # start: the value's first byte; end: one past its last byte


class TopLevelTracker:
    """Feed the answer's bytes in pieces; each call says which top-level values started or
    ended within the piece."""

    def __init__(self) -> None:
        self.offset = 0
        self.depth = 0
        self.closed = False
        self._state = "start"  # start, key?, key, colon, value?, value, after
        self._in_string = False
        self._escape = False
        self._string_role = ""  # "key", "value" or "" (a string inside a nested value)
        self._key = bytearray()
        self.key = ""
        self._scalar = False

    def feed(self, data: bytes) -> list[ValueEvent]:
        events: list[ValueEvent] = []
        for c in data:
            i = self.offset
            self.offset += 1
            if self._in_string:
                self._string_byte(c, i, events)
                continue
            if self._scalar:
                if c in _WHITESPACE or c == _COMMA or c in _CLOSE:
                    self._scalar = False
                    self._state = "after"
                    events.append(ValueEvent("end", self.key, i))
                else:
                    continue
            self._structure_byte(c, i, events)
        return events

    def _string_byte(self, c: int, i: int, events: list[ValueEvent]) -> None:
        if self._escape:
            self._escape = False
        elif c == _BACKSLASH:
            self._escape = True
        elif c == _QUOTE:
            self._in_string = False
            if self._string_role == "key":
                self.key = self._key.decode("utf-8", errors="replace")
                self._state = "colon"
            elif self._string_role == "value":
                self._state = "after"
                events.append(ValueEvent("end", self.key, i + 1))
            return
        if self._string_role == "key":
            self._key.append(c)

    def _structure_byte(self, c: int, i: int, events: list[ValueEvent]) -> None:
        top = self.depth == 1
        if c in _WHITESPACE:
            return
        if c == _QUOTE:
            self._in_string = True
            self._escape = False
            if top and self._state == "key?":
                self._string_role = "key"
                self._key.clear()
            elif top and self._state == "value?":
                self._string_role = "value"
                self._state = "value"
                events.append(ValueEvent("start", self.key, i))
            else:
                self._string_role = ""
        elif c in _OPEN:
            if top and self._state == "value?":
                self._state = "value"
                events.append(ValueEvent("start", self.key, i))
            self.depth += 1
            if self.depth == 1:
                self._state = "key?"
        elif c in _CLOSE:
            self.depth -= 1
            if self.depth == 1 and self._state == "value":
                self._state = "after"
                events.append(ValueEvent("end", self.key, i + 1))
            elif self.depth == 0:
                self.closed = True
        elif top and c == _COLON and self._state == "colon":
            self._state = "value?"
        elif top and c == _COMMA:
            self._state = "key?"
        elif top and self._state == "value?":
            self._state = "value"
            self._scalar = True
            events.append(ValueEvent("start", self.key, i))
