"""The order in which a reviewer meets a run's records: by default the most uncertain first.

Uncertain, in this order: a report with text addressed to the model (a prompt injection: the
record's warning from extraction/injection.py; its values may be the report's orders, not the
model's reading), a bool or enum answer the model gave with a low probability or a value few of
the passes agreed on (--passes: k of N), a value with weak evidence (a number that only
coincides with one in the report) or none (ungrounded), fields that failed validation or a
failed record; then the rest. Within each group the most uncertain come first, then the run's order.
"""

from __future__ import annotations

from typing import Any, Literal

from pluk.core.runs.records import Record
from pluk.core.tasks import TaskDefinition

Order = Literal["uncertain", "run", "id"]
ORDERS: tuple[Order, ...] = ("uncertain", "run", "id")
LOW_PROBABILITY = 0.8
# The start of the warning a record gets for text in its report addressed to the model
# (pluk.core.extraction.injection writes it; here, below extraction, it is looked for).
INJECTION_WARNING = "Possible prompt injection"


def _option_key(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def lowest_probability(record: Record) -> float | None:
    """The smallest probability the model gave one of its own bool/enum answers."""
    lowest = None
    for name, options in record.probabilities.items():
        chosen = options.get(_option_key((record.fields or {}).get(name)))
        if chosen is not None and (lowest is None or chosen < lowest):
            lowest = chosen
    return lowest


def lowest_agreement(record: Record) -> float | None:
    """The smallest share of the passes that gave a kept value (k/N); None: one pass."""
    if not record.passes or not record.agreement:
        return None
    return min(record.agreement.values()) / record.passes


# A weak value (written in the report, but not next to its field's words) looks checked and is
# not: it comes first; then a value found nowhere; a fuzzy one counts half.
_UNGROUNDED = {"weak": 1.5, "not_found": 1.0, "fuzzy": 0.5, "exact": 0.0}


def ungrounded(record: Record) -> float:
    """How much of the record lacks evidence: weak 1.5, none 1, fuzzy 0.5 per value."""
    return sum(_UNGROUNDED[e.status] for e in record.evidence.values())


def failed_fields(task: TaskDefinition, record: Record) -> int:
    return len(task.fields) if record.status == "error" else len(record.field_errors)


def uncertainty_key(task: TaskDefinition, record: Record) -> tuple[int, float]:
    """(group, how uncertain within it, negated so that smaller sorts first)."""
    injected = sum(INJECTION_WARNING in w for w in record.warnings)
    if injected:
        return -1, -float(injected)
    sure = [x for x in (lowest_probability(record), lowest_agreement(record)) if x is not None]
    probability = min(sure) if sure else None
    if probability is not None and probability < LOW_PROBABILITY:
        return 0, probability
    missing = ungrounded(record)
    if any(e.status in ("weak", "not_found") for e in record.evidence.values()):
        return 1, -missing
    failed = failed_fields(task, record)
    if failed:
        return 2, -float(failed)
    return 3, -missing


def review_order(task: TaskDefinition, records: list[Record], order: Order = "uncertain"
                 ) -> list[Record]:
    indexed = list(enumerate(records))
    if order == "run":
        return list(records)
    if order == "id":
        return [r for _, r in sorted(indexed, key=lambda p: (p[1].id, p[0]))]
    return [r for _, r in sorted(indexed, key=lambda p: (*uncertainty_key(task, p[1]), p[0]))]
