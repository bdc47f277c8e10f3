"""Text in a report that is addressed to the model (prompt injection), found without a model.

A report is data; text in it that speaks to the assistant is not. Three kinds are looked for,
each by a small fixed set of patterns, in English and Dutch:

- `instruction`: an instruction to the model ("ignore all previous instructions", "you are
  now", "answer with", "system prompt", "negeer alle eerdere instructies", "antwoord met").
- `chat marker`: a chat turn or role marker of a chat template (`<|im_start|>`, `<|im_end|>`,
  `[INST]`, `<start_of_turn>`, `</s>`, `<think>`, `### Assistant:` or `Assistant:` at the start
  of a line).
- `json answer`: a JSON object in the report (`{"psa": 999}`) with a key that is a field name
  of the task: an answer written for the model to copy.

Each finding has a character span of the report. What follows an instruction or a chat marker
is taken as addressed to the model too: its span runs to the end of its paragraph (a blank
line ends one) or, for an opening marker, to its closing one (`<think>` to `</think>`) if that
is further; a JSON answer's span is the object itself. evidence.py grounds no value on a
passage inside a span, loop.py warns on the record (pattern names and offsets, never the
report's text) and review_order.py puts such records first.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# The start of every warning about a finding (review_order.py looks for it there).
from pluk.core.runs.review_order import INJECTION_WARNING as WARNING_MARK

_I = re.IGNORECASE
_PREVIOUS = (r"(?:previous|prior|above|preceding|earlier|foregoing|former|original|system|"
             r"initial)")
_VORIGE = r"(?:eerdere|vorige|voorgaande|bovenstaande|bovengenoemde|oorspronkelijke|originele)"
# (name, pattern): names appear in warnings, so they stay short and never quote the report.
_INSTRUCTIONS: list[tuple[str, re.Pattern[str]]] = [
    ("ignore previous instructions", re.compile(
        r"\b(?:ignore|disregard|forget|override|skip)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|"
        r"your\s+|these\s+|those\s+)?" + _PREVIOUS + r"\s+(?:instructions?|prompts?|rules|"
        r"directions|directives|context|messages?|tasks?)\b", _I)),
    ("you are now", re.compile(r"\byou\s+are\s+now\b|\bfrom\s+now\s+on,?\s+you\b", _I)),
    ("answer with", re.compile(
        r"\b(?:answer|respond|reply)\s+(?:only\s+|just\s+|exactly\s+)?with\b|"
        r"\b(?:output|return|print)\s+(?:only\s+|just\s+)?(?:the\s+following\s+|this\s+)?json\b",
        _I)),
    ("system prompt", re.compile(r"\bsystem\s+(?:prompt|message|instructions?)\b|"
                                 r"\bnew\s+instructions\s*:", _I)),
    ("negeer eerdere instructies", re.compile(
        r"\b(?:negeer|vergeet|overschrijf|passeer)\s+(?:al\s+)?(?:alle\s+)?(?:de\s+|je\s+|jouw\s+"
        r"|uw\s+)?" + _VORIGE + r"\s+(?:instructies|instructie|opdrachten|opdracht|"
        r"aanwijzingen|regels|prompts?|berichten)\b", _I)),
    ("je bent nu", re.compile(r"\b(?:je|jij)\s+bent\s+nu\b|\bvanaf\s+nu\s+ben\s+(?:je|jij)\b",
                              _I)),
    ("antwoord met", re.compile(
        r"\b(?:antwoord|reageer)\s+(?:alleen\s+|uitsluitend\s+|enkel\s+|precies\s+)?met\b|"
        r"\bgeef\s+als\s+antwoord\b", _I)),
    ("systeemprompt", re.compile(r"\bsysteem\s*(?:prompt|bericht|instructies?)\b|"
                                 r"\bnieuwe\s+instructies\s*:", _I)),
]
# A marker that opens a turn, and the marker that closes it.
_PAIRS = {"<|im_start|>": "<|im_end|>", "<think>": "</think>", "[inst]": "[/inst]",
          "<start_of_turn>": "<end_of_turn>", "<<sys>>": "<</sys>>"}
_MARKERS: list[tuple[str, re.Pattern[str]]] = [
    ("special token", re.compile(r"<\|[A-Za-z_][\w.-]{0,40}\|>")),  # <|im_start|>, <|eot_id|>
    ("[INST]", re.compile(r"\[/?INST\]", _I)),
    ("<<SYS>>", re.compile(r"<</?SYS>>", _I)),
    ("turn marker", re.compile(r"</?(?:start_of_turn|end_of_turn|bos|eos)>", _I)),
    ("</s>", re.compile(r"</?s>")),
    ("<think>", re.compile(r"</?think>", _I)),
    ("role at line start", re.compile(
        r"^[ \t>]*(?:#{1,6}[ \t]*(?:assistant|system|user|human|instruction|response|"
        r"assistent|systeem|gebruiker)|assistant|assistent|system)[ \t]*:", _I | re.MULTILINE)),
]
_PARAGRAPH_END = re.compile(r"\n[ \t\r]*\n")
_KEY = re.compile(r"""["']?([A-Za-z_][\w.-]{0,63})["']?\s*:""")
_MAX_OBJECT = 4000  # characters: a longer "object" is not an answer someone wrote in a report


@dataclass(frozen=True)
class Finding:
    """One piece of text addressed to the model: [start, end) is the span it taints."""

    kind: str   # instruction, chat marker or json answer
    name: str   # the pattern, in words of Pluk's own (never the report's text)
    start: int
    end: int


def field_names(fields: Iterable[Any]) -> set[str]:
    """The names of a task's fields at any depth (list items and object fields too)."""
    names: set[str] = set()
    for spec in fields:
        names.add(spec.name)
        if spec.type == "list":
            names |= field_names([spec.items])
        elif spec.type == "object":
            names |= field_names(spec.fields)
    return names


class _Places:
    """Where the report's paragraphs end and its closing markers are, found once: each finding
    then looks its end up by bisection, so a report full of markers stays linear."""

    def __init__(self, text: str):
        self.paragraph_ends = [m.start() for m in _PARAGRAPH_END.finditer(text)] + [len(text)]
        self.closers = {closer: [m.end() for m in re.finditer(re.escape(closer), text, _I)]
                        for closer in set(_PAIRS.values())}

    def paragraph_end(self, pos: int) -> int:
        return self.paragraph_ends[bisect.bisect_left(self.paragraph_ends, pos)]

    def end(self, match: re.Match[str]) -> int:
        """To the end of the match's paragraph, or of its closing marker if that is further."""
        end = self.paragraph_end(match.end())
        closer = _PAIRS.get(match.group().casefold())
        if closer is not None:
            ends = self.closers[closer]
            at = bisect.bisect_left(ends, match.end() + len(closer))
            if at < len(ends):
                end = max(end, ends[at])
        return end


def _objects(text: str, places: _Places) -> list[tuple[int, int]]:
    """The outermost brace-balanced spans of at most _MAX_OBJECT characters, in one pass
    (braces inside a double-quoted string of one line do not count), and each `{` left open,
    to the end of its paragraph (at most _MAX_OBJECT characters)."""
    stack: list[int] = []
    pairs: list[tuple[int, int]] = []
    in_string, escaped = False, False
    for i, c in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c in '"\n':
                in_string = False
        elif c == '"' and stack:
            in_string = True
        elif c == "{":
            stack.append(i)
        elif c == "}" and stack:
            start = stack.pop()
            if i + 1 - start <= _MAX_OBJECT:
                pairs.append((start, i + 1))
    pairs.extend((start, min(places.paragraph_end(start), start + _MAX_OBJECT))
                 for start in stack)
    outer: list[tuple[int, int]] = []
    for start, end in sorted(pairs, key=lambda p: (p[0], -p[1])):
        if not outer or start >= outer[-1][1]:
            outer.append((start, end))
    return outer


def _json_answers(text: str, names: set[str], places: _Places) -> list[Finding]:
    wanted = {n.casefold() for n in names}
    found: list[Finding] = []
    if not wanted or "{" not in text:
        return found
    for start, end in _objects(text, places):
        keys = {m.group(1).casefold() for m in _KEY.finditer(text, start + 1, end)}
        hits = sorted(keys & wanted)
        if hits:
            found.append(Finding("json answer", "JSON with field " + ", ".join(hits[:5]),
                                 start, end))
    return found


def detect_injection(text: str | None, names: Iterable[str] = ()) -> list[Finding]:
    """Every piece of `text` addressed to the model, in text order; `names` are the task's
    field names, which make a JSON object in the report an answer."""
    if not text:
        return []
    places = _Places(text)
    found: list[Finding] = []
    for kind, patterns in (("instruction", _INSTRUCTIONS), ("chat marker", _MARKERS)):
        for name, pattern in patterns:
            for match in pattern.finditer(text):
                found.append(Finding(kind, name, match.start(), places.end(match)))
    found.extend(_json_answers(text, set(names), places))
    return sorted(found, key=lambda f: (f.start, f.end))


def tainted_spans(findings: Iterable[Finding]) -> list[tuple[int, int]]:
    """The findings' spans, overlapping ones merged, in text order."""
    spans: list[tuple[int, int]] = []
    for f in sorted(findings, key=lambda f: f.start):
        if spans and f.start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], f.end))
        else:
            spans.append((f.start, f.end))
    return spans


def masked(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """`text` with every span blanked out by line breaks: offsets stay, no word, number or
    clause reaches into or across a span."""
    out = list(text)
    for start, end in spans:
        out[start:end] = "\n" * (end - start)
    return "".join(out)


def injection_warning(findings: list[Finding]) -> str | None:
    """The record's warning naming what was found and where (offsets, no report text)."""
    if not findings:
        return None
    shown = [f"{f.kind} '{f.name}' at characters {f.start}-{f.end}" for f in findings[:8]]
    more = f" and {len(findings) - 8} more" if len(findings) > 8 else ""
    return (f"{WARNING_MARK}: the report has text addressed to the model ({'; '.join(shown)}"
            f"{more}); no value is taken as evidenced by those passages. Check this record "
            "against the report.")


def has_injection_warning(warnings: Iterable[str]) -> bool:
    return any(WARNING_MARK in w for w in warnings)
