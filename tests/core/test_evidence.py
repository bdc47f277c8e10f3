"""Evidence: every value tied to the passage of the report that supports it, by offsets."""

from __future__ import annotations

import pytest

from pluk.core.extraction.evidence import find_evidence
from pluk.core.runs.records import Record
from pluk.core.tasks import load_task
from pluk.core.tasks.definition import TaskDefinition
from tests.support.english_mri import labels, reports


def _task(*fields: dict) -> TaskDefinition:
    return TaskDefinition.model_validate({"id": "t", "title": "t", "description": "t",
                                          "fields": list(fields)})


def _check_offsets(text: str, evidence: dict) -> None:
    for path, e in evidence.items():
        if e.status == "not_found":
            assert (e.quote, e.start, e.end, e.score) == ("", 0, 0, None), path
        else:
            assert text[e.start:e.end] == e.quote, path
            assert e.start < e.end
        if e.status == "fuzzy":
            assert 0 < e.score < 1, path
        else:
            assert e.score is None, path


PSA = {"name": "psa", "type": "float", "unit": "ng/mL",
       "description": "Serum PSA value as reported (PSA, PSA-waarde)."}
EPE = {"name": "extraprostatic_extension", "type": "bool",
       "description": "Whether extraprostatic extension (extraprostatische uitbreiding, EPE) "
                      "is described as present."}


@pytest.mark.parametrize("written", ["9,7", "9.7", "9.70", "9,70"])
def test_dutch_and_english_number_forms_are_exact_with_their_unit(written):
    text = f"Klinische gegevens: PSA {written} ng/ml, geen eerdere biopten. Volume 9 cc."
    evidence = find_evidence(_task(PSA), {"psa": 9.7}, text)
    e = evidence["psa"]
    assert e.status == "exact"
    assert e.quote == f"{written} ng/ml"
    assert text[e.start:e.end] == e.quote
    assert text.index(written) == e.start


def test_the_number_near_the_fields_words_wins_over_an_earlier_one():
    text = "Datum 7-3. Lesie van 7 mm in de apex. PSA: 7 ng/mL."
    e = find_evidence(_task(PSA), {"psa": 7.0}, text)["psa"]
    assert e.status == "exact"
    assert e.start == text.index("7 ng/mL")


def test_a_number_inside_a_longer_one_or_a_name_is_not_evidence():
    text = "PSA 19,75 ng/ml; laesie mark9 en T7WI."
    e = find_evidence(_task(PSA), {"psa": 9.7}, text)["psa"]
    assert e.status == "not_found"
    assert find_evidence(_task(PSA), {"psa": 7.0}, text)["psa"].status == "not_found"


def test_a_number_written_nowhere_is_ungrounded_not_hidden():
    evidence = find_evidence(_task(PSA), {"psa": 12.5}, "PSA niet bekend.")
    assert evidence["psa"].status == "not_found"
    assert set(evidence) == {"psa"}


def test_centimetres_converted_to_millimetres_are_fuzzy():
    size = {"name": "size_mm", "type": "float", "unit": "mm", "description": "Largest diameter"}
    text = "Nodus van 1,2 cm in de rechter onderkwab (diameter)."
    e = find_evidence(_task(size), {"size_mm": 12.0}, text)["size_mm"]
    assert e.status == "fuzzy" and e.quote == "1,2 cm"


def test_a_negation_supports_false_for_a_yes_no_field_in_dutch_and_english():
    dutch = "PI-RADS 4 laesie links. Geen extraprostatische uitbreiding. Zaadblaasjes normaal."
    e = find_evidence(_task(EPE), {"extraprostatic_extension": False}, dutch)[
        "extraprostatic_extension"]
    assert e.status == "exact"
    assert e.quote == "Geen extraprostatische uitbreiding"
    english = "One lesion. No extraprostatic extension. Seminal vesicles normal."
    e = find_evidence(_task(EPE), {"extraprostatic_extension": False}, english)[
        "extraprostatic_extension"]
    assert e.status == "exact" and e.quote == "No extraprostatic extension"


def test_a_negated_clause_does_not_support_true_and_silence_does_not_support_false():
    text = "Geen extraprostatische uitbreiding."
    assert find_evidence(_task(EPE), {"extraprostatic_extension": True}, text)[
        "extraprostatic_extension"].status == "not_found"
    silent = "PI-RADS 4 laesie in de perifere zone."
    assert find_evidence(_task(EPE), {"extraprostatic_extension": False}, silent)[
        "extraprostatic_extension"].status == "not_found"


def test_a_question_is_not_a_finding_and_the_affirming_clause_is_chosen():
    field = {"name": "adhesions_present", "type": "bool",
             "description": "true if the report describes adhesions (adhesies, "
                            "verklevingen) as present; false if 'geen adhesies'."}
    text = ("Adhesies? Geen aanwijzingen voor adhesies tussen darm en buikwand. "
            "Conclusie: adhesies van dunnedarmlis in het kleine bekken.")
    e = find_evidence(_task(field), {"adhesions_present": True}, text)["adhesions_present"]
    assert e.status == "exact"
    assert e.quote.startswith("Conclusie: adhesies")
    no = find_evidence(_task(field), {"adhesions_present": False}, text)["adhesions_present"]
    assert no.quote.startswith("Geen aanwijzingen")


def test_doubt_about_an_absence_is_not_an_absence():
    text = "Extraprostatische uitbreiding is niet uit te sluiten."
    e = find_evidence(_task(EPE), {"extraprostatic_extension": True}, text)[
        "extraprostatic_extension"]
    assert e.status == "exact"


def test_strings_exact_then_case_insensitive_then_fuzzy_with_a_score():
    organ = {"name": "diagnosis", "type": "string", "description": "The conclusion."}
    text = "Conclusie: Adenocarcinoom  van de\nprostaat, Gleason 3+4=7."
    exact = find_evidence(_task(organ), {"diagnosis": "Adenocarcinoom"}, text)["diagnosis"]
    assert exact.status == "exact" and exact.quote == "Adenocarcinoom"
    folded = find_evidence(_task(organ), {"diagnosis": "adenocarcinoom van de prostaat"},
                           text)["diagnosis"]
    assert folded.status == "fuzzy" and folded.quote == "Adenocarcinoom  van de\nprostaat"
    assert 0.9 < folded.score < 1
    fuzzy = find_evidence(_task(organ), {"diagnosis": "adenocarcinom van prostaat"},
                          text)["diagnosis"]
    assert fuzzy.status == "fuzzy" and "prostaat" in fuzzy.quote and fuzzy.score >= 0.75
    none = find_evidence(_task(organ), {"diagnosis": "plaveiselcelcarcinoom long"},
                         text)["diagnosis"]
    assert none.status == "not_found"
    _check_offsets(text, {"a": exact, "b": folded, "c": fuzzy, "d": none})


def test_enum_values_their_synonyms_and_numbers():
    tissue = {"name": "tissue_type", "type": "enum", "values": ["Biopsy", "Resection"],
              "description": "'Biopsy' for a biopt (naaldbiopt, stansbiopt); 'Resection' "
                             "for a resectie (-ectomie)."}
    pirads = {"name": "highest_pirads", "type": "enum", "values": ["1", "2", "3", "4", "5"],
              "description": "The highest PI-RADS score."}
    text = "Stansbiopten prostaat rechts. PI-RADS 4 laesie, 3 mm."
    evidence = find_evidence(_task(tissue, pirads),
                             {"tissue_type": "Biopsy", "highest_pirads": "4"}, text)
    assert evidence["tissue_type"].status == "fuzzy"
    assert evidence["tissue_type"].quote == "Stansbiopten"
    assert evidence["highest_pirads"].status == "exact"
    assert evidence["highest_pirads"].start == text.index("4")
    _check_offsets(text, evidence)


def test_list_items_and_nested_objects_get_their_own_paths():
    task = load_task("radiology_findings_nl")
    text = ("CT thorax. Nodus van 12 mm in de rechter onderkwab, nieuw. Cyste in de lever van "
            "8 mm, ongewijzigd. Controle over 3 maanden.")
    fields = {"modality": "CT", "findings": [
        {"finding": "Nodus", "location": "rechter onderkwab", "size_mm": 12.0, "new": True},
        {"finding": "Cyste", "location": "lever", "size_mm": 8.0, "new": None}],
        "follow_up_recommended": True}
    evidence = find_evidence(task, fields, text)
    assert {"modality", "findings[0].finding", "findings[0].location", "findings[0].size_mm",
            "findings[0].new", "findings[1].finding", "findings[1].location",
            "findings[1].size_mm", "follow_up_recommended"} == set(evidence)
    assert evidence["findings[1].size_mm"].quote == "8 mm"
    assert evidence["findings[0].size_mm"].quote == "12 mm"
    assert evidence["findings[1].location"].quote == "lever"
    _check_offsets(text, evidence)


def test_repeated_list_items_take_successive_occurrences():
    entities = {"name": "entities", "type": "list", "items": {"type": "object", "fields": [
        {"name": "text", "type": "string"}, {"name": "type", "type": "enum",
                                             "values": ["NAME"]}]}}
    text = "Jansen belde. Later kwam Jansen terug."
    fields = {"entities": [{"text": "Jansen", "type": "NAME"}, {"text": "Jansen",
                                                                "type": "NAME"}]}
    evidence = find_evidence(_task(entities), fields, text)
    assert evidence["entities[0].text"].start == 0
    assert evidence["entities[1].text"].start == text.rindex("Jansen")
    assert evidence["entities[1].type"].start == evidence["entities[1].text"].start
    _check_offsets(text, evidence)


def test_labelled_english_reports_are_grounded_exactly():
    task = load_task("prostate_mri_nl")
    truth = labels()
    for report in reports():
        evidence = find_evidence(task, truth[report.id], report.text)
        _check_offsets(report.text, evidence)
        assert {e.status for e in evidence.values()} == {"exact"}, report.id


def test_evidence_round_trips_through_a_record():
    task = load_task("prostate_mri_nl")
    report = reports()[0]
    evidence = find_evidence(task, labels()[report.id], report.text)
    record = Record(id="a", source="a", sha256=report.sha256, status="ok",
                    fields=labels()[report.id], evidence=evidence)
    again = Record.model_validate_json(record.model_dump_json())
    assert again.evidence == evidence
    dumped = record.model_dump(mode="json")["evidence"]["psa"]
    assert set(dumped) == {"quote", "start", "end", "status", "score"}


@pytest.mark.real_model
def test_a_real_models_exact_evidence_is_at_its_offsets(smollm2_model):
    from pluk.core.extraction.loop import run_extraction
    from tests.support.decoders import open_decoder

    task = load_task("prostate_mri_nl")
    chosen = reports()[:4]
    texts = {r.id: r.text for r in chosen}
    with open_decoder(smollm2_model, 2048) as engine:
        records = list(run_extraction(task, chosen, engine))
    assert records
    exact = 0
    for record in records:
        if record.status == "error":
            continue
        values = [p for p, v in (record.fields or {}).items() if v is not None]
        assert set(values) <= set(record.evidence)
        _check_offsets(texts[record.id], record.evidence)
        exact += sum(e.status == "exact" for e in record.evidence.values())
    assert exact > 0
