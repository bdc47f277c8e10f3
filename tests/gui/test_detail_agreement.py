"""The detail pane says how many of a report's answers gave a value when they disagreed, and
says nothing when all agreed or the report was answered once (a real DetailPane, offscreen)."""

from __future__ import annotations

from pluk.core.runs.records import Record
from pluk.gui.detail_pane import DetailPane


def _notes(pane) -> dict[str, str]:
    tree = pane.values
    return {tree.topLevelItem(i).text(0): tree.topLevelItem(i).toolTip(1) + " | " +
            " ".join(tree.topLevelItem(i).text(c) for c in range(tree.columnCount()))
            for i in range(tree.topLevelItemCount())}


def test_a_value_most_answers_gave_says_how_many(qtbot):
    pane = DetailPane()
    qtbot.addWidget(pane)
    record = Record(id="r1", source="mem", sha256="0" * 64, status="ok",
                    fields={"psa": 4.1, "pirads": 3}, passes=5,
                    agreement={"psa": 3, "pirads": 5})
    pane.show_record(record, None, None)
    notes = _notes(pane)
    assert "3 of 5 answers gave this value" in notes["psa"]
    assert "answers gave" not in notes["pirads"]  # all five agreed
    pane.show_record(record.model_copy(update={"passes": None, "agreement": None}), None, None)
    assert all("answers gave" not in note for note in _notes(pane).values())
