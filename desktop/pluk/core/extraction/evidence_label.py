"""Whether a number in a report is stated next to its field's words: the test evidence.py puts
a number through before it may ground a value as `exact` or `fuzzy`.

A number's label is the words that name it: up to five words before it in its sentence (back to
the number before it), and up to three after it in its clause (never the word right before the
next number: "Hb 9,7 PSA 3,2" labels 3,2 with PSA, not 9,7), nearer words weighing more. A field
is known by its strong words (its name; the synonyms its description gives in parentheses or
quotes; the task's own `synonyms`; the built-in Dutch and English words of field_words.py) and,
weakly, by the other words of its description; and by its unit, when the number carries it.

A number states a field when its label names the field strongly enough, no other field of the
task is named more fully by it, and it holds no word for something else the field is not
("bladder volume 300 mL" is no prostate volume); a number in another unit ("height 181 cm" for
a volume in mL) never states it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pluk.core.extraction.evidence_text import (
    Number, ReportText, Span, field_terms, is_content, norm_unit, norm_word, words_match)
from pluk.core.extraction.field_words import OTHER_THINGS, expand

STATES = 1.5  # a label scoring this much names the field: a strong word within three words
_STRONG, _WEAK, _UNIT, _WHOLE_PHRASE = 3.0, 1.0, 2.0, 2.0
_BEFORE, _AFTER = 5, 3
_SENTENCE_END = re.compile(r"[.;!?]+(?=\s|$)|\n")
_CLAUSE_END = re.compile(r"[.;!?]+(?=\s|$)|\n|,(?=\s)")
_CONVERTIBLE = {frozenset({"mm", "cm"})}


@dataclass(frozen=True)
class FieldWords:
    """The words one field is known by (normalised), and its unit."""

    strong: frozenset[str]
    weak: frozenset[str]
    phrases: tuple[tuple[str, ...], ...]
    unit: str | None

    def weight(self, word: str) -> float:
        if any(words_match(s, word) for s in self.strong):
            return _STRONG
        if any(words_match(w, word) for w in self.weak):
            return _WEAK
        return 0.0

    def owns(self, word: str) -> bool:
        return self.weight(word) > 0


def field_words(spec: Any, context: str = "") -> FieldWords:
    """The words of one scalar field; `context` is the description of a list it is in."""
    terms = field_terms(spec, context)
    return _field_words(tuple(terms.phrases), tuple(sorted(terms.words)),
                        tuple(getattr(spec, "synonyms", None) or ()), norm_unit(spec.unit))


@lru_cache(maxsize=1024)
def _field_words(phrases: tuple[tuple[str, ...], ...], words: tuple[str, ...],
                  synonyms: tuple[str, ...], unit: str | None) -> FieldWords:
    own = [tuple(norm_word(w) for w in re.findall(r"\w+(?:[-'’]\w+)*", s)) for s in synonyms]
    all_phrases = [p for p in (*phrases, *own) if p]
    strong = expand({w for p in all_phrases for w in p})
    group_phrases = [(w,) for w in strong if w in OTHER_THINGS]
    weak = frozenset(words) - strong
    return FieldWords(frozenset(strong), weak, tuple(all_phrases + group_phrases), unit)


def compatible_units(a: str | None, b: str | None) -> bool:
    """Whether a number written in unit `b` may be a value in unit `a` (no unit: either)."""
    return a is None or b is None or a == b or frozenset({a, b}) in _CONVERTIBLE


class Labels:
    """The label of each number of one report, worked out once."""

    def __init__(self, report: ReportText):
        self.report = report
        self._sentences = [m.end() for m in _SENTENCE_END.finditer(report.text)]
        self._clauses = [m.start() for m in _CLAUSE_END.finditer(report.text)]
        self._cache: dict[int, list[tuple[str, float, bool]]] = {}

    def _bound(self, ends: list[int], pos: int, before: bool) -> int:
        if before:
            return max((e for e in ends if e <= pos), default=0)
        return min((e for e in ends if e >= pos), default=len(self.report.text))

    def of(self, number: Number) -> list[tuple[str, float, bool]]:
        """(word, distance, before) for each content word of the number's label, nearest
        first: the words before it, then those after it."""
        if number.start in self._cache:
            return self._cache[number.start]
        numbers = self.report.numbers
        start = max(self._bound(self._sentences, number.start, True),
                    max((n.unit_end for n in numbers if n.unit_end <= number.start), default=0))
        clause_end = self._bound(self._clauses, number.unit_end, False)
        after = [n for n in numbers if n.start >= number.unit_end and n.start < clause_end]
        stop = after[0].start if after else clause_end
        before_words = [w for w in self.report.words_in(Span(start, number.start))
                        if is_content(w.norm)][-_BEFORE:]
        after_words = [w for w in self.report.words_in(Span(number.unit_end, max(
            number.unit_end, stop))) if is_content(w.norm)]
        if after:  # the word right before the next number is that number's label
            after_words = after_words[:-1]
        label = [(w.norm, float(d), True) for d, w in enumerate(reversed(before_words), 1)]
        label += [(w.norm, float(d), False) for d, w in enumerate(after_words[:_AFTER], 1)]
        self._cache[number.start] = label
        return label

    def score(self, words: FieldWords, number: Number) -> float:
        label = self.of(number)
        best: dict[str, float] = {}
        for word, distance, before in label:
            # A label mostly precedes its value ("PSA 9,7"); a word after it weighs half.
            weight = words.weight(word) / (1.0 + 0.5 * (distance - 1.0)) * (1.0 if before
                                                                             else 0.5)
            best[word] = max(best.get(word, 0.0), weight)
        score = sum(best.values())
        present = {w for w, _, _ in label}
        if score and any(all(any(words_match(p, w) for w in present) for p in phrase)
                         for phrase in words.phrases):
            score += _WHOLE_PHRASE  # "PSA" names the psa field wholly, psa_density in part
        if words.unit is not None and number.unit is not None and compatible_units(
                words.unit, number.unit):
            score += _UNIT
        return score

    def foreign(self, words: FieldWords, number: Number) -> bool:
        """Whether a word just before the number, as near as the field's own, names something
        the field is not ("bladder volume 300 mL"; not "laesies, de grootste PI-RADS 4", nor
        the "laesie" after "PI-RADS 4", which says what the 4 is of)."""
        before = [(w, d) for w, d, is_before in self.of(number) if is_before]
        own = min((d for w, d in before if words.weight(w) == _STRONG), default=2.0)
        return any(w in OTHER_THINGS and not words.owns(w) and d <= own + 1 for w, d in before)

    def states(self, words: FieldWords, number: Number, rivals: list[FieldWords]) -> bool:
        """Whether the number is stated next to the field's words (see the module's doc)."""
        if not compatible_units(words.unit, number.unit):
            return False
        score = self.score(words, number)
        if score < STATES:
            return False
        if self.foreign(words, number):
            return False
        return not any(self.score(r, number) > score for r in rivals if r is not words)

