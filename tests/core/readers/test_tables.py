"""CSV, XLSX, JSONL and JSON (DRAGON) tables: column choice and guessing, per-row records."""

from __future__ import annotations

import json

import openpyxl
import pytest

from pluk.core.errors import PlukError
from pluk.core.readers import TableOptions, read_inputs, table_columns

DUTCH = "Patiënt met coëxistente afwijking, ± 3 cm"


def by_id(reports):
    return {r.id: r for r in reports}


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters_are_sniffed(tmp_path, delimiter):
    path = tmp_path / "t.csv"
    rows = [["id", "verslag"], ["a1", "PSA 7,2; volume 40 cc"], ["a2", "PI-RADS 3, geen EPE"]]
    path.write_text("\n".join(delimiter.join(
        f'"{c}"' if delimiter in c else c for c in row) for row in rows) + "\n", encoding="utf-8")
    reports = read_inputs([path])
    assert [(r.id, r.text) for r in reports] == [
        ("a1", "PSA 7,2; volume 40 cc"), ("a2", "PI-RADS 3, geen EPE")]
    assert all(r.format == "csv" and r.error is None for r in reports)
    assert reports[0].source.endswith("t.csv#2")


def test_csv_cp1252_multiline_cells_and_blank_rows(tmp_path):
    path = tmp_path / "export.csv"
    content = f'report_id;tekst\r\n7;"{DUTCH}\r\nConclusie: benigne"\r\n;;\r\n\r\n8;Tweede\r\n'
    path.write_bytes(content.encode("cp1252"))
    reports = read_inputs([path])
    assert [r.id for r in reports] == ["7", "8"]
    assert reports[0].text == f"{DUTCH}\nConclusie: benigne"
    assert any("Windows-1252" in w for w in reports[0].warnings)


def test_explicit_columns_forgive_case(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("Nummer,Conclusie,Verslag\nx1,c1,tekst een\nx2,c2,tekst twee\n",
                    encoding="utf-8")
    reports = read_inputs([path], table=TableOptions(id_column="nummer", text_column="Conclusie"))
    assert [(r.id, r.text) for r in reports] == [("x1", "c1"), ("x2", "c2")]


def test_missing_chosen_column_is_one_error_listing_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,tekst\n1,a\n2,b\n", encoding="utf-8")
    (report,) = read_inputs([path], table=TableOptions(text_column="report"))
    assert report.id == "t.csv"
    assert "text column 'report' not found" in report.error
    assert "'id', 'tekst'" in report.error


def test_no_guessable_text_column_lists_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("nr,omschrijving\n1,a\n", encoding="utf-8")
    (report,) = read_inputs([path])
    assert "no text column found" in report.error
    assert "'nr', 'omschrijving'" in report.error


def test_without_id_column_ids_are_row_numbers(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("text\neen\ntwee\n", encoding="utf-8")
    reports = read_inputs([path])
    assert [r.id for r in reports] == ["row-2", "row-3"]
    assert all("no id column" in r.warnings[0] for r in reports)


def test_empty_text_cell_is_an_error_for_that_row_only(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("uid,text,extra\n1,goed,x\n2,,y\n3,  ,z\n4,ook goed,\n", encoding="utf-8")
    reports = by_id(read_inputs([path]))
    assert reports["1"].text == "goed" and reports["4"].text == "ook goed"
    assert reports["2"].error == "row 3: the text cell (column 'text') is empty"
    assert "row 4" in reports["3"].error
    assert reports["2"].sha256 != reports["3"].sha256


def test_duplicate_ids_in_one_table_get_numbered(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,text\n5,a\n5,b\n5,c\n", encoding="utf-8")
    reports = read_inputs([path])
    assert [r.id for r in reports] == ["5", "5#2", "5#3"]
    assert "renamed" in reports[1].warnings[-1]


def test_header_only_table_is_one_error(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,text\n", encoding="utf-8")
    (report,) = read_inputs([path])
    assert report.error == "the table holds no data rows"


def make_xlsx(path, sheets):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)


def test_xlsx_first_sheet_numeric_ids_and_sheet_option(tmp_path):
    path = tmp_path / "t.xlsx"
    make_xlsx(path, {
        "Overzicht": [["ID", "Verslag"], [101, DUTCH], [102.0, "Tweede\r\nregel"], [None, None]],
        "Pathologie": [["nr", "tekst"], ["p1", "Gleason 3+4=7"]],
    })
    reports = read_inputs([path])
    assert [(r.id, r.text) for r in reports] == [("101", DUTCH), ("102", "Tweede\nregel")]
    assert reports[0].source.endswith("t.xlsx#2")
    (report,) = read_inputs([path], table=TableOptions(sheet="Pathologie", id_column="nr"))
    assert (report.id, report.text) == ("p1", "Gleason 3+4=7")
    (report,) = read_inputs([path], table=TableOptions(sheet="Radiologie"))
    assert report.error == "sheet 'Radiologie' not found; sheets: Overzicht, Pathologie"


def test_corrupt_xlsx_is_one_error(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"PK\x03\x04 geen werkmap")
    (report,) = read_inputs([path])
    assert "corrupt or unreadable Excel file" in report.error


def test_jsonl_rows_and_bad_lines(tmp_path):
    path = tmp_path / "t.jsonl"
    lines = [json.dumps({"id": "r1", "text": DUTCH}, ensure_ascii=False), "",
             "{not json", json.dumps(["geen", "object"]), json.dumps({"id": "r5", "text": None})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reports = read_inputs([path])
    assert [r.id for r in reports] == ["r1", "line-3", "line-4", "r5"]
    assert reports[0].text == DUTCH and reports[0].format == "jsonl"
    assert reports[1].error.startswith("line 3 is not valid JSON")
    assert reports[2].error == "line 4 is not a JSON object"
    assert "is empty" in reports[3].error


def test_dragon_json_with_text_and_text_parts(tmp_path):
    path = tmp_path / "nlp-test.json"
    items = [
        {"uid": "Task101_0", "text": "MRI prostaat: PI-RADS 4.", "label": 1},
        {"uid": "Task101_1", "text_parts": ["Verslag 1: PSA 8.", "Verslag 2: Gleason 3+4=7."]},
    ]
    path.write_text(json.dumps(items), encoding="utf-8")
    reports = read_inputs([path])
    assert [r.id for r in reports] == ["Task101_0", "Task101_1"]
    assert reports[0].text == "MRI prostaat: PI-RADS 4."
    assert reports[1].text == "Verslag 1: PSA 8.\n\nVerslag 2: Gleason 3+4=7."
    assert reports[1].source.endswith("nlp-test.json#2")


def test_json_array_with_chosen_columns_and_non_array(tmp_path):
    path = tmp_path / "t.json"
    path.write_text(json.dumps([{"nr": 1, "body": "a"}, {"nr": 2, "body": "b"}]), encoding="utf-8")
    reports = read_inputs([path], table=TableOptions(id_column="nr", text_column="body"))
    assert [(r.id, r.text) for r in reports] == [("1", "a"), ("2", "b")]
    path.write_text(json.dumps({"uid": "1", "text": "a"}), encoding="utf-8")
    (report,) = read_inputs([path])
    assert "does not hold an array of report objects" in report.error
    path.write_text("[]", encoding="utf-8")
    assert read_inputs([path])[0].error == "the table holds no data rows"
    path.write_text("[{broken", encoding="utf-8")
    assert "not valid JSON" in read_inputs([path])[0].error


def test_row_over_max_chars_is_an_error(tmp_path):
    from pluk.core.readers import ReadLimits

    path = tmp_path / "t.csv"
    path.write_text("id,text\nkort,abc\nlang," + "x" * 50 + "\n", encoding="utf-8")
    reports = by_id(read_inputs([path], limits=ReadLimits(max_chars=10)))
    assert reports["kort"].text == "abc"
    assert reports["lang"].error == "row 3: text too long: 50 characters, over the limit of 10"


def test_table_columns(tmp_path):
    (tmp_path / "t.csv").write_text("a;b;b;\n1;2;3;4\n", encoding="utf-8")
    assert table_columns(tmp_path / "t.csv") == ["a", "b", "b_2", "column_4"]
    make_xlsx(tmp_path / "t.xlsx", {"S1": [["x", "y"]], "S2": [["p", "q", "r"]]})
    assert table_columns(tmp_path / "t.xlsx") == ["x", "y"]
    assert table_columns(str(tmp_path / "t.xlsx"), sheet="S2") == ["p", "q", "r"]
    (tmp_path / "t.jsonl").write_text('{"uid": 1}\n{"uid": 2, "text": "t"}\n', encoding="utf-8")
    assert table_columns(tmp_path / "t.jsonl") == ["uid", "text"]
    with pytest.raises(PlukError, match="No such file"):
        table_columns(tmp_path / "missing.csv")
    (tmp_path / "kapot.xlsx").write_bytes(b"nope")
    with pytest.raises(PlukError, match="kapot.xlsx.*Excel"):
        table_columns(tmp_path / "kapot.xlsx")


def test_blank_options_mean_guess():
    assert TableOptions(id_column=" ", text_column="", sheet=None) == TableOptions()
