"""Pluk's own GBNF grammar for a task's JSON schema: the language a model may answer in.

Pluk writes the grammar itself (instead of llama.cpp's generic converter) because the answer
language is a little wider than strict JSON, in ways that let a model write a value the way it
naturally would, while Pluk still decides what the value means:
- numbers take a decimal comma ("9,7", as Dutch reports write it) where that cannot be read as
  a separator: as an object's value, where the next key after a separator starts with a quote.
  Array items take only the decimal point. `answer_parse` reads both back;
- an enum value that looks like a number ("4", a PI-RADS score) may also be written bare (4);
- a number has at most one digit more than its bounds need, but no exact bound: a runaway
  "1000..." then ends out of range and validation makes it null with the reason, instead of
  the grammar stopping it at exactly the maximum (a value the model never meant);
- strings admit only JSON-legal characters of the Basic Multilingual Plane (at most 3 UTF-8
  bytes, so at most TOKENS_PER_CHAR tokens each: the answer's token budget is a true bound)
  and two-character escapes only.
Properties come in the task's order and every bound on strings and lists is enforced.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pluk.core.errors import PlukError

TOKENS_PER_CHAR = 3
# Digits of an unbounded number: more than any clinical value needs, few enough to end a loop.
UNBOUNDED_DIGITS = 15
DECIMALS = 6
# Whitespace where JSON allows it: a space, or a new line and indentation, as a model that
# pretty-prints JSON writes it (SmolLM2 and Gemma 3 indent by two). The most characters one
# such place may take; 8 of indentation reach a nested object in a list, and each allowed
# character is one a looping model may waste.
SPACE_CHARS = 9
NUMBER_LIKE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")

_HEADER = [
    r'space ::= | " " | "\n" [ \t]{0,' + str(SPACE_CHARS - 1) + '}',
    r'char ::= [^"\\\x00-\x1F\x7F\U00010000-\U0010FFFF] | "\\" ["\\/bfnrt]',
]


def literal(text: str) -> str:
    """A GBNF string literal matching `text` exactly."""
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"')
               .replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def integer_digits(node: dict[str, Any]) -> int:
    """Digits a number's integral part may have: one more than its largest bound has."""
    bounds = [abs(int(node[k])) for k in ("minimum", "maximum") if node.get(k) is not None]
    if node.get("maximum") is None:
        return UNBOUNDED_DIGITS
    return len(str(max(bounds))) + 1


def number_body(node: dict[str, Any], *, decimal_comma: bool) -> str:
    """GBNF for a number of this schema node, without the trailing space.

    Integers also take decimals, so "26,5" for a whole-number field is not cut to 26:
    validation then names the value that is not whole instead."""
    lo = node.get("minimum")
    sign = '"-"? ' if lo is None or lo < 0 else ""
    digits = integer_digits(node)
    whole = f'("0" | [1-9] [0-9]{{0,{digits - 1}}})' if digits > 1 else '[0-9]'
    point = '[.,]' if decimal_comma else '"."'
    return f"{sign}{whole} ({point} [0-9]{{1,{DECIMALS}}})?"


class _Writer:
    def __init__(self) -> None:
        self.rules: list[str] = []
        self.names: set[str] = set()

    def rule(self, hint: str, body: str) -> str:
        base = re.sub(r"[^a-zA-Z0-9]+", "-", hint).strip("-").lower() or "value"
        name, n = base, 1
        while name in self.names or name in ("root", "space", "char"):
            n += 1
            name = f"{base}-{n}"
        self.names.add(name)
        self.rules.append(f"{name} ::= {body}")
        return name

    def value(self, node: dict[str, Any], hint: str, *, in_array: bool) -> str:
        """The rule name for a value of `node`, trailing space included."""
        if "anyOf" in node:
            options = [self.value(option, hint, in_array=in_array) for option in node["anyOf"]]
            return self.rule(hint, " | ".join(options))
        kind = node.get("type")
        if kind == "null":
            return self.rule("null", '"null" space')
        if kind == "boolean":
            return self.rule(hint, '("true" | "false") space')
        if kind in ("integer", "number"):
            return self.rule(hint, f"{number_body(node, decimal_comma=not in_array)} space")
        if kind == "string" and "enum" in node:
            forms = []
            for value in node["enum"]:
                forms.append(literal(json.dumps(value, ensure_ascii=False)))
                if NUMBER_LIKE.match(value):
                    forms.append(literal(value))
            return self.rule(hint, "(" + " | ".join(forms) + ") space")
        if kind == "string":
            limit = node.get("maxLength")
            if limit is None:
                raise PlukError(f"A text field without a maximum length: {hint}")
            return self.rule(hint, f'"\\"" char{{0,{limit}}} "\\"" space')
        if kind == "array":
            limit = node.get("maxItems")
            if limit is None:
                raise PlukError(f"A list without a maximum number of items: {hint}")
            item = self.value(node["items"], f"{hint}-item", in_array=True)
            more = f' ("," space {item}){{0,{limit - 1}}}' if limit > 1 else ""
            return self.rule(hint, f'"[" space ({item}{more})? "]" space')
        if kind == "object":
            return self.object(node, hint)
        raise PlukError(f"The grammar cannot express the schema node {json.dumps(node)[:120]}")

    def object(self, node: dict[str, Any], hint: str) -> str:
        pairs = []
        for name, sub in node.get("properties", {}).items():
            value = self.value(sub, f"{hint}-{name}" if hint != "answer" else name,
                               in_array=False)
            pairs.append(f"{literal(json.dumps(name, ensure_ascii=False))} space \":\" space "
                         f"{value}")
        inner = ' "," space '.join(pairs)
        return self.rule(hint, f'"{{" space {inner} "}}" space' if pairs else '"{" space "}" space')


def schema_to_gbnf(schema: dict[str, Any]) -> str:
    """GBNF text for a task's JSON schema: properties in schema order, bounds enforced."""
    if schema.get("type") != "object":
        raise PlukError("A task's answer must be a JSON object")
    writer = _Writer()
    top = writer.object(schema, "answer")
    return "\n".join([f"root ::= {top}", *_HEADER, *writer.rules]) + "\n"
