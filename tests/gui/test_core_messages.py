"""Issue 26, item 4: the core's messages shown in the window are in its language. The Dutch
words come from the coordinator's translation merge; what is checked here is that each known
message is recognised whole, keeps its parts, and writes its numbers in the locale."""

from __future__ import annotations

from PySide6.QtCore import QLocale

from pluk.core.errors import PlukError
from pluk.core.runs.reviews import check_value
from pluk.core.tasks import load_task
from pluk.gui.core_messages import _FORMS, translated


def test_known_core_messages_are_recognised_with_their_parts(qapp):
    spec = load_task("prostate_mri_nl").field("psa")
    try:
        check_value(spec, 20000.5)
    except PlukError as exc:
        message = str(exc)  # the core's own words, not a copy of them
    assert translated(message) == message  # English window: the same text
    assert any(p.fullmatch(message) for p, _ in _FORMS)
    for text in ("empty file (0 bytes)", "2 field(s) failed validation: psa, pirads",
                 "the model wrote 5000, above the maximum 1000", "n/a"):
        assert any(p.fullmatch(text) for p, _ in _FORMS), text
    assert translated("something else entirely") == "something else entirely"
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.Dutch, QLocale.Country.Netherlands))
    try:
        assert translated(message).startswith("20.000,5 ")  # the locale's marks
        assert translated("the model wrote 12.5, below the minimum 0.1") == \
            "the model wrote 12,5, below the minimum 0,1"
    finally:
        QLocale.setDefault(before)
