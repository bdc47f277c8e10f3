"""Issue 26, item 4: numbers in the window follow its locale, one way throughout: in Dutch a
decimal comma and a point between thousands (0,93; 8.192; 1,9 GB), in English the reverse."""

from __future__ import annotations

from PySide6.QtCore import QLocale

from pluk.core.runs.records import Evidence
from pluk.core.validation.result import Metric


def _in(locale: QLocale, check) -> None:
    before = QLocale()
    QLocale.setDefault(locale)
    try:
        check()
    finally:
        QLocale.setDefault(before)


def test_every_number_shape_follows_the_locale(qapp):
    from pluk.gui.detail_pane import evidence_label
    from pluk.gui.validation_tables import metric_text
    from pluk.gui.widgets import integer, number, short_number

    fuzzy = Evidence(quote="9,7", start=0, end=3, status="fuzzy", score=0.93)
    ece = Metric(value=0.05, ci_low=0.01, ci_high=0.125)

    def dutch():
        assert integer(8192) == "8.192" and number(1.94) == "1,9" and short_number(0.5) == "0,5"
        assert evidence_label(fuzzy).endswith(" 0,93")
        assert metric_text(ece) == "0,050 (0,010–0,125)"

    def english():
        assert integer(8192) == "8,192" and number(1.94) == "1.9" and short_number(0.5) == "0.5"
        assert evidence_label(fuzzy) == "fuzzy 0.93"
        assert metric_text(ece) == "0.050 (0.010–0.125)"

    _in(QLocale(QLocale.Language.Dutch, QLocale.Country.Netherlands), dutch)
    _in(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom), english)


def test_no_widget_formats_a_number_with_python_alone():
    """The shapes that gave "0.80" and "8,192" in a Dutch window: none is left in the GUI."""
    import re
    from pathlib import Path

    import pluk.gui

    pattern = re.compile(r"\{[\w.()\[\]]+:(,|\.\d+f|g)\}")
    found = [f"{path.name}: {line.strip()}"
             for path in Path(pluk.gui.__file__).parent.glob("*.py")
             for line in path.read_text(encoding="utf-8").splitlines()
             if pattern.search(line) and "widgets.py" not in path.name]
    assert not found, found
