"""JSON as a server sends it, read within limits: a key given twice in one object, an integer
of more than MAX_DIGITS digits (Python's int parsing is quadratic there) or nesting deeper than
MAX_DEPTH is a JSONLimitError with the reason, never a RecursionError or a silent last-wins.
Used for every body server_http.send reads and for the answer text inside it."""

from __future__ import annotations

import json
from typing import Any

from pluk.core.json_depth import MAX_JSON_DEPTH, json_depth

MAX_DEPTH = MAX_JSON_DEPTH      # arrays and objects within each other in a server's JSON
MAX_DIGITS = 1000               # digits of one integer in a server's JSON


class JSONLimitError(ValueError):
    """JSON that a server sent and load_json refuses: too deep, an integer too long, a key
    given twice."""


def short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "..."


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) < len(pairs):
        seen: set[str] = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise JSONLimitError(f"it has the key {short(key)!r} twice in one object")
    return value


def _int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_DIGITS:
        raise JSONLimitError(f"it has an integer of {digits} digits (at most {MAX_DIGITS} are "
                             "read)")
    return int(text)


def load_json(data: bytes | str) -> Any:
    """JSON a server sent: json.JSONDecodeError where it is none, JSONLimitError where it nests
    deeper than MAX_DEPTH, has an integer of more than MAX_DIGITS digits or a key twice in one
    object. The depth is measured before parsing, as for every JSON file Pluk reads
    (pluk.core.json_depth)."""
    if isinstance(data, bytes):  # decoded as json.loads would decode it
        data = data.decode(json.detect_encoding(data), "surrogatepass")
    if json_depth(data) > MAX_DEPTH:
        raise JSONLimitError(f"it nests deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(data, object_pairs_hook=_pairs, parse_int=_int)
    except RecursionError:  # not expected under the limit; never a traceback all the same
        raise JSONLimitError(f"it nests deeper than {MAX_DEPTH} levels") from None
