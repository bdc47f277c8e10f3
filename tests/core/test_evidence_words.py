"""Evidence for a number is the number next to its field's words (issue 23): a value that only
coincides with another number of the report (a lab value, a blood pressure, a height, a date,
a visit's number, another organ's volume) is `weak` at best, never `exact` or `fuzzy`."""

from __future__ import annotations

import pytest

from pluk.core.extraction.evidence import find_evidence
from pluk.core.tasks.definition import TaskDefinition

FIELDS = [
    {"name": "psa", "type": "float", "unit": "ng/mL", "optional": True,
     "description": "Serum PSA value as reported (PSA, PSA-waarde)."},
    {"name": "prostate_volume", "type": "float", "unit": "mL", "optional": True,
     "description": "Prostate volume (prostaatvolume, volume prostaat); cm3 and mL are the "
                    "same unit."},
    {"name": "psa_density", "type": "float", "unit": "ng/mL/mL", "optional": True,
     "description": "PSA density (PSA-densiteit, PSAD) if the report gives it."},
    {"name": "highest_pirads", "type": "enum", "values": ["1", "2", "3", "4", "5"],
     "optional": True, "description": "The highest PI-RADS score of any lesion in the report."},
    {"name": "suspicious_lesion_count", "type": "int", "minimum": 0, "maximum": 20,
     "description": "Number of lesions with PI-RADS 3 or higher; 0 when none are described."},
]
TASK = TaskDefinition.model_validate({"id": "t", "title": "t", "description": "t",
                                      "fields": FIELDS})

LETTER = ("Visit 1 on 12-03-2024 at 14:30. Blood pressure 140/90 mmHg, height 181 cm, "
          "weight 84 kg. Haemoglobin 9.7 mmol/L, creatinine 88. Bladder volume 300 mL.\n"
          "1. MRI of the prostate: PI-RADS 4 lesion in the left peripheral zone.\n"
          "2. Prostate volume 61 mL. Latest PSA 13.4 ng/mL. PSA density 0.22.\n")


@pytest.mark.parametrize("field, value, why", [
    ("psa", 9.7, "a haemoglobin in mmol/L"),
    ("psa", 140.0, "one end of a blood pressure"),
    ("psa", 90.0, "the other end of a blood pressure"),
    ("prostate_volume", 181.0, "a height in cm"),
    ("prostate_volume", 300.0, "another organ's volume"),
    ("prostate_volume", 1.0, "a visit's number and a list's numbering"),
    ("psa", 12.0, "a date's day"),
    ("psa", 14.0, "a time's hour"),
    ("psa", 84.0, "a weight in kg"),
    ("psa", 88.0, "a creatinine"),
    ("psa_density", 4.0, "the 4 of PI-RADS 4"),
    ("suspicious_lesion_count", 4.0, "a PI-RADS score, not a count"),
    ("highest_pirads", "2", "the list's numbering 2."),
])
def test_a_number_that_only_coincides_is_never_grounded(field, value, why):
    e = find_evidence(TASK, {field: value}, LETTER)[field]
    assert e.status in ("weak", "not_found"), why
    if e.status == "weak":
        assert LETTER[e.start:e.end] == e.quote and e.score is None


def test_dates_times_ranges_and_numbering_ground_nothing_at_all():
    for value in (12.0, 14.0, 140.0, 1.0):
        assert find_evidence(TASK, {"psa": value}, LETTER)["psa"].status == "not_found", value


@pytest.mark.parametrize("field, value, quote", [
    ("psa", 13.4, "13.4 ng/mL"),
    ("prostate_volume", 61.0, "61 mL"),
    ("psa_density", 0.22, "0.22"),
    ("highest_pirads", "4", "4"),
])
def test_a_number_next_to_its_fields_words_is_exact(field, value, quote):
    e = find_evidence(TASK, {field: value}, LETTER)[field]
    assert (e.status, e.quote) == ("exact", quote)


@pytest.mark.parametrize("text", [
    "Hb 9,7 PSA 3,2 ng/ml.",  # the word before the next number is that number's
    "Hb 9,7, PSA 3,2.",
    "PSA-densiteit 9,7.",  # a fuller name of another field
])
def test_the_words_of_another_number_or_field_do_not_ground_it(text):
    assert find_evidence(TASK, {"psa": 9.7}, text)["psa"].status in ("weak", "not_found")


@pytest.mark.parametrize("text, quote", [
    ("PSA-waarde van 9,7 ng/ml bij de huisarts.", "9,7 ng/ml"),
    ("Het PSA was 9,7.", "9,7"),
    ("PSA (ng/mL): 9.7", "9.7"),
    ("Hb 8,1, PSA 9,7 ng/ml, kreatinine 90.", "9,7 ng/ml"),
])
def test_dutch_and_english_ways_of_stating_a_psa_are_exact(text, quote):
    e = find_evidence(TASK, {"psa": 9.7}, text)["psa"]
    assert (e.status, e.quote) == ("exact", quote)


def test_the_unit_and_the_builtin_dutch_words_name_a_volume():
    for text, quote in [("Inhoud 45 cc.", "45 cc"), ("Prostaat: 45 ml.", "45 ml"),
                        ("Volume prostaat 45 cm3, blaas 300 ml.", "45 cm3")]:
        e = find_evidence(TASK, {"prostate_volume": 45.0}, text)["prostate_volume"]
        assert (e.status, e.quote) == ("exact", quote), text


def test_a_tasks_own_synonyms_name_its_field():
    fields = [{"name": "ldh", "type": "float", "description": "Serum LDH.",
               "synonyms": ["lactaatdehydrogenase"]}]
    task = TaskDefinition.model_validate({"id": "t", "title": "t", "description": "t",
                                          "fields": fields})
    text = "Lactaatdehydrogenase 250. Leukocyten 250."
    e = find_evidence(task, {"ldh": 250.0}, text)["ldh"]
    assert (e.status, e.start) == ("exact", text.index("250"))
    plain = task.model_copy(update={"fields": [task.fields[0].model_copy(
        update={"synonyms": []})]})
    assert find_evidence(plain, {"ldh": 250.0}, text)["ldh"].status == "weak"


def test_a_count_next_to_its_words_is_exact_and_beside_a_score_is_not():
    text = "Er zijn 2 verdachte laesies, de grootste PI-RADS 4."
    evidence = find_evidence(TASK, {"suspicious_lesion_count": 2, "highest_pirads": "4"}, text)
    assert evidence["suspicious_lesion_count"].status == "exact"
    assert evidence["highest_pirads"].status == "exact"
    assert evidence["highest_pirads"].start == text.index("4")


def test_a_short_code_away_from_its_fields_words_is_weak():
    stage = {"name": "t_stage", "type": "enum", "values": ["T1", "T2", "T3"],
             "description": "Clinical T stage (cT)."}
    task = TaskDefinition.model_validate({"id": "t", "title": "t", "description": "t",
                                          "fields": [stage]})
    text = "Sequences: T1 and T2 weighted images were acquired. " + "Normal findings. " * 8
    assert find_evidence(task, {"t_stage": "T2"}, text)["t_stage"].status == "weak"


# -- merges never prefer weaker evidence ---------------------------------------------------------

def _visit_letter() -> list[str]:
    """The long letter of issue 23 in ten sections: visits first, the values in the last."""
    sections = ["\n".join(f"Visit {3 * k + i + 1}: seen at the clinic, height 181 cm, "
                          f"no complaints." for i in range(3)) for k in range(9)]
    sections.append("Visit 28 to 30: stable. Prostate volume 61 mL. Latest PSA 13.4 ng/mL.")
    return sections


def _merged(task, sections, answers):
    from pluk.core.extraction.section_merge import merge_sections
    from pluk.core.readers.reports import Report
    from pluk.core.runs.records import Record, Section
    text = "\n".join(sections)
    records, spans, at = [], [], 0
    for part, fields in zip(sections, answers):
        records.append(Record(id="r", source="s", sha256="h", status="ok", fields=fields,
                              evidence=find_evidence(task, fields, part), raw="{}",
                              tokens_prompt=10, tokens_output=5, seconds=1.0))
        spans.append(Section(start=at, end=at + len(part), tokens=5))
        at += len(part) + 1
    report = Report.from_text(id="r", source="s", format="txt", text=text)
    return merge_sections(task, report, records, spans, report_tokens=50, room=5, overlap=0,
                          warnings=[])


def test_the_value_stated_next_to_its_words_wins_the_merge_whatever_the_rule():
    task = TASK.model_copy(update={"fields": TASK.fields[:2], "section_merge": "first"})
    sections = _visit_letter()
    answers = [{"psa": 1.0, "prostate_volume": 1.0}] + [
        {"psa": None, "prostate_volume": 181.0}] * 8 + [{"psa": 13.4, "prostate_volume": 61.0}]
    record = _merged(task, sections, answers)
    assert record.fields == {"psa": 13.4, "prostate_volume": 61.0}
    assert record.split.sources == {"psa": 9, "prostate_volume": 9}
    assert record.evidence["prostate_volume"].status == "exact"
    assert record.evidence["prostate_volume"].quote == "61 mL"
    assert record.evidence["psa"].quote == "13.4 ng/mL"


def test_a_value_no_section_states_is_kept_as_not_grounded_with_the_sections_named():
    task = TASK.model_copy(update={"fields": TASK.fields[:2], "section_merge": "first"})
    sections = _visit_letter()
    answers = [{"psa": None, "prostate_volume": 181.0}] * 9 + [{"psa": 13.4,
                                                                "prostate_volume": None}]
    record = _merged(task, sections, answers)
    assert record.fields["prostate_volume"] == 181.0
    assert record.evidence["prostate_volume"].status in ("weak", "not_found")
    note = next(w for w in record.warnings if w.startswith("prostate_volume:"))
    assert "no section states its value" in note and "(section 1)" in note
    assert "(section 9)" in note and "not grounded" in note
