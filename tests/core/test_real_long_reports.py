"""A report three times the context whose PSA is stated only in its last lines, read in
sections by SmolLM2-135M-Instruct on the real llama.cpp (issue 17, item 1).

Measured first (BENCHMARKS.md, "Long reports"): in the sections without a PSA the model answers
null or a value the section does not state; the merge keeps the value found in its own section's
text, so the record has the report's PSA, with evidence at the report's end."""

from __future__ import annotations

import pytest

from pluk.core.extraction.loop import run_extraction
from pluk.core.readers.reports import Report
from pluk.core.tasks.loader import parse_task
from tests.support.decoders import open_decoder

pytestmark = pytest.mark.real_model

N_CTX = 1024

TASK = {
    "id": "psa_letter", "title": "PSA", "language": "en",
    "description": "Extract the serum PSA value from a clinical letter.",
    "instructions": "Use only what the text states; answer null when it states no PSA value.",
    "fields": [{"name": "psa", "type": "float", "unit": "ng/mL", "optional": True,
                "minimum": 0, "maximum": 10000, "description": "Serum PSA value (PSA)."}]}

FILLER = [
    "The patient was seen in the outpatient clinic together with his wife.",
    "He reports no pain, no weight loss and a normal appetite.",
    "His general practitioner referred him because of urinary complaints at night.",
    "Physical examination showed a calm man in good general condition.",
    "The abdomen was soft and not tender, without palpable masses.",
    "Medication was reviewed and left unchanged after the discussion.",
    "We explained the findings and the plan, and he agreed with it.",
    "Family history is negative for cancer of the prostate or the bladder.",
]


def letter(min_tokens: int, count) -> str:
    paragraphs, k = [], 0
    while True:
        paragraphs.append(" ".join(FILLER[(k + i) % len(FILLER)] for i in range(4)))
        k += 1
        if count("\n\n".join(paragraphs)) >= min_tokens:
            break
    paragraphs.append("Laboratory results of this morning: PSA 7.3 ng/mL.")
    return "\n\n".join(paragraphs)


def test_a_value_stated_only_at_the_end_of_a_long_report_is_found(smollm2_model):
    task = parse_task(TASK, "memory")
    with open_decoder(smollm2_model, N_CTX) as engine:
        text = letter(3 * N_CTX, engine.count_tokens)
        report = Report.from_text(id="letter", source="mem", format="txt", text=text)
        (record,) = run_extraction(task, [report], engine)
    assert record.split is not None, record.error
    assert record.split.report_tokens >= 3 * N_CTX and len(record.split.sections) >= 4
    assert record.status == "ok", record.error
    assert record.fields["psa"] == 7.3, record.raw
    assert record.split.sources["psa"] == len(record.split.sections) - 1
    evidence = record.evidence["psa"]
    assert evidence.status == "exact" and "7.3" in evidence.quote
    assert text[evidence.start:evidence.end] == evidence.quote
    assert evidence.start > record.split.sections[-1].start
