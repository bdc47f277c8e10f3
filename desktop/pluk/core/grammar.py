"""GBNF grammars from a task's JSON schema, with numeric bounds enforced.

llama.cpp's schema converter keeps property order and bounds strings and lists, but ignores
minimum/maximum, so a bounded number could still come out of range and fail validation. Here
every number with bounds is swapped for a placeholder before conversion and replaced afterwards
by a digit-level rule: no sign when the minimum is >= 0, at most the maximum (exactly for
integers, conservatively for decimals), no exponent. What a rule cannot express exactly (a
lower bound above zero) is still checked by validation, which then reports the field.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any

_PLACEHOLDER = "__pluk_num_{}__"
# JSON string characters: no raw control characters (JSON forbids them; the converter admits
# them), only the Basic Multilingual Plane (at most 3 UTF-8 bytes, so at most 3 tokens each, which
# makes the answer's token budget a true bound), and two-character escapes only: every character
# can be written directly, so \\uXXXX (6 tokens for one character) is never needed.
_STRICT_CHAR = r'char ::= [^"\\\x00-\x1F\x7F\U00010000-\U0010FFFF] | "\\" ["\\/bfnrt]'
TOKENS_PER_CHAR = 3


def _digits_upto(n: int) -> str:
    """n or fewer arbitrary digits (n >= 0)."""
    return " ".join(["[0-9]?"] * n) if n > 0 else ""


def _fixed_le(bound: str) -> str:
    """Exactly len(bound) digits, leading zeros allowed, whose value is <= bound."""
    if not bound:
        return '""'
    first, rest = int(bound[0]), bound[1:]
    tail = " ".join(["[0-9]"] * len(rest))
    options = []
    if first > 0:
        options.append(f"[0-{first - 1}] {tail}".strip())
    options.append(f'"{first}" {_fixed_le(rest)}'.strip() if rest else f'"{first}"')
    return "(" + " | ".join(options) + ")"


def natural_le(hi: int) -> str:
    """GBNF for the integers 0..hi written without leading zeros (hi >= 0)."""
    text = str(hi)
    n = len(text)
    options = ['"0"']
    if n >= 2:
        # Every number with 1..n-1 digits: [1-9] followed by up to n-2 digits.
        options.append(f"[1-9] {_digits_upto(n - 2)}".strip())
    if hi >= 1:
        first, rest = int(text[0]), text[1:]
        tail = " ".join(["[0-9]"] * len(rest))
        if n == 1:
            options.append(f"[1-{first}]")
        else:
            if first > 1:
                options.append(f"[1-{first - 1}] {tail}")
            options.append(f'"{first}" {_fixed_le(rest)}')
    return "(" + " | ".join(options) + ")"


def _number_rule(node: dict[str, Any]) -> str:
    integer = node.get("type") == "integer"
    lo, hi = node.get("minimum"), node.get("maximum")
    sign = "" if lo is not None and lo >= 0 else '"-"? '
    decimals = '("." [0-9] ' + _digits_upto(5) + ")?"
    if hi is None or hi < 0 or sign:
        # Unbounded above (or a negative range): bound only the magnitude's digit count.
        digits = len(str(int(max(abs(lo or 0), abs(hi or 0))))) if hi is not None else 15
        body = f"{sign}(\"0\" | [1-9] {_digits_upto(max(digits - 1, 0))})"
        return f"({body}{'' if integer else ' ' + decimals}) space"
    if integer:
        return f"{natural_le(int(math.floor(hi)))} space"
    whole = int(math.floor(hi))
    if whole == 0:
        return f'("0" {decimals}) space'  # 0 < hi < 1: validation checks the decimals
    # Below the maximum's integral part any decimals fit; at it, none are allowed, so the
    # value never exceeds the maximum.
    return f'({natural_le(whole - 1)} {decimals} | "{whole}") space'


def _swap_numbers(node: Any, rules: list[str]) -> Any:
    if isinstance(node, dict):
        if node.get("type") in ("integer", "number") and (
            "minimum" in node or "maximum" in node
        ):
            rules.append(_number_rule(node))
            return {"const": _PLACEHOLDER.format(len(rules) - 1)}
        return {key: _swap_numbers(value, rules) for key, value in node.items()}
    if isinstance(node, list):
        return [_swap_numbers(item, rules) for item in node]
    return node


def schema_to_gbnf(schema: dict[str, Any]) -> str:
    """GBNF text for the schema, properties in schema order, numeric bounds enforced."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    rules: list[str] = []
    swapped = _swap_numbers(copy.deepcopy(schema), rules)
    gbnf = json_schema_to_gbnf(json.dumps(swapped))
    gbnf = "\n".join(
        _STRICT_CHAR if line.startswith("char ::=") else line for line in gbnf.splitlines())
    for index, rule in enumerate(rules):
        literal = json.dumps(json.dumps(_PLACEHOLDER.format(index)))
        gbnf = gbnf.replace(literal, f"pluk-num-{index}")
        gbnf += f"\npluk-num-{index} ::= {rule}"
    return gbnf
