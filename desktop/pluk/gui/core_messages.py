"""The core's messages in the window's language. The core writes plain English (the CLI, logs
and records.jsonl keep it); the window shows the messages a user meets often in Dutch too: each
known message is recognised by its form, its parts (values, field names, bounds) are kept and
numbers are written in the window's locale. A message not listed here is shown as it is."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QLocale, QT_TRANSLATE_NOOP

CONTEXT = "CoreMessages"
_NUMBER = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
# (pattern, English template with the pattern's named groups); tried in order, whole message.
_FORMS: list[tuple[re.Pattern[str], str]] = [(re.compile(p), t) for p, t in (
    (r"empty file \(0 bytes\)", QT_TRANSLATE_NOOP("CoreMessages", "empty file (0 bytes)")),
    (r"(?P<n>\d+) field\(s\) failed validation: (?P<fields>.+)",
     QT_TRANSLATE_NOOP("CoreMessages", "{n} field(s) failed validation: {fields}")),
    (rf"the model wrote (?P<value>{_NUMBER}), above the maximum (?P<bound>{_NUMBER})",
     QT_TRANSLATE_NOOP("CoreMessages", "the model wrote {value}, above the maximum {bound}")),
    (rf"the model wrote (?P<value>{_NUMBER}), below the minimum (?P<bound>{_NUMBER})",
     QT_TRANSLATE_NOOP("CoreMessages", "the model wrote {value}, below the minimum {bound}")),
    (rf"(?P<value>{_NUMBER}) is above the maximum (?P<bound>{_NUMBER}) of (?P<field>\S+)",
     QT_TRANSLATE_NOOP("CoreMessages", "{value} is above the maximum {bound} of {field}")),
    (rf"(?P<value>{_NUMBER}) is below the minimum (?P<bound>{_NUMBER}) of (?P<field>\S+)",
     QT_TRANSLATE_NOOP("CoreMessages", "{value} is below the minimum {bound} of {field}")),
    (r"n/a", QT_TRANSLATE_NOOP("CoreMessages", "n/a")),
)]


def _number(text: str) -> str:
    if "e" in text.lower():
        return text
    decimals = len(text.partition(".")[2])
    return QLocale().toString(float(text), "f", decimals)


def translated(message: str | None) -> str:
    """`message` in the window's language where its form is known; else as it is."""
    if not message:
        return message or ""
    for pattern, template in _FORMS:
        match = pattern.fullmatch(message.strip())
        if match:
            parts = {k: _number(v) if k in ("value", "bound") else v
                     for k, v in match.groupdict().items()}
            return QCoreApplication.translate(CONTEXT, template).format(**parts)
    return message
