"""Pseudonymises one report's text with deduce, and maps offsets between the two texts.

deduce finds the identifiers (persons with initials and prefixes, locations below country
level, hospitals and institutions, dates, ages, BSN and other identifiers, phone numbers,
e-mail addresses, URLs); this module only chooses the placeholders, so that they are
consistent within a report:
- the patient is always `[PATIENT]`: the person named on a "Betreft:", "Patiënt:", "Naam:" or
  "Inzake:" line, and every later mention with the same surname ("Dhr. Van der Berg");
- any other person seen twice gets the same `[PERSOON-n]` (same surname, same n);
- the same identifier text in another category gets the same number (`[DATUM-1]` twice).
`Pseudonymised` keeps where each placeholder stands in both texts, so a passage the model
quotes from the pseudonymised text maps back onto the original (and an original one forward).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from pluk.core.privacy.deduce_engine import load_deduce

PATIENT = "[PATIENT]"
# A line that names the report's subject; the first person on it is the patient.
_SUBJECT_LINE = re.compile(r"^\s*(betreft|patiënte?|patient|pt\.?|naam|inzake|re)\b\s*:?",
                           re.IGNORECASE)
_NAME_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[-'])+")
# Titles and prefixes that are no surname.
_NOT_SURNAME = {"dhr", "mevr", "mw", "mevrouw", "heer", "de", "dr", "prof", "drs", "ir", "mr",
                "van", "der", "den", "ten", "ter", "het", "collega", "patient", "patiënt"}


@dataclass(frozen=True)
class Replacement:
    """One identifier: original text[start:end] became pseudonymised text[new_start:new_end]."""

    start: int
    end: int
    new_start: int
    new_end: int
    category: str  # deduce's tag: persoon, patient, datum, locatie, bsn, ...
    placeholder: str


@dataclass(frozen=True)
class Pseudonymised:
    text: str
    original_length: int
    replacements: tuple[Replacement, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        """How many identifiers each category replaced (no text of them)."""
        return dict(sorted(Counter(r.category for r in self.replacements).items()))

    def to_original(self, pos: int, *, end: bool = False) -> int:
        """A position in the pseudonymised text, in the original: a start inside a placeholder
        goes to the identifier's start, an end (exclusive) to its end."""
        return _map(pos, end, self.replacements, "new_start", "new_end", "start", "end",
                    self.original_length)

    def to_pseudonymised(self, pos: int, *, end: bool = False) -> int:
        """A position in the original text, in the pseudonymised one (as to_original)."""
        return _map(pos, end, self.replacements, "start", "end", "new_start", "new_end",
                    len(self.text))

    def span_to_original(self, start: int, stop: int) -> tuple[int, int]:
        return self.to_original(start), max(self.to_original(start),
                                            self.to_original(stop, end=True))

    def span_to_pseudonymised(self, start: int, stop: int) -> tuple[int, int]:
        return self.to_pseudonymised(start), max(self.to_pseudonymised(start),
                                                 self.to_pseudonymised(stop, end=True))


def _map(pos: int, end: bool, reps: tuple[Replacement, ...], lo: str, hi: str, to_lo: str,
         to_hi: str, length: int) -> int:
    starts = [getattr(r, lo) for r in reps]
    i = bisect_right(starts, pos - 1 if end else pos) - 1
    if i < 0:
        return min(pos, length)
    rep = reps[i]
    a, b = getattr(rep, lo), getattr(rep, hi)
    inside = (a < pos <= b) if end else (a <= pos < b)
    if inside:
        return getattr(rep, to_hi) if end else getattr(rep, to_lo)
    return max(0, min(length, getattr(rep, to_hi) + (pos - b)))


def _surname(text: str) -> str:
    words = [w.lower() for w in _NAME_WORD.findall(text)]
    names = [w for w in words if w not in _NOT_SURNAME and len(w) > 1]
    return names[-1] if names else text.lower()


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _patient_key(text: str, persons: list[tuple[int, int, str]]) -> str | None:
    for start, _end, _tag in persons:
        line = text[_line_start(text, start):start]
        if _SUBJECT_LINE.match(line):
            return _surname(text[start:_end])
    return None


def pseudonymise(text: str) -> Pseudonymised:
    """The text with each identifier deduce finds replaced by a consistent placeholder."""
    if not text:
        return Pseudonymised(text=text, original_length=len(text))
    document = load_deduce().deidentify(text)
    found = sorted(((a.start_char, a.end_char, a.tag) for a in document.annotations),
                   key=lambda a: (a[0], -a[1]))
    spans: list[tuple[int, int, str]] = []
    for start, stop, tag in found:  # deduce resolves overlaps; this keeps the map monotone
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, stop, tag))
    persons = [s for s in spans if s[2] in ("persoon", "patient")]
    patient = _patient_key(text, persons)
    numbers: dict[tuple[str, str], int] = {}
    per_tag: Counter[str] = Counter()
    out: list[str] = []
    reps: list[Replacement] = []
    cursor = new_pos = 0
    for start, stop, tag in spans:
        original = text[start:stop]
        if tag in ("persoon", "patient"):
            key = _surname(original)
            if tag == "patient" or key == patient:
                tag, holder = "patient", PATIENT
            else:
                holder = _numbered(numbers, per_tag, "PERSOON", ("persoon", key))
        else:
            holder = _numbered(numbers, per_tag, tag.upper(),
                               (tag, " ".join(original.lower().split())))
        out.append(text[cursor:start])
        new_pos += start - cursor
        out.append(holder)
        reps.append(Replacement(start, stop, new_pos, new_pos + len(holder), tag, holder))
        new_pos += len(holder)
        cursor = stop
    out.append(text[cursor:])
    return Pseudonymised(text="".join(out), original_length=len(text), replacements=tuple(reps))


def _numbered(numbers: dict[tuple[str, str], int], per_tag: Counter[str], label: str,
              key: tuple[str, str]) -> str:
    if key not in numbers:
        per_tag[key[0]] += 1
        numbers[key] = per_tag[key[0]]
    return f"[{label}-{numbers[key]}]"
