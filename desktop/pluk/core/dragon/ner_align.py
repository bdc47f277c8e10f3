"""Entity texts named by the model -> character spans in the report -> one BIO tag per token.

The model names entities by their words; DRAGON scores one tag per *given* token (`text_parts`).
Alignment looks for the exact text first, then for a tolerant match that ignores case, accents,
whitespace and punctuation, and records which of the two found it (or that neither did), so a
run can show how much of its NER output landed. Repeated entity texts take the occurrences left
to right, so "lesion ... lesion" named twice marks both places, not the first one twice, and
each entity is looked for after the one named before it first (models list them in reading
order).

Tags: the tokens are joined with single spaces; a span marks every token it overlaps, B- on the
first and I- on the rest. Single-label NER keeps one tag per token (the first, then longest,
span wins); multi-label NER gives each token the list of its tags, ["O"] when it has none.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Hashable, Sequence
from typing import Literal

from pydantic import BaseModel

Status = Literal["exact", "fuzzy", "not_found"]


class Alignment(BaseModel):
    text: str
    status: Status
    start: int | None = None  # character offsets in the aligned text, end exclusive
    end: int | None = None
    reused: bool = False  # every occurrence was taken by an earlier, equal entity


class TaggedSpan(BaseModel):
    start: int
    end: int
    tag: str  # the entity type, without B-/I-


# -- the tolerant form of a text -----------------------------------------------------------------

def comparable(text: str) -> tuple[str, list[int]]:
    """Lower-case letters and digits only, accents dropped, with each kept character's offset
    in `text`; "Ørgaan-grootte: 3,5 cm" and "orgaan grootte 3.5cm" compare equal."""
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for part in unicodedata.normalize("NFKD", ch):
            if unicodedata.combining(part):
                continue
            for low in part.casefold():
                if low.isalnum():
                    chars.append(low)
                    where.append(i)
    return "".join(chars), where


def _is_word_edge(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() and text[start].isalnum()) and not (
        after.isalnum() and text[end - 1].isalnum())


def _occurrences(haystack: str, needle: str) -> list[int]:
    found, at = [], haystack.find(needle)
    while at >= 0 and needle:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


def _exact_spans(text: str, entity: str) -> list[tuple[int, int]]:
    return [(at, at + len(entity)) for at in _occurrences(text, entity)]


def _fuzzy_spans(text: str, folded: tuple[str, list[int]], entity: str) -> list[tuple[int, int]]:
    needle, _ = comparable(entity)
    haystack, where = folded
    return sorted({(where[at], where[at + len(needle) - 1] + 1)
                   for at in _occurrences(haystack, needle)})


# -- alignment -----------------------------------------------------------------------------------

def align_entities(text: str, entities: Sequence[str],
                   groups: Sequence[Hashable] | None = None) -> list[Alignment]:
    """Where each entity text lies in `text`, in the order given.

    Matches on whole words are placed before matches inside a word, and exact ones before
    tolerant ones, so a loose match never takes the place a better one needs. Within a group
    (by default all entities share one) an occurrence is used once: equal entities take
    successive occurrences. Multi-label NER passes the entity's tag as its group, so "12 mm"
    named for two lesions marks the same words twice.
    """
    groups = list(groups) if groups is not None else [None] * len(entities)
    if len(groups) != len(entities):
        raise ValueError("groups must have one entry per entity")
    results: list[Alignment | None] = [None] * len(entities)
    used: set[tuple[Hashable, int, int]] = set()
    folded = comparable(text)
    candidates = {
        "exact": [_exact_spans(text, e.strip()) if e.strip() else [] for e in entities],
        "fuzzy": [_fuzzy_spans(text, folded, e) if comparable(e)[0] else [] for e in entities],
    }
    # Whole-word places first, exact before tolerant; a place inside a word only after that.
    for whole_words in (True, False):
        for status in ("exact", "fuzzy"):
            for i, entity in enumerate(entities):
                if results[i] is not None:
                    continue
                free = [s for s in candidates[status][i] if (groups[i], *s) not in used
                        and _is_word_edge(text, *s) >= whole_words]
                if not free:
                    continue
                # Entities come in reading order: look after the previous one first, so an
                # earlier mention of the same words outside any entity is passed over.
                cursor = next((r.start for r in reversed(results[:i])
                               if r is not None and r.start is not None), 0)
                start, end = min(free, key=lambda s: (s[0] < cursor, s[0]))
                used.add((groups[i], start, end))
                results[i] = Alignment(text=entity, status=status, start=start, end=end)
    for i, entity in enumerate(entities):
        if results[i] is not None:
            continue
        # More mentions than occurrences: the extra ones repeat a place already marked.
        spans = sorted(candidates["exact"][i] or candidates["fuzzy"][i],
                       key=lambda s: (not _is_word_edge(text, *s), s[0]))
        if spans:
            status = "exact" if candidates["exact"][i] else "fuzzy"
            results[i] = Alignment(text=entity, status=status, start=spans[0][0],
                                   end=spans[0][1], reused=True)
        else:
            results[i] = Alignment(text=entity, status="not_found")
    return results  # type: ignore[return-value]


# -- tokens and tags -----------------------------------------------------------------------------

def join_tokens(tokens: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """The tokens joined by single spaces, and each token's (start, end) in that text."""
    ranges, at = [], 0
    for token in tokens:
        ranges.append((at, at + len(token)))
        at += len(token) + 1
    return " ".join(tokens), ranges


def _covered(ranges: Sequence[tuple[int, int]], start: int, end: int) -> list[int]:
    return [k for k, (a, b) in enumerate(ranges) if a < end and start < b and a < b]


def bio_tags(tokens: Sequence[str], spans: Sequence[TaggedSpan]) -> list[str]:
    """Single-label BIO, one tag per token; on overlap the earlier, then longer, span wins and
    the other is dropped whole (half an entity would only add a wrong one)."""
    _, ranges = join_tokens(tokens)
    tags = ["O"] * len(tokens)
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        covered = _covered(ranges, span.start, span.end)
        if not covered or any(tags[k] != "O" for k in covered):
            continue
        for n, k in enumerate(covered):
            tags[k] = ("B-" if n == 0 else "I-") + span.tag
    return tags


def multi_label_bio_tags(tokens: Sequence[str], spans: Sequence[TaggedSpan]) -> list[list[str]]:
    """Multi-label BIO: per token the list of its tags in span order, ["O"] when none."""
    _, ranges = join_tokens(tokens)
    tags: list[list[str]] = [[] for _ in tokens]
    seen: set[tuple[str, int, int]] = set()
    for span in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        covered = _covered(ranges, span.start, span.end)
        if not covered or (span.tag, covered[0], covered[-1]) in seen:
            continue
        seen.add((span.tag, covered[0], covered[-1]))
        for n, k in enumerate(covered):
            tag = ("B-" if n == 0 else "I-") + span.tag
            if tag not in tags[k]:
                tags[k].append(tag)
    return [t or ["O"] for t in tags]


def tag_tokens(tokens: Sequence[str], entities: Sequence[tuple[str, str]], *,
               multi_label: bool) -> tuple[list[str] | list[list[str]], list[Alignment]]:
    """(entity text, type) pairs -> BIO tags on `tokens`, and each entity's alignment.

    The entities are aligned to the tokens joined by spaces, which is the text the model read.
    """
    text, _ = join_tokens(tokens)
    groups = [tag for _, tag in entities] if multi_label else None
    alignments = align_entities(text, [name for name, _ in entities], groups)
    spans = [TaggedSpan(start=a.start, end=a.end, tag=tag)
             for a, (_, tag) in zip(alignments, entities) if a.start is not None]
    tags = multi_label_bio_tags(tokens, spans) if multi_label else bio_tags(tokens, spans)
    return tags, alignments


def entities_from_tags(tokens: Sequence[str], tags: Sequence[str | Sequence[str]]
                       ) -> list[tuple[str, str, int]]:
    """The inverse, for few-shot examples: (text, type, first token) of every entity in a BIO
    sequence, single- or multi-label, in token order; the text is its tokens joined by spaces."""
    found: list[tuple[str, str, int]] = []
    per_token = [[t] if isinstance(t, str) else list(t) for t in tags]
    kinds = sorted({t[2:] for token_tags in per_token for t in token_tags if t != "O"})
    for kind in kinds:
        start = None
        for k in range(len(per_token) + 1):
            mine = next((t for t in per_token[k] if t[2:] == kind), "O") if k < len(
                per_token) else "O"
            if start is not None and mine != f"I-{kind}":
                found.append((" ".join(tokens[start:k]), kind, start))
                start = None
            if start is None and mine != "O":
                start = k
    return sorted(found, key=lambda e: (e[2], e[1]))
