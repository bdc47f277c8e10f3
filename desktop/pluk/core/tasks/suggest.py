"""Which task the loaded reports look like: the window's suggestion when the chosen task (the
default one, say pathology) does not fit reports that are plainly prostate MRI reports.

A task's terms are the words of its title, description, translations, field names and
descriptions, choices and synonyms. Each term found in a sample of the reports counts with its
rarity among the candidate tasks' terms (a word every task has, such as "report", counts for
little). A task is suggested only when it scores clearly above the chosen one; the user decides.
Words, not a model: it runs in milliseconds, before any model is loaded.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from pluk.core.tasks.definition import TaskDefinition

SAMPLE_REPORTS = 20
SAMPLE_CHARS = 4000  # of each report
# A suggestion needs this much more than the chosen task scores, and this much at least.
MARGIN = 1.5
MINIMUM = 3.0
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
_COMMON = frozenset("""
    from with into that this their there which whether where when what each give gives given
    report reports verslag verslagen dutch english value values field fields extract list main
    number numbers kind type name names other over under also only more most than none true
    false text uit een van het de dit deze naar voor niet geen zijn wordt worden
""".split())


def _words(text: str) -> set[str]:
    return {w for w in (m.lower() for m in _WORD.findall(text)) if w not in _COMMON}


def _field_texts(spec: Any) -> Iterable[str]:
    yield spec.name.replace("_", " ")
    yield spec.description or ""
    yield from (str(v) for v in getattr(spec, "values", None) or ())
    yield from getattr(spec, "synonyms", None) or ()
    for child in getattr(spec, "fields", None) or ():
        yield from _field_texts(child)
    items = getattr(spec, "items", None)
    if items is not None:
        yield from _field_texts(items)


def task_terms(task: TaskDefinition) -> set[str]:
    texts = [task.title, task.description]
    for text in task.translations.values():
        texts += [text.title or "", text.description or ""]
    for spec in task.fields:
        texts += list(_field_texts(spec))
    return set().union(*(_words(t) for t in texts))


def scores(tasks: list[TaskDefinition], report_texts: list[str]) -> dict[str, float]:
    """Each task's score for these reports (task id -> score)."""
    terms = {task.id: task_terms(task) for task in tasks}
    seen = set().union(*(_words(t[:SAMPLE_CHARS]) for t in report_texts[:SAMPLE_REPORTS])) \
        if report_texts else set()
    frequency: dict[str, int] = {}
    for words in terms.values():
        for word in words:
            frequency[word] = frequency.get(word, 0) + 1
    n = len(tasks)
    return {tid: sum(math.log(1 + n / frequency[w]) for w in words & seen)
            for tid, words in terms.items()}


def suggest(tasks: list[TaskDefinition], chosen: str | None, report_texts: list[str],
            ) -> TaskDefinition | None:
    """The task these reports look like, where it is clearly not the chosen one; else None."""
    if len(tasks) < 2 or not report_texts:
        return None
    found = scores(tasks, report_texts)
    best = max(tasks, key=lambda t: found[t.id])
    mine = found.get(chosen, 0.0) if chosen else 0.0
    if best.id == chosen or found[best.id] < MINIMUM or found[best.id] < MARGIN * mine:
        return None
    return best
