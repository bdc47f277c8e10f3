"""REDCap data dictionaries and Castor study structures, written by the suite, imported as
tasks: fields, types, codes, bounds and notes; bad input refused in one line."""

from __future__ import annotations

import json

import pytest

from pluk.cli import main
from pluk.core.tasks.castor import import_castor
from pluk.core.tasks.dictionary import dictionary_kind, import_dictionary
from pluk.core.tasks.edc_build import DictionaryError
from pluk.core.tasks.loader import load_task_file
from pluk.core.tasks.redcap import import_redcap
from tests.support.edc_dictionaries import write_castor, write_redcap


def _kinds(task) -> dict[str, str]:
    return {v.field: v.kind for v in task.edc.variables}


def test_a_two_form_dictionary_with_every_field_type_imports_right(tmp_path):
    task, notes = import_redcap(write_redcap(tmp_path / "study.csv"), language="nl")
    fields = {f.name: f for f in task.fields}
    assert list(fields) == ["age", "sex", "diagnosis_date", "smoker", "history", "psa",
                            "gleason", "biopsy_date", "report_date", "sites", "margin",
                            "tumour_type"]
    assert task.language == "nl" and task.id == "study"
    assert "demographics, pathology" in task.description
    # integer and number with their bounds
    assert (fields["age"].type, fields["age"].minimum, fields["age"].maximum) == ("int", 18, 110)
    assert (fields["psa"].type, fields["psa"].minimum, fields["psa"].maximum) == (
        "float", 0.0, 1000.0)
    # dates: strings of ten characters the model is told to write YYYY-MM-DD
    for name in ("diagnosis_date", "biopsy_date", "report_date"):
        assert fields[name].type == "string" and fields[name].max_length == 10
        assert "YYYY-MM-DD" in fields[name].description
    assert fields["history"].type == "string" and fields["history"].max_length == 1000
    assert fields["tumour_type"].type == "string"
    # choices: the model sees labels, the mapping keeps the codes
    assert fields["sex"].values == ["Male", "Female"]
    assert fields["gleason"].values == ["GG1", "GG2", "GG3", "GG4", "GG5"]
    assert fields["smoker"].type == fields["margin"].type == "bool"
    assert fields["sites"].type == "list" and fields["sites"].items.type == "enum"
    assert fields["sites"].items.values == ["Left lobe", "Right lobe", "Apex", "Other"]
    assert fields["sites"].max_items == 4
    mapping = task.edc
    assert mapping.system == "redcap" and mapping.record_id == "record_id"
    codes = {v.field: v.codes for v in mapping.variables}
    assert codes["sex"] == {"Male": "1", "Female": "2"}
    assert codes["sites"] == {"Left lobe": "1", "Right lobe": "2", "Apex": "3", "Other": "99"}
    assert _kinds(task) == {
        "age": "integer", "sex": "choice", "diagnosis_date": "date", "smoker": "yesno",
        "history": "text", "psa": "number", "gleason": "choice", "biopsy_date": "date",
        "report_date": "date", "sites": "checkbox", "margin": "truefalse",
        "tumour_type": "text"}
    assert {v.form for v in mapping.variables} == {"demographics", "pathology"}
    # label, note and section make the description; branching logic is a note for the model
    assert fields["psa"].description.startswith("PSA (ng/mL). Section: Laboratory.")
    assert "Only applies when: [gleason] <> ''" in fields["sites"].description
    assert fields["history"].description.startswith("Relevant history (Free text).")
    assert all(f.optional for f in task.fields)
    # what is skipped says so
    for name in ("bmi", "intro", "signature", "slide_scan"):
        assert any(note.startswith(f"'{name}' is skipped") for note in notes), name
    assert any("record_id" in note and "record id" in note for note in notes)
    assert any("'diagnosis_date' is marked as an identifier" in note for note in notes)


def test_a_form_is_chosen_with_form(tmp_path):
    task, _ = import_redcap(write_redcap(tmp_path / "study.csv"), form="pathology")
    assert [f.name for f in task.fields] == ["psa", "gleason", "biopsy_date", "report_date",
                                             "sites", "margin", "tumour_type"]
    assert task.edc.record_id == "record_id" and task.title == "REDCap: pathology"


def test_the_api_metadata_names_read_as_the_same_columns(tmp_path):
    header = ["field_name", "form_name", "section_header", "field_type", "field_label",
              "select_choices_or_calculations", "field_note",
              "text_validation_type_or_show_slider_number", "text_validation_min",
              "text_validation_max", "identifier", "branching_logic"]
    task, _ = import_redcap(write_redcap(tmp_path / "api.csv", header=header))
    assert len(task.fields) == 12 and task.field("age").maximum == 110


def _row(name, kind, choices="", validation="", low="", high=""):
    return (name, "f", "", kind, "Label", choices, "", validation, low, high, "", "")


RECORD = _row("record_id", "text")


@pytest.mark.parametrize("rows, message", [
    ([RECORD, _row("x", "matrix")], "line 3 ('x'): unknown field type 'matrix'"),
    ([RECORD, _row("x", "radio", "1 Yes | 2, No")], "malformed choice '1 Yes'"),
    ([RECORD, _row("x", "dropdown", "1, Yes | 1, No")], "choice code '1' is used twice"),
    ([RECORD, _row("x", "checkbox", "1, Yes | 2, Yes")], "choice label 'Yes' is used twice"),
    ([RECORD, _row("x", "radio", "")], "no choices"),
    ([RECORD, _row("x", "radio", "1, A | b c, B")], "choice code 'b c' is not a REDCap code"),
    ([RECORD, _row("x", "text"), _row("x", "notes")],
     "line 4: variable name 'x' is used twice (first at"),
    ([RECORD, _row("9lives", "text")], "variable name '9lives' cannot be a Pluk field name"),
    ([RECORD, _row("x", "calc")], "no variable a model can fill"),
    ([RECORD], "no variable a model can fill"),
])
def test_bad_dictionaries_are_refused_in_one_line(tmp_path, rows, message):
    path = write_redcap(tmp_path / "bad.csv", rows)
    with pytest.raises(DictionaryError) as caught:
        import_redcap(path)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_file_that_is_not_a_dictionary_is_refused(tmp_path, capsys):
    task_file = tmp_path / "task.json"
    task_file.write_text(json.dumps({"id": "t", "fields": []}))
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    for path, message in ((task_file, "not a REDCap data dictionary"),
                          (binary, "not a REDCap data dictionary (a binary file"),
                          (empty, "is empty"), (tmp_path / "gone.csv", "not found")):
        with pytest.raises(DictionaryError) as caught:
            import_redcap(path)
        assert message in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(DictionaryError, match="no form 'labs'; the forms are demographics, "
                                              "pathology"):
        import_redcap(write_redcap(tmp_path / "s.csv"), form="labs")
    # the command: exit code 2 and one line on stderr
    assert main(["tasks", "import-redcap", str(task_file)]) != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("pluk: error:") and "\n" not in err


def test_a_windows_1252_dictionary_is_read_with_a_note(tmp_path):
    path = write_redcap(tmp_path / "s.csv", [RECORD, _row("x", "radio", "1, Café | 2, Thé")])
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    task, notes = import_redcap(path)
    assert task.field("x").values == ["Café", "Thé"]
    assert any("Windows-1252" in note for note in notes)


def test_the_command_writes_a_task_file_that_loads_with_its_mapping(tmp_path, capsys):
    out = tmp_path / "tasks" / "study.json"
    assert main(["tasks", "import-redcap", str(write_redcap(tmp_path / "study.csv")),
                 "--form", "demographics", "--id", "study_demo", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "'bmi' is skipped" in err and f"Wrote task 'study_demo' to {out}" in err
    task = load_task_file(out)
    assert task.id == "study_demo" and [v.variable for v in task.edc.variables] == [
        "age", "sex", "diagnosis_date", "smoker", "history"]
    assert main(["tasks", "import-redcap", str(tmp_path / "study.csv"), "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_a_task_whose_mapping_contradicts_its_fields_is_refused(tmp_path):
    task, _ = import_redcap(write_redcap(tmp_path / "study.csv"))
    data = task.model_dump(mode="json")
    data["fields"][1]["values"] = ["Man", "Woman"]  # sex, edited away from the dictionary
    from pluk.core.errors import PlukError
    from pluk.core.tasks.loader import parse_task
    with pytest.raises(PlukError, match="values of field 'sex' differ from the labels"):
        parse_task(data, "edited")
    data = task.model_dump(mode="json")
    data["fields"][0] = {"name": "age", "type": "string"}
    with pytest.raises(PlukError, match="field 'age' is string, but EDC variable 'age'"):
        parse_task(data, "edited")
    # a field removed since the import is allowed: it has no column then
    data = task.model_dump(mode="json")
    del data["fields"][0]
    assert parse_task(data, "edited").edc.variables[0].field == "age"


def test_a_castor_structure_with_option_groups_imports(tmp_path):
    structure, options = write_castor(tmp_path)
    task, notes = import_castor(structure, options)
    fields = {f.name: f for f in task.fields}
    assert list(fields) == ["pat_psa", "pat_gleason", "pat_sites", "pat_date", "pat_type",
                            "pat_notes", "pat_year"]
    assert fields["pat_psa"].type == "float" and fields["pat_year"].type == "int"
    assert fields["pat_gleason"].values == ["GG1", "GG2", "GG3"]
    assert fields["pat_sites"].items.values == ["Left lobe", "Right lobe", "Apex, base"]
    assert fields["pat_notes"].max_length == 1000 and fields["pat_date"].max_length == 10
    assert task.edc.system == "castor" and task.edc.record_id == "Participant Id"
    assert {v.field: v.codes for v in task.edc.variables}["pat_gleason"] == {
        "GG1": "1", "GG2": "2", "GG3": "3"}
    assert any("'pat_score' is skipped" in n for n in notes)
    assert any("'ae_term' is skipped: it is on a Report form" in n for n in notes)
    assert any("1 field without a variable name skipped" in n for n in notes)
    assert dictionary_kind(structure) == "castor"
    assert import_dictionary(structure, options)[0].edc.system == "castor"


def test_bad_castor_input_is_refused_in_one_line(tmp_path):
    structure, options = write_castor(tmp_path)
    with pytest.raises(DictionaryError, match="give the option groups export with "
                                              "--option-groups"):
        import_castor(structure)
    with pytest.raises(DictionaryError, match="this is Castor's option groups file"):
        dictionary_kind(options)
    with pytest.raises(DictionaryError, match="not a Castor option groups export"):
        import_castor(structure, structure)
    bad, _ = write_castor(tmp_path / "b", [("Study", "V", "F", "x", "X", "hologram", "")])
    with pytest.raises(DictionaryError, match="unknown field type 'hologram'"):
        import_castor(bad, options)
    dup, _ = write_castor(tmp_path / "d", [("Study", "V", "F", "x", "X", "string", ""),
                                          ("Study", "V", "F", "x", "Y", "numeric", "")])
    with pytest.raises(DictionaryError, match="variable name 'x' is used twice"):
        import_castor(dup, options)
    missing, _ = write_castor(tmp_path / "m", [("Study", "V", "F", "x", "X", "radio", "OG9")])
    with pytest.raises(DictionaryError, match="option group 'OG9' is not in"):
        import_castor(missing, options)
