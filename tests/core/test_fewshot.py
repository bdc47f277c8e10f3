"""Few-shot selection: BM25 over the examples, offline and deterministic; and the pipeline's
per-report examples (choose_examples) with the tiny model."""

from __future__ import annotations

import pytest

from pluk.core.extraction.fewshot import ExampleIndex, words
from pluk.core.extraction.context import prompt_parts
from pluk.core.extraction.loop import run_extraction
from pluk.core.readers.reports import Report
from pluk.core.tasks.definition import Example
from pluk.core.tasks.loader import parse_task
from tests.support.decoders import open_decoder

EXAMPLES = [
    Example(text="MRI prostaat: PI-RADS 4 laesie in de perifere zone, PSA 8,1 ng/ml.",
            answer={"finding": "prostate"}),
    Example(text="CT thorax: solitaire longnodule rechter bovenkwab van 6 mm, geen pleuravocht.",
            answer={"finding": "lung"}),
    Example(text="Echo nieren: cyste in de linker nier, geen hydronefrose. Nierfunctie normaal.",
            answer={"finding": "kidney"}),
    Example(text="Huidbiopt: basaalcelcarcinoom, nodulair type, radicaal verwijderd.",
            answer={"finding": "skin"}),
]


def test_words_fold_case_and_accents_and_drop_function_words():
    assert words("De Patiënt heeft een CYSTE in de nier; 3,5 cm.") == [
        "patient", "heeft", "cyste", "nier", "3", "5", "cm"]
    assert words("") == []


def test_nearest_is_the_most_similar_example_placed_last():
    index = ExampleIndex(EXAMPLES)
    chosen = index.nearest("Longnodule van 8 mm in de rechter bovenkwab op CT thorax.", 2)
    assert len(chosen) == 2
    assert chosen[-1].answer == {"finding": "lung"}
    assert index.nearest("Cyste in de rechter nier", 1)[0].answer == {"finding": "kidney"}
    assert index.nearest("PSA 12 ng/ml, PI-RADS 5", 1)[0].answer == {"finding": "prostate"}


def test_selection_is_deterministic_and_ties_go_to_the_first_listed():
    index = ExampleIndex(EXAMPLES)
    query = "Nodulair basaalcelcarcinoom van de huid"
    assert index.nearest(query, 3) == ExampleIndex(list(EXAMPLES)).nearest(query, 3)
    # No word in common: every score is 0, so the first k examples, in order (best last).
    assert index.nearest("xyzzy", 2) == [EXAMPLES[1], EXAMPLES[0]]
    assert index.scores("xyzzy") == [0.0] * 4


def test_a_report_is_never_its_own_example_and_k_is_capped():
    index = ExampleIndex(EXAMPLES)
    chosen = index.nearest(EXAMPLES[2].text, 10)
    assert EXAMPLES[2] not in chosen and len(chosen) == 3
    assert ExampleIndex([]).nearest("anything", 3) == []


def test_representative_set_suits_the_reports_as_a_whole():
    index = ExampleIndex(EXAMPLES)
    reports = ["Longnodule 5 mm", "Nodule in de long, 7 mm, CT thorax", "Cyste nier links"]
    chosen = index.representative(reports, 2)
    assert chosen[-1].answer == {"finding": "lung"}
    assert {e.answer["finding"] for e in chosen} == {"lung", "kidney"}
    assert chosen == index.representative(reports, 2)


def test_chooser_takes_a_report():
    choose = ExampleIndex(EXAMPLES).chooser(1)
    report = Report.from_text(id="r", source="mem", format="txt", text="Huidbiopt met BCC")
    assert choose(report) == [EXAMPLES[3]]


TASK = parse_task({
    "id": "fewshot_demo", "title": "Finding", "description": "Which organ the report is about.",
    "language": "nl",
    "fields": [{"name": "finding", "type": "enum",
                "values": ["prostate", "lung", "kidney", "skin"]}],
}, "test")


@pytest.fixture(scope="module")
def engine(tiny_model):
    with open_decoder(tiny_model, 2048) as eng:
        yield eng


def test_prompt_parts_put_chosen_examples_after_the_fixed_part(engine):
    plain = prompt_parts(TASK, engine)
    with_examples = prompt_parts(TASK, engine, EXAMPLES[:2])
    shared = plain.prefix.split("Field guide:")[0]
    assert with_examples.prefix.startswith(shared)
    assert EXAMPLES[1].text in with_examples.prefix and EXAMPLES[1].text not in plain.prefix
    assert with_examples.prefix.index(EXAMPLES[0].text) > with_examples.prefix.index(
        "Field guide:")
    assert prompt_parts(TASK, engine, []).prefix == plain.prefix


def test_run_extraction_uses_each_reports_own_examples(engine):
    reports = [Report.from_text(id=f"r{i}", source="mem", format="txt", text=text)
               for i, text in enumerate(["Longnodule 6 mm rechts", "Cyste in de nier"])]
    index = ExampleIndex(EXAMPLES)
    asked = []

    def choose(report):
        asked.append(report.id)
        return index.nearest(report.text, 2)

    zero = list(run_extraction(TASK, reports, engine))
    few = list(run_extraction(TASK, reports, engine, choose_examples=choose))
    assert asked == ["r0", "r1"]
    assert [r.status for r in few] == ["ok", "ok"]
    for z, f in zip(zero, few):
        assert f.tokens_prompt > z.tokens_prompt
    # The fixed instructions stay a reused prefix between reports with different examples.
    assert few[1].tokens_cached > 0
