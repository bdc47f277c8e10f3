"""Evidence: ties every non-null value of a record to the passage of the report that supports
it, as character offsets into the report text Pluk read, after the answer, without a model.

Each value gets an `Evidence`: `exact` when the value is written in the report in one of its
forms (a number as "9,7", "9.7" or "9.70", next to its field's words; a string verbatim; a
yes/no field by a clause that names the field and says yes or no to it), `fuzzy` with a score
in (0, 1) when the passage only resembles the value (case or spacing differs, a synonym from the
task's description, a unit converted, a number rounded), `weak` when the value only coincides
with a number (or short code) that is not next to its field's words ("Haemoglobin 9.7" for a
PSA of 9.7: evidence_label.py says what "next to" means), and `not_found` when nothing in the
report supports it. Weak and ungrounded values are flagged, never hidden, and a date, a time,
a range, a list's numbering or an identifier (number_kinds.py) grounds no number of another
kind. For every status but `not_found`, `text[start:end] == quote`. Text in the report addressed to the model
(injection.py) is never evidence: a value written only there is `not_found`.

Paths are those of answer_parse: `psa`, `lesion.size`, `lesions[0].size_mm`, `findings[2]`.
Strings use difflib: candidate windows start only where a word of the value occurs, which keeps
a 200-character value against a long report to a few hundred short comparisons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from pluk.core.extraction.evidence_label import FieldWords, Labels, compatible_units, field_words
from pluk.core.extraction.evidence_text import (
    NEGATIVE_WORDS, NUMBER_WORDS, POSITIVE_WORDS, FieldTerms, ReportText, Span, coverage,
    field_terms, find_phrase, keyword_hits, norm_unit, norm_word, ratio, roman)
from pluk.core.extraction.injection import (
    detect_injection, field_names, masked, tainted_spans)
from pluk.core.runs.records import Evidence
from pluk.core.tasks import TaskDefinition

NOT_FOUND = Evidence(quote="", start=0, end=0, status="not_found", score=None)
FUZZY_MIN = 0.75  # below this a string's best window is not evidence of it
NEAR_CHARS = 80  # a number this close to a word of its field is in its context
_ANCHOR_CHARS = 200


@dataclass
class _Context:
    """Where a value sits: the words of its field, the passage of its list item (anchor), and
    for list items the place the previous item was found (lists are mostly in text order)."""

    terms: FieldTerms
    hits: list[int]
    words: FieldWords
    labels: Labels
    rivals: list[FieldWords]
    anchor: Span | None = None
    order: "_ListOrder | None" = None


@dataclass
class _ListOrder:
    cursor: int = 0
    used: set[tuple[int, int]] = field(default_factory=set)


def find_evidence(task: TaskDefinition, fields: dict[str, Any] | None, text: str
                  ) -> dict[str, Evidence]:
    """Evidence for every non-null value of `fields` (a record's validated values).

    Text addressed to the model (injection.py: an instruction, a chat marker, a JSON answer)
    is no evidence: it is blanked out before the search, and a value found only there is
    `not_found`."""
    spans = tainted_spans(detect_injection(text, field_names(task.fields)))
    report = ReportText(masked(text, spans) if spans else text)
    out: dict[str, Evidence] = {}
    shared = _Shared(Labels(report), [w for spec in task.fields for w in _words_of(spec, "")])
    for spec in task.fields:
        _walk(spec, (fields or {}).get(spec.name), spec.name, report, out, "", None, None,
              shared)
    if spans:  # a passage that reaches into a blanked span (a window across it) is none either
        out = {path: NOT_FOUND if e.status != "not_found" and any(
            e.start < end and start < e.end for start, end in spans) else e
            for path, e in out.items()}
    return out


@dataclass
class _Shared:
    """What every field of one report uses: the numbers' labels, and the words of every scalar
    field of the task (a number named more fully by another field is not this one's)."""

    labels: Labels
    rivals: list[FieldWords]


def _words_of(spec: Any, context: str) -> list[FieldWords]:
    if spec.type == "list":
        return _words_of(spec.items, " ".join(filter(None, [context, spec.description])))
    if spec.type == "object":
        inner = " ".join(filter(None, [context, spec.description]))
        return [w for sub in spec.fields for w in _words_of(sub, inner)]
    return [field_words(spec, context)]


def _walk(spec: Any, value: Any, path: str, report: ReportText, out: dict[str, Evidence],
          context: str, anchor: Span | None, order: _ListOrder | None, shared: _Shared
          ) -> Evidence | None:
    if value is None:
        return None
    if spec.type == "list":
        if not isinstance(value, list):
            return None
        state = _ListOrder()
        inner = " ".join(filter(None, [context, spec.description]))
        for index, item in enumerate(value):
            _walk(spec.items, item, f"{path}[{index}]", report, out, inner, anchor, state, shared)
        return None
    if spec.type == "object":
        if not isinstance(value, dict):
            return None
        inner = " ".join(filter(None, [context, spec.description]))
        # Strings first: the passage they are found at anchors the item's numbers and labels.
        ordered = sorted(spec.fields, key=lambda s: s.type != "string")
        item_anchor = anchor
        found: list[Evidence] = []
        for sub in ordered:
            evidence = _walk(sub, value.get(sub.name), f"{path}.{sub.name}", report, out, inner,
                             item_anchor, order, shared)
            if evidence is not None and evidence.status != "not_found":
                found.append(evidence)
                if sub.type == "string" and item_anchor is anchor:
                    item_anchor = Span(evidence.start, evidence.end)
        if order is not None and found:
            order.cursor = max(e.end for e in found)
        for sub in spec.fields:  # what the item's own words could not ground: its labels
            key = f"{path}.{sub.name}"
            if (out.get(key) is not None and out[key].status == "not_found"
                    and sub.type in ("enum", "int") and item_anchor is not anchor):
                out[key] = _quote(report, item_anchor, "fuzzy", 0.5)
        return None
    terms = field_terms(spec, context)
    ctx = _Context(terms, keyword_hits(terms, report), field_words(spec, context), shared.labels,
                   shared.rivals, anchor, order)
    evidence = _scalar(spec, value, report, ctx)
    out[path] = evidence
    if order is not None and evidence.status != "not_found":
        order.cursor = max(order.cursor, evidence.end)
        order.used.add((evidence.start, evidence.end))
    return evidence


def _scalar(spec: Any, value: Any, report: ReportText, ctx: _Context) -> Evidence:
    kind = spec.type
    if kind == "bool" and isinstance(value, bool):
        return _polar(value, report, ctx)
    if kind in ("int", "float") and isinstance(value, (int, float)):
        return _number(float(value), spec.unit, kind == "int", report, ctx)
    if kind == "enum" and isinstance(value, str):
        return _enum(value, spec, report, ctx)
    if isinstance(value, str):
        return _string(value, report, ctx)
    return NOT_FOUND


# -- choosing among places ------------------------------------------------------------------------

def _quote(report: ReportText, span: Span, status: str, score: float | None) -> Evidence:
    return Evidence(quote=report.text[span.start:span.end], start=span.start, end=span.end,
                    status=status, score=None if score is None else round(score, 3))


def _near_keyword(ctx: _Context, span: Span) -> float:
    """1 next to a word of the field, falling towards 0 with distance."""
    if not ctx.hits:
        return 0.0
    distance = min(abs(h - span.start) for h in ctx.hits)
    return 1.0 / (1.0 + distance / 40.0)


def _place_score(report: ReportText, ctx: _Context, span: Span) -> float:
    score = _near_keyword(ctx, span)
    clause = report.clause_at(span.start)
    if clause is not None and ctx.terms.phrases:
        score += coverage(ctx.terms, report.words_in(clause))
    if ctx.anchor is not None:
        score += 2.0 / (1.0 + abs(span.start - ctx.anchor.start) / 40.0)
    if ctx.order is not None:
        unused = (span.start, span.end) not in ctx.order.used
        after = span.start >= ctx.order.cursor
        score += 3.0 * unused + 2.0 * (unused and after)
        if unused and after:  # the first unused place after the last item wins ties
            score -= (span.start - ctx.order.cursor) / max(1, len(report.text))
    return score


def _best(report: ReportText, ctx: _Context, spans: list[Span]) -> Span | None:
    if not spans:
        return None
    return max(spans, key=lambda s: (_place_score(report, ctx, s), -s.start))


def _in_context(report: ReportText, ctx: _Context, span: Span) -> bool:
    if not ctx.terms.words:
        return True  # a field without words of its own: nothing to check the place against
    if ctx.anchor is not None and abs(span.start - ctx.anchor.start) <= _ANCHOR_CHARS:
        return True
    if any(abs(h - span.start) <= NEAR_CHARS for h in ctx.hits):
        return True
    clause = report.clause_at(span.start)
    return clause is not None and coverage(ctx.terms, report.words_in(clause)) > 0


# -- numbers --------------------------------------------------------------------------------------

def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _number(value: float, unit: str | None, whole: bool, report: ReportText, ctx: _Context,
            derive: bool = True) -> Evidence:
    """A number as the report writes it; with `derive`, also converted (cm to mm) or rounded,
    as a task may ask (a choice like "2" is never derived: "1.9 mm" is not two lesions).

    Only a number stated next to its field's words (evidence_label.py) is `exact` or `fuzzy`;
    the same number elsewhere is `weak`. A date, a time, a range, a list's numbering or an
    identifier grounds nothing unless the field's own words name it."""
    want = norm_unit(unit)
    stated: list[Span] = []
    weak: list[Span] = []
    derived: list[tuple[float, Span]] = []  # converted or rounded, with the score it earns
    for number in report.numbers:
        if number.kind in ("date", "time"):
            continue
        span = Span(number.start, number.unit_end if number.unit == want or (
            want is None and number.unit) else number.end)
        found, score = number.value, 1.0
        if not _same(found, value) and derive and want in ("mm", "cm") \
                and number.unit in ("mm", "cm") and number.unit != want:
            found *= 10.0 if want == "mm" else 0.1
            span = Span(number.start, number.unit_end)
            score = 0.9
        if not _same(found, value) and derive and value.is_integer() and not _same(
                found, round(found)) and _same(math.floor(found + 0.5), value):
            found, score = value, 0.7  # a task may ask for whole numbers: 3.8 mm as 4
        if not _same(found, value):
            continue
        if _stated(ctx, number):
            (stated.append(span) if score == 1.0 else derived.append((score, span)))
        elif number.kind == "plain":
            weak.append(span)
    best = _best(report, ctx, stated)
    if best is not None:
        return _quote(report, best, "exact", None)
    if derived:
        top = max(score for score, _ in derived)
        best = _best(report, ctx, [span for score, span in derived if score == top])
        return _quote(report, best, "fuzzy", top)
    if whole and value.is_integer():
        words = _number_words(int(value), report, ctx)
        if words.status != "not_found":
            return words
    best = _best(report, ctx, weak)
    return NOT_FOUND if best is None else _quote(report, best, "weak", None)


def _stated(ctx: _Context, number: Any) -> bool:
    """Whether a number stands next to its field's words, or (a list item's) near the passage
    its item was found at, in a unit the field allows and with no word for something else."""
    if ctx.labels.states(ctx.words, number, ctx.rivals):
        return True
    return (number.kind == "plain" and ctx.anchor is not None
            and abs(number.start - ctx.anchor.start) <= _ANCHOR_CHARS
            and compatible_units(ctx.words.unit, number.unit)
            and not ctx.labels.foreign(ctx.words, number))


def _number_words(value: int, report: ReportText, ctx: _Context) -> Evidence:
    """A count written as a word ("twee laesies", "no lesions") or a Roman numeral ("III")."""
    words = {norm_word(w) for w in NUMBER_WORDS.get(value, ())}
    numeral = roman(value)
    spans = [Span(w.start, w.end) for w in report.words
             if w.norm in words or (numeral is not None
                                    and report.text[w.start:w.end] == numeral)]
    spans = [s for s in spans if _in_context(report, ctx, s) and ctx.terms.words]
    best = _best(report, ctx, spans)
    return NOT_FOUND if best is None else _quote(report, best, "fuzzy", 0.8)


# -- yes/no ---------------------------------------------------------------------------------------

def _polar(value: bool, report: ReportText, ctx: _Context) -> Evidence:
    """The clause that names the field and says yes (value true) or no (false) to it."""
    candidates = []
    for clause in report.clauses:
        if clause.question:
            continue  # "Adhesies?" in the request is not a finding either way
        words = report.words_in(clause)
        negated = report.negated(clause)
        cover = coverage(ctx.terms, words) if negated != value else 0.0
        if not value and not negated:  # "normale nieren" names the false case itself
            cover = max(cover, coverage(ctx.terms, words, false_case=True))
        if cover >= 0.5:
            candidates.append((cover, clause))
    if not candidates:
        return NOT_FOUND
    top = max(c for c, _ in candidates)
    best = _best(report, ctx, [clause for cover, clause in candidates if cover == top])
    if top >= 1.0:
        return _quote(report, best, "exact", None)
    return _quote(report, best, "fuzzy", min(0.95, top))


# -- choices --------------------------------------------------------------------------------------

def _number_like(value: str) -> float | None:
    try:
        return float(value.replace(",", "."))
    except ValueError:
        return None


def _enum(value: str, spec: Any, report: ReportText, ctx: _Context) -> Evidence:
    lowered = value.strip().casefold()
    if lowered in POSITIVE_WORDS or lowered in NEGATIVE_WORDS:
        return _polar(lowered in POSITIVE_WORDS, report, ctx)
    number = _number_like(value)
    if number is not None:
        return _number(number, spec.unit, number.is_integer(), report, ctx, derive=False)
    verbatim = _verbatim(value, report, words_only=True)
    verbatim = [s for s in verbatim if not _denied(report, s)]
    weak: list[Span] = []
    if len(value) <= 2:  # a short code ("T2", "A") grounds only where its field's words are
        weak = [s for s in verbatim if not _in_context(report, ctx, s)]
        verbatim = [s for s in verbatim if _in_context(report, ctx, s)]
    best = _best(report, ctx, verbatim)
    if best is not None:
        return _quote(report, best, "exact", None)
    phrases = [tuple(norm_word(w) for w in value.split())]
    synonyms = ctx.terms.glosses.get(value, [])
    found: list[tuple[float, Span]] = []
    for phrase, synonym in [(p, False) for p in phrases] + [(p, True) for p in synonyms]:
        for span in find_phrase(report, phrase):
            if _denied(report, span):
                continue
            if len(value) <= 2 and not synonym and not _in_context(report, ctx, span):
                weak.append(span)
                continue
            # The value's own words score by likeness; a synonym the task gives, a fixed 0.8.
            found.append((0.8 if synonym else ratio(value.casefold(), report.text[
                span.start:span.end].casefold()), span))
    if not found:
        best = _best(report, ctx, weak)
        return NOT_FOUND if best is None else _quote(report, best, "weak", None)
    top = max(score for score, _ in found)
    best = _best(report, ctx, [span for score, span in found if score >= top - 0.05])
    return _quote(report, best, "fuzzy", min(0.99, top))


def _denied(report: ReportText, span: Span) -> bool:
    """A choice named in a negated clause ("geen PDAC") is not evidence for it."""
    clause = report.clause_at(span.start)
    return clause is not None and (clause.question or report.negated(clause))


# -- strings --------------------------------------------------------------------------------------

def _verbatim(value: str, report: ReportText, *, words_only: bool) -> list[Span]:
    text, spans, start = report.text, [], 0
    while True:
        at = text.find(value, start)
        if at < 0:
            return spans
        end = at + len(value)
        bounded = ((at == 0 or not text[at - 1].isalnum())
                   and (end == len(text) or not text[end].isalnum()))
        if bounded or not words_only:
            spans.append(Span(at, end))
        start = at + 1


def _string(value: str, report: ReportText, ctx: _Context) -> Evidence:
    needle = value.strip()
    if not needle:
        return NOT_FOUND
    spans = _verbatim(needle, report, words_only=True) or (
        _verbatim(needle, report, words_only=False) if len(needle) >= 4 else [])
    best = _best(report, ctx, spans)
    if best is not None:
        return _quote(report, best, "exact", None)
    folded = " ".join(needle.casefold().split())
    spans, start = [], 0
    while True:
        at = report.norm.find(folded, start)
        if at < 0:
            break
        spans.append(Span(*report.original(at, at + len(folded))))
        start = at + 1
    best = _best(report, ctx, spans)
    if best is not None:
        return _quote(report, best, "fuzzy",
                      min(0.99, ratio(needle, report.text[best.start:best.end])))
    return _fuzzy_string(needle, report, ctx)


def _fuzzy_string(needle: str, report: ReportText, ctx: _Context) -> Evidence:
    """The window of the report's words most like the value, if it is like enough."""
    value_words = [norm_word(w) for w in needle.split() if w.strip()]
    target = " ".join(needle.casefold().split())
    n = len(value_words)
    if not value_words:
        return NOT_FOUND
    words = report.words
    starts: set[int] = set()
    for index, word in enumerate(words):
        for offset, part in enumerate(value_words):
            if len(part) >= 3 and word.norm[:3] == part[:3]:
                starts.add(max(0, index - offset))
    scored: list[tuple[float, Span]] = []
    for first in sorted(starts)[:400]:
        for size in {max(1, n - 1), n, n + 1}:
            last = min(len(words), first + size) - 1
            if last < first:
                continue
            span = Span(words[first].start, words[last].end)
            window = " ".join(report.text[span.start:span.end].casefold().split())
            scored.append((ratio(target, window), span))
    if not scored:
        return NOT_FOUND
    top = max(score for score, _ in scored)
    if top < FUZZY_MIN:
        return NOT_FOUND
    best = _best(report, ctx, [span for score, span in scored if score >= top - 1e-9])
    return _quote(report, best, "fuzzy", min(0.99, top))
