"""The detail pane shows a thinking model's reasoning in the Raw output tab, before the answer,
with its token count and budget (a real DetailPane, offscreen)."""

from __future__ import annotations

from pluk.core.runs.records import Record
from pluk.core.thinking import ThinkingFacts
from pluk.gui.detail_pane import DetailPane


def test_the_reasoning_is_shown_before_the_answer(qtbot):
    pane = DetailPane()
    qtbot.addWidget(pane)
    record = Record(id="r1", source="mem", sha256="0" * 64, status="ok", fields={},
                    raw='{"psa": 1.5}', thinking_text="PSA is 1,5 here.",
                    thinking=ThinkingFacts(tokens=24, budget=24, budget_hit=True,
                                           closed_by="budget"))
    pane.show_record(record, None, None)
    shown = pane.raw.toPlainText()
    assert shown.startswith("Thinking: 24 token(s) of a 24-token budget · the budget closed it")
    assert shown.index("PSA is 1,5 here.") < shown.index('{"psa": 1.5}')
    pane.show_record(record.model_copy(update={"thinking": None, "thinking_text": None}),
                     None, None)
    assert pane.raw.toPlainText() == '{"psa": 1.5}'
