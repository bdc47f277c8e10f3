"""Reads a model's answer in the grammar's language (JSON with decimal commas as object values)
back into Python values, with the character span of every value.

The spans say where each field's value starts and ends in the raw answer: the probability
scoring reads the model's decision at the start of a value, and the spans are the place to tie a
value to its evidence. Paths are written `field`, `list[0]`, `object.field`. A number written
otherwise than Python writes it (01, 1.50, 9,7) keeps its text (WrittenInt, WrittenFloat), so a
bare number-like enum choice is read as the option with exactly those digits.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel

_WS = re.compile(r"[ \t\r\n]*")
# As object values a decimal comma is part of the number: a separator is followed by a space
# or a quote, never by a digit. In arrays ("[1,2]") a comma is always a separator.
_NUMBER_IN_OBJECT = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?(?:[eE][-+]?[0-9]+)?")
_NUMBER_IN_ARRAY = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_SCANSTRING = json.decoder.scanstring


class WrittenInt(int):
    """A whole number the model wrote in another form than Python writes it (01, -0): `written`
    keeps the text, so a bare number-like enum choice is the option with exactly those digits
    ("01", not "1")."""

    written: str | None

    def __new__(cls, value: int, written: str | None = None):
        number = super().__new__(cls, value)
        number.written = written
        return number

    def __getnewargs__(self):
        return int(self), self.written


class WrittenFloat(float):
    """A number with a fraction or exponent the model wrote in another form than Python writes
    it (1.50, 9,7, 1e0): `written` keeps the text, as WrittenInt's does."""

    written: str | None

    def __new__(cls, value: float, written: str | None = None):
        number = super().__new__(cls, value)
        number.written = written
        return number

    def __getnewargs__(self):
        return float(self), self.written


def _number(text: str) -> int | float:
    """The number of `text` (a decimal comma read as a point), a Written one where Python
    would write it otherwise."""
    plain = text.replace(",", ".")
    value: int | float = float(plain) if any(c in plain for c in ".eE") else int(plain)
    if str(value) == text:
        return value
    return WrittenFloat(value, text) if isinstance(value, float) else WrittenInt(value, text)


class AnswerSyntaxError(ValueError):
    def __init__(self, message: str, pos: int):
        super().__init__(f"{message} at character {pos}")
        self.msg = message
        self.pos = pos


class Span(BaseModel):
    start: int
    end: int
    # How the model wrote it, where Pluk read more into it than JSON would (9,7 or 01).
    written: str | None = None


class ParsedAnswer(BaseModel):
    value: Any
    spans: dict[str, Span]


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.spans: dict[str, Span] = {}

    def ws(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()

    def fail(self, message: str, pos: int):
        raise AnswerSyntaxError(message, pos)

    def value(self, pos: int, path: str, *, in_array: bool) -> tuple[Any, int]:
        text = self.text
        if pos >= len(text):
            self.fail("the answer ends early", pos)
        char = text[pos]
        start = pos
        written = None
        if char == "{":
            value, pos = self.object(pos, path)
        elif char == "[":
            value, pos = self.array(pos, path)
        elif char == '"':
            try:
                value, pos = _SCANSTRING(text, pos + 1)
            except json.JSONDecodeError as exc:
                self.fail(exc.msg, exc.pos)
        elif text.startswith("true", pos):
            value, pos = True, pos + 4
        elif text.startswith("false", pos):
            value, pos = False, pos + 5
        elif text.startswith("null", pos):
            value, pos = None, pos + 4
        else:
            match = (_NUMBER_IN_ARRAY if in_array else _NUMBER_IN_OBJECT).match(text, pos)
            if not match:
                self.fail("expected a value", pos)
            number = match.group()
            pos = match.end()
            # JSON would not read a decimal comma or a leading zero: the span keeps the text.
            if "," in number or re.match(r"-?0[0-9]", number):
                written = number
            value = _number(number)
        if path:
            self.spans[path] = Span(start=start, end=pos, written=written)
        return value, pos

    def object(self, pos: int, path: str) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        pos = self.ws(pos + 1)
        if self.text.startswith("}", pos):
            return result, pos + 1
        while True:
            if not self.text.startswith('"', pos):
                self.fail("expected a key", pos)
            try:
                key, pos = _SCANSTRING(self.text, pos + 1)
            except json.JSONDecodeError as exc:
                self.fail(exc.msg, exc.pos)
            pos = self.ws(pos)
            if not self.text.startswith(":", pos):
                self.fail("expected ':'", pos)
            pos = self.ws(pos + 1)
            result[key], pos = self.value(pos, f"{path}.{key}" if path else key, in_array=False)
            pos = self.ws(pos)
            if self.text.startswith(",", pos):
                pos = self.ws(pos + 1)
            elif self.text.startswith("}", pos):
                return result, pos + 1
            else:
                self.fail("expected ',' or '}'", pos)

    def array(self, pos: int, path: str) -> tuple[list[Any], int]:
        result: list[Any] = []
        pos = self.ws(pos + 1)
        if self.text.startswith("]", pos):
            return result, pos + 1
        while True:
            item, pos = self.value(pos, f"{path}[{len(result)}]", in_array=True)
            result.append(item)
            pos = self.ws(pos)
            if self.text.startswith(",", pos):
                pos = self.ws(pos + 1)
            elif self.text.startswith("]", pos):
                return result, pos + 1
            else:
                self.fail("expected ',' or ']'", pos)


def parse_answer(text: str) -> ParsedAnswer:
    """The value and the spans of an answer; raises AnswerSyntaxError (msg, pos) on bad input."""
    parser = _Parser(text)
    start = parser.ws(0)
    value, end = parser.value(start, "", in_array=False)
    if parser.ws(end) != len(text):
        parser.fail("extra text after the answer", parser.ws(end))
    return ParsedAnswer(value=value, spans=parser.spans)
