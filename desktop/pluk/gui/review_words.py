"""The Review tab's words and colours: the orders, reasons and verdicts in the window's language
(context "ReviewPanel"), the status colours, the table's columns and how a value is shown."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP

from pluk.gui.results_model import REVIEW_COLORS, VERDICT_WORDS, display

CONTEXT = "ReviewPanel"
ORDER_LABELS = {"uncertain": QT_TRANSLATE_NOOP("ReviewPanel", "Most uncertain first"),
                "run": QT_TRANSLATE_NOOP("ReviewPanel", "Run order"),
                "id": QT_TRANSLATE_NOOP("ReviewPanel", "By report id")}
REASON_WORDS = {"incorrect": QT_TRANSLATE_NOOP("ReviewPanel", "incorrect"),
                "incomplete": QT_TRANSLATE_NOOP("ReviewPanel", "incomplete"),
                "missing": QT_TRANSLATE_NOOP("ReviewPanel", "missing"),
                "hallucinated": QT_TRANSLATE_NOOP("ReviewPanel", "hallucinated"),
                "other": QT_TRANSLATE_NOOP("ReviewPanel", "other")}
STATUS_COLORS = REVIEW_COLORS
__all__ = ["VERDICT_WORDS", "STATUS_COLORS"]
COL_FIELD, COL_MODEL, COL_EVIDENCE, COL_STATUS, COL_REVIEWED = range(5)


def shown(value: Any) -> str:
    return "—" if value is None else display(value) if not isinstance(value, (dict, list)) \
        else str(value)


def word(words: dict[str, str], key: str | None) -> str:
    return QCoreApplication.translate(CONTEXT, words[key]) if key in words else (key or "")

