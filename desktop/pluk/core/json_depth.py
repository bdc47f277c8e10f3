"""JSON parsed with its nesting bounded: `loads_bounded` refuses a text nested deeper than a
limit before `json.loads` sees it.

Python's json parser recurses once per nesting level: 100,000 "[" raise RecursionError, and a
few hundred levels parse but crash whatever walks the value later (pydantic, json.dumps, the
task's schema). Report tables, task files, Taskfiles and DRAGON folders all read JSON through
here, so a hostile file is a one-line reason, never a traceback.

The depth is measured before parsing at C speed: strings are cut out by a regular expression
(a bracket inside a string does not count), everything but brackets is dropped, and the running
sum of +1 per opening and -1 per closing bracket is taken with `itertools.accumulate`; a 45 MB
file takes about 0.3 s, about what `json.loads` itself takes.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

__all__ = ["MAX_JSON_DEPTH", "JsonTooDeep", "json_depth", "loads_bounded"]

# DRAGON records nest 4 deep, task files about 2 levels per field level (loader.MAX_FIELD_DEPTH
# is 16); Python's own limit is 1,000 frames, shared with everything that walks the value.
MAX_JSON_DEPTH = 64

# A string to its closing quote, or to the end of an unclosed one: every match attempt succeeds
# without backtracking, so a text of escaped quotes that never closes is still linear.
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class JsonTooDeep(ValueError):
    """The text nests deeper than the limit; the message is the reason, without a subject."""

    def __init__(self, depth: int | None, limit: int) -> None:
        self.depth, self.limit = depth, limit
        how = f"{depth:,} levels deep" if depth is not None else "too deep to read"
        super().__init__(f"nested {how}, over the limit of {limit:,} levels")


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in a JSON text (0 for a bare value).

    Exact for valid JSON; broken JSON (an unclosed string) may count wrong, which only matters
    for a text that json.loads refuses anyway.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def loads_bounded(text: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """json.loads, refusing a text nested deeper than `max_depth` with JsonTooDeep.

    Raises json.JSONDecodeError for text that is not JSON, as json.loads does.
    """
    depth = json_depth(text)
    if depth > max_depth:
        raise JsonTooDeep(depth, max_depth)
    try:
        return json.loads(text)
    except RecursionError:  # not expected under the limit; never a traceback all the same
        raise JsonTooDeep(None, max_depth) from None
