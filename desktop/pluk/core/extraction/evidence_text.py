"""The report side of evidence: a report's clauses, words and numbers with their character
spans, the words a task field is known by, and whether a clause negates what it mentions.

Pure Python and Dutch/English throughout: "9,7" and "9.7" are the same number, "geen" and "no"
negate, "extraprostatische" is a form of "extraprostatic". evidence.py uses this to tie values
to passages; nothing here knows about records.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

from pluk.core.extraction.number_kinds import kind_spans, number_kind

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_NUMBER = re.compile(r"[-−]?\d+(?:[.,]\d+)?")
# A clause ends at sentence punctuation followed by space, a line break, or ", ": never inside
# "9,7" or "9.7", so a number stays in the clause of the words that name it.
_CLAUSE_END = re.compile(r"[.;!?]+(?=\s|$)|\n|,(?=\s)")
_GROUPS = re.compile(r"\(([^()]{2,200})\)|'([^']{2,80})'|\"([^\"]{2,80})\"|‘([^’]{2,80})’")
_SPLIT_PHRASES = re.compile(r"[,;/]|\bor\b|\bof\b|\bvs\b|\be\.g\.|\bbijv\.|\bzoals\b")
# Where a yes/no field's description turns to what makes it false ("...; false if the kidneys
# are normal ('normale nieren')"): the synonyms after it name the false case.
_FALSE_PART = re.compile(r"\bfalse\b|\bonwaar\b", re.IGNORECASE)
MAX_PHRASE_WORDS = 4  # a longer quote in a description is an example, not a name

NEGATIONS = frozenset({
    "geen", "niet", "zonder", "afwezig", "negatief", "nee", "noch", "uitgesloten", "no", "not",
    "without", "absent", "negative", "none", "neither", "nor", "excluded", "never", "nooit"})
_NEGATION_PHRASES = re.compile(r"\bruled out\b|\bfree of\b|\bvrij van\b")
# Doubt about an absence is not an absence: "niet uit te sluiten" keeps the finding possible.
_NOT_EXCLUDED = re.compile(
    r"niet (?:uit te sluiten|uitgesloten)|kan niet (?:worden )?uitgesloten|"
    r"(?:cannot|can ?not|not) be (?:excluded|ruled out)|not (?:excluded|ruled out)")
POSITIVE_WORDS = frozenset({"yes", "ja", "true", "present", "aanwezig", "positive", "positief",
                            "y", "j", "wel", "waar"})
NEGATIVE_WORDS = frozenset({"no", "nee", "false", "absent", "afwezig", "negative", "negatief",
                            "n", "onwaar"})
_STOPWORDS = frozenset("""
a an the of and or in on at to for with by from as is are was were be been if when whether any
this that these those it its their there than then also only e g eg i e ie etc per each every
true false value values number score field report reports reported describes described
mentioned written given gives state states stated says present absent else other otherwise
de het een van en in op aan te voor met door bij als is zijn was waren wordt worden of dat die
deze dit er ook nog naar om tot uit over per wel niet geen bijv zoals
""".split())
NUMBER_WORDS = {
    0: ("zero", "nul", "none", "geen", "no"), 1: ("one", "een", "één", "single", "enkele"),
    2: ("two", "twee"), 3: ("three", "drie"), 4: ("four", "vier"), 5: ("five", "vijf"),
    6: ("six", "zes"), 7: ("seven", "zeven"), 8: ("eight", "acht"), 9: ("nine", "negen"),
    10: ("ten", "tien")}
_ROMAN = ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
          "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX"]
_UNITS = {"mm": "mm", "millimeter": "mm", "millimetre": "mm", "cm": "cm", "centimeter": "cm",
          "centimetre": "cm", "ml": "ml", "cc": "ml", "cm3": "ml", "cm³": "ml", "milliliter": "ml",
          "ng/ml": "ng/ml", "ng/ml/ml": "ng/ml/ml", "ng/ml²": "ng/ml/ml", "ng/ml/cc": "ng/ml/ml",
          "ng/ml/cm3": "ng/ml/ml", "%": "%", "mg": "mg", "g": "g", "kg": "kg"}
_UNIT_AFTER = re.compile(r"[ \t]?(%|[A-Za-zµ]+(?:/[A-Za-z0-9³²]+)*[³²3]?)")


def norm_word(word: str) -> str:
    """A word as matching compares it: case-folded, hyphens and apostrophes dropped."""
    return re.sub(r"[-'’]", "", word.casefold())


def norm_unit(unit: str | None) -> str | None:
    if not unit:
        return None
    key = unit.casefold().replace(" ", "").replace("²", "/ml").replace("/ml/ml/ml", "/ml/ml")
    return _UNITS.get(key, key)


def roman(value: int) -> str | None:
    return _ROMAN[value] if 0 < value < len(_ROMAN) else None


@lru_cache(maxsize=65536)
def words_match(a: str, b: str) -> bool:
    """Whether two normalised words are forms of one word ("extraprostatic" and
    "extraprostatische", "biopt" and "biopten", "adhesions" and "adhesies")."""
    if a == b:
        return True
    if len(a) < 4 or len(b) < 4 or a[:3] != b[:3]:
        return False
    shortest = min(len(a), len(b))
    prefix = 0
    while prefix < shortest and a[prefix] == b[prefix]:
        prefix += 1
    if prefix >= 5 and prefix >= 0.6 * shortest:
        return True
    return SequenceMatcher(None, a, b).ratio() >= 0.8


def ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def parse_number(text: str) -> float:
    return float(text.replace("−", "-").replace(",", "."))


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Word(Span):
    norm: str


@dataclass(frozen=True)
class Number(Span):
    value: float
    unit: str | None  # normalised unit written right after it
    unit_end: int  # end of the number with its unit
    # "plain", or what makes it no measurement: a "date" or "time", part of a "range" or
    # ratio ("140/90", "3-5"), "numbering" (a list's "1.", "Visit 3") or an "identifier".
    kind: str = "plain"


@dataclass(frozen=True)
class Clause(Span):
    question: bool


class ReportText:
    """A report's text cut into clauses, words and numbers, each with its character span."""

    def __init__(self, text: str):
        self.text = text
        self.clauses = _clauses(text)
        self._clause_starts = [c.start for c in self.clauses]
        self.words = [Word(m.start(), m.end(), norm_word(m.group()))
                      for m in _WORD.finditer(text)]
        self._word_starts = [w.start for w in self.words]
        self.numbers = _numbers(text)
        self.norm, self._norm_map = _normalise(text)

    def clause_at(self, pos: int) -> Clause | None:
        index = bisect.bisect_right(self._clause_starts, pos) - 1
        if index >= 0 and self.clauses[index].start <= pos < self.clauses[index].end:
            return self.clauses[index]
        return None

    def words_in(self, span: Span) -> list[Word]:
        lo = bisect.bisect_left(self._word_starts, span.start)
        hi = bisect.bisect_left(self._word_starts, span.end)
        return self.words[lo:hi]

    def word_index(self, pos: int) -> int:
        return bisect.bisect_left(self._word_starts, pos)

    def original(self, norm_start: int, norm_end: int) -> tuple[int, int]:
        """The span of the text that a span of the normalised text came from."""
        return self._norm_map[norm_start], self._norm_map[norm_end - 1] + 1

    def negated(self, clause: Clause) -> bool:
        """Whether the clause denies what it mentions ("geen extraprostatische uitbreiding")."""
        low = self.text[clause.start:clause.end].casefold()
        if _NOT_EXCLUDED.search(low):
            return False
        if _NEGATION_PHRASES.search(low):
            return True
        return any(w.norm in NEGATIONS for w in self.words_in(clause))


def _clauses(text: str) -> list[Clause]:
    out: list[Clause] = []
    start = 0
    for match in _CLAUSE_END.finditer(text):
        _add_clause(text, start, match.start(), "?" in match.group(), out)
        start = match.end()
    _add_clause(text, start, len(text), False, out)
    return out


def _add_clause(text: str, start: int, end: int, question: bool, out: list[Clause]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Clause(start, end, question or text[end - 1] == "?"))


def _numbers(text: str) -> list[Number]:
    kinds = kind_spans(text)
    out = []
    for match in _NUMBER.finditer(text):
        start, end = match.span()
        before = text[start - 1] if start else ""
        if before.isdigit() or (before in ".," and start > 1 and text[start - 2].isdigit()):
            continue  # the tail of "1.234.5" or "1,2,3"
        if before.isalpha() and before not in "xX×":
            continue  # part of a name ("mark1", "T2WI"), not a number; "13x9" is two
        unit, unit_end = None, end
        after = _UNIT_AFTER.match(text, end)
        if after and (norm_unit(after.group(1)) in _UNITS.values()):
            unit, unit_end = norm_unit(after.group(1)), after.end()
        out.append(Number(start, end, parse_number(match.group()), unit, unit_end,
                          number_kind(text, start, end, kinds)))
    return out


def _normalise(text: str) -> tuple[str, list[int]]:
    """The text case-folded with each run of whitespace one space, and where each char was."""
    chars: list[str] = []
    where: list[int] = []
    space = False
    for index, char in enumerate(text):
        if char.isspace():
            if not space and chars:
                chars.append(" ")
                where.append(index)
            space = True
            continue
        space = False
        folded = char.casefold()
        chars.append(folded)
        where.extend([index] * len(folded))
    return "".join(chars), where


# -- the words a field is known by --------------------------------------------------------------

@dataclass
class FieldTerms:
    """Phrases (tuples of normalised words) that name a field: its name first, then the
    synonyms its description gives in parentheses or quotes; `words` is every word of them and
    of the description. For an enum, `glosses` are each value's synonyms; for a yes/no field,
    `false_phrases` are those its description gives for the false case."""

    phrases: list[tuple[str, ...]]
    words: set[str] = field(default_factory=set)
    glosses: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    false_phrases: list[tuple[str, ...]] = field(default_factory=list)


def _keywords(text: str) -> tuple[str, ...]:
    out = []
    for match in _WORD.finditer(text):
        word = norm_word(match.group())
        if (word in _STOPWORDS or word in POSITIVE_WORDS or word in NEGATIONS
                or word.isdigit() or len(word) < 2):
            continue
        out.append(word)
    return tuple(out)


@lru_cache(maxsize=65536)
def is_content(norm: str) -> bool:
    """Whether a normalised word can name something: no stopword, number or single letter."""
    return bool(_keywords(norm))


def _name_words(name: str) -> tuple[str, ...]:
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ")
    return _keywords(spaced)


def _phrases_of(text: str) -> list[tuple[str, ...]]:
    phrases = []
    for groups in _GROUPS.findall(text):
        inner = next(g for g in groups if g)
        for piece in _SPLIT_PHRASES.split(inner):
            words = _keywords(piece)
            if words and words not in phrases and len(words) <= MAX_PHRASE_WORDS:
                phrases.append(words)
    return phrases


def _glosses(description: str, values: list[str]) -> dict[str, list[tuple[str, ...]]]:
    """For an enum described as "'PDAC' for a ... (pancreascarcinoom, ...); 'Other' for ...":
    each value's synonyms, from its part of the description."""
    marks = []
    for value in values:
        for quote in ("'", '"', "‘"):
            closing = "’" if quote == "‘" else quote
            at = description.find(f"{quote}{value}{closing}")
            if at >= 0:
                marks.append((at, at + len(value) + 2, value))
                break
    marks.sort()
    out: dict[str, list[tuple[str, ...]]] = {}
    for index, (_at, end, value) in enumerate(marks):
        stop = marks[index + 1][0] if index + 1 < len(marks) else len(description)
        gloss = description[end:stop]
        head = _keywords(re.split(r"[(;]", gloss, maxsplit=1)[0])
        phrases = ([head] if head else []) + _phrases_of(gloss)
        out[value] = [p for p in phrases if p]
    return out


def field_terms(spec: Any, context: str = "") -> FieldTerms:
    """The words a field is known by; `context` adds the description of a list it is in."""
    return _cached_terms(spec.name, spec.description or "", context, spec.type == "bool",
                         tuple(getattr(spec, "values", None) or ()))


@lru_cache(maxsize=1024)
def _cached_terms(name: str, description: str, context: str, polar: bool,
                  values: tuple[str, ...]) -> FieldTerms:
    false_part = ""
    if polar:
        turn = _FALSE_PART.search(description, 1)
        if turn is not None:
            description, false_part = description[:turn.start()], description[turn.end():]
    phrases: list[tuple[str, ...]] = []
    name_words = _name_words(name) if name != "item" else ()
    if name_words:
        phrases.append(name_words)
    for phrase in _phrases_of(description) + _phrases_of(context):
        if phrase not in phrases:
            phrases.append(phrase)
    words = set(name_words) | set(_keywords(description)) | {w for p in phrases for w in p}
    glosses = _glosses(description, list(values)) if values else {}
    false_phrases = [p for p in _phrases_of(false_part) if p not in phrases]
    return FieldTerms(phrases=phrases, words=words, glosses=glosses,
                      false_phrases=false_phrases)


def coverage(terms: FieldTerms, words: list[Word], *, false_case: bool = False) -> float:
    """How fully the best of a field's phrases (or its false-case phrases) is present among
    `words` (0 to 1)."""
    norms = {w.norm for w in words}
    best = 0.0
    for phrase in terms.false_phrases if false_case else terms.phrases:
        hits = sum(1 for p in phrase if any(words_match(p, n) for n in norms))
        best = max(best, hits / len(phrase))
        if best == 1.0:
            break
    return best


def keyword_hits(terms: FieldTerms, report: ReportText) -> list[int]:
    """Start offsets of every word of the report that is one of the field's words."""
    if not terms.words:
        return []
    return [w.start for w in report.words
            if any(words_match(k, w.norm) for k in terms.words)]


def find_phrase(report: ReportText, phrase: tuple[str, ...], max_gap: int = 3
                ) -> list[Span]:
    """Every place the phrase's words occur in order, with at most `max_gap` words between."""
    spans = []
    words = report.words
    for index, word in enumerate(words):
        if not words_match(phrase[0], word.norm):
            continue
        last, ok = index, True
        for part in phrase[1:]:
            nxt = next((j for j in range(last + 1, min(len(words), last + 2 + max_gap))
                        if words_match(part, words[j].norm)), None)
            if nxt is None:
                ok = False
                break
            last = nxt
        if ok:
            spans.append(Span(word.start, words[last].end))
    return spans
