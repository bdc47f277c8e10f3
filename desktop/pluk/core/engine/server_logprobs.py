"""Option probabilities from a server's logprobs: how sure the model was of each bool and enum
answer, read from the `top_logprobs` an OpenAI-compatible server returns per answer token.

For each decision field the value's first byte is found in the answer (TopLevelTracker), and
with it the answer token that holds it: the decision point. That token may start before the
value (' true' is one token in BPE vocabularies), so every option is matched as the model
would write it from the token's start (the "lead" before the value, then the option's text).
Each alternative token at the decision point counts for the one option it begins; a token that
begins several options (a shared prefix, '"1' of "1" and "10") is followed down the answer
when it is the token the model chose, its share split by the next token's alternatives; the
mass of other shared tokens is not observed and is left out. The options are renormalised
over what was seen. These are the model's own probabilities before any grammar, as the local
engine reads them, though only over the server's top alternatives (at most 20).

A logprob is a log-probability: a number at most 0, or -Infinity (probability 0). A server
that gives one that is not (+Infinity, NaN, 1e308, 800: a probability above 1, or none) for a
token that counts for an option leaves that field without probabilities, with a warning: no
NaN and no overflow reaches the record, and the other options are not renormalised without it
(that would give the certainty to an option the model did not write). A logprob a rounding
error puts just above 0 counts as 0.
"""

from __future__ import annotations

import math
from typing import Any

from pluk.core.engine.protocol import DecisionSpec
from pluk.core.engine.tracker import TopLevelTracker

NO_LOGPROBS = "Option probabilities are missing: the server returned no logprobs"
# How far above 0 a logprob may be and still be a rounding error of log(1).
_ROUNDING = 1e-4


class _NoLogprob(Exception):
    """A token that counts for an option has a logprob that is no log-probability."""


def _piece(entry: dict[str, Any]) -> bytes:
    """A token's bytes as the server gives them (`bytes`), else its text."""
    raw = entry.get("bytes")
    if isinstance(raw, list) and all(isinstance(b, int) for b in raw):
        return bytes(raw)
    return str(entry.get("token", "")).encode("utf-8")


def _log_probability(value: int | float) -> float | None:
    """`value` as a log-probability (at most 0; -inf for probability 0), or None when it is
    none: NaN, +inf, or a number whose probability would be above 1 (1e308 overflows exp)."""
    try:
        value = float(value)
    except OverflowError:  # an integer beyond any float (JSON allows 1 and 400 zeros)
        return None
    if math.isnan(value) or value > _ROUNDING:
        return None
    return min(value, 0.0)


def _alternatives(entry: dict[str, Any]) -> list[tuple[bytes, float | None]]:
    """The alternatives at one position, the chosen token among them, each text once; a
    logprob that is no log-probability is None. Those of probability 0 are left out."""
    seen: dict[bytes, float | None] = {}
    for alt in [*(entry.get("top_logprobs") or []), entry]:
        logprob = alt.get("logprob")
        piece = _piece(alt)
        if isinstance(logprob, bool) or not isinstance(logprob, (int, float)) or piece in seen:
            continue
        value = _log_probability(logprob)
        if value is None or value > -math.inf:
            seen[piece] = value
    return list(seen.items())


def _matches(candidate: bytes, texts: list[bytes]) -> bool:
    return any(t.startswith(candidate) or candidate.startswith(t) for t in texts)


def _decide(spec: DecisionSpec, value_at: int, answer: bytes, pieces: list[bytes],
            starts: list[int], entries: list[dict[str, Any]]) -> dict[str, float] | None:
    i = max(k for k, start in enumerate(starts) if start <= value_at)
    lead = answer[starts[i]:value_at]
    targets = {key: [lead + form.encode("utf-8") for form in forms]
               for key, forms in spec.options.items()}
    mass = {key: 0.0 for key in spec.options}
    weight, path = 1.0, b""
    while i < len(pieces):
        follow = None
        for piece, logprob in _alternatives(entries[i]):
            candidate = path + piece
            if len(candidate) <= len(lead):
                keys = list(targets) if lead.startswith(candidate) else []
            else:
                keys = [key for key, texts in targets.items() if _matches(candidate, texts)]
            if logprob is None and (len(keys) == 1 or (keys and piece == pieces[i])):
                raise _NoLogprob  # a token that counts for an option: its share is unknown
            if logprob is None:
                continue  # a token that begins no option (or one left out anyway)
            if len(keys) == 1:
                mass[keys[0]] += weight * math.exp(logprob)
            elif keys and piece == pieces[i]:
                follow = logprob  # the chosen token still leaves several options open
        if follow is None:
            break
        weight *= math.exp(follow)
        path += pieces[i]
        i += 1
    total = sum(mass.values())
    return {key: p / total for key, p in mass.items()} if total > 0 else None


def decision_probabilities(content: str, logprobs: list[dict[str, Any]] | None,
                           decisions: list[DecisionSpec]
                           ) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Per decision field the answer wrote: option -> probability; and warnings for the fields
    whose probabilities could not be read."""
    if not decisions:
        return {}, []
    if not logprobs:
        return {}, [NO_LOGPROBS]
    answer = content.encode("utf-8")
    pieces = [_piece(entry) for entry in logprobs]
    starts, offset = [], 0
    for piece in pieces:
        starts.append(offset)
        offset += len(piece)
    # Where the tokens stop spelling the answer (a server that drops a split character's
    # bytes), offsets after it cannot be trusted.
    joined = b"".join(pieces)
    agree = next((k for k, (a, b) in enumerate(zip(joined, answer)) if a != b),
                 min(len(joined), len(answer)))
    tracker = TopLevelTracker()
    value_at = {e.key: e.offset for e in tracker.feed(answer) if e.kind == "start"}
    scored: dict[str, dict[str, float]] = {}
    unread: list[str] = []
    unfit: list[str] = []
    for spec in decisions:
        at = value_at.get(spec.key)
        if at is None:
            continue  # the answer does not have the field: nothing was decided
        try:
            probs = _decide(spec, at, answer, pieces, starts, logprobs) if at < agree else None
        except _NoLogprob:
            unfit.append(spec.key)
            continue
        if probs is None:
            unread.append(spec.key)
            continue
        scored[spec.key] = probs
    warnings = ([f"Option probabilities of {', '.join(unread)} are missing: the server's "
                 "logprobs do not cover the answer's decision there"] if unread else [])
    if unfit:
        warnings.append(f"Option probabilities of {', '.join(unfit)} are missing: the server "
                        "gave a logprob there that is no log-probability (infinite, NaN or "
                        "above 0)")
    return scored, warnings
