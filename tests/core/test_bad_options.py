"""Options and task bounds that used to pass the first checks and fail late (issue 29, items
16, 20 and 23): each is refused with one sentence before anything runs."""

from __future__ import annotations

import pytest

from pluk.cli import main
from pluk.core.errors import PlukError
from pluk.core.runs.export import check_csv_options
from pluk.core.tasks.loader import parse_task


@pytest.mark.parametrize("delimiter", ['"', "\n", "\r"])
def test_a_delimiter_that_makes_an_unreadable_csv_is_refused(delimiter):
    with pytest.raises(PlukError, match="cannot be read back"):
        check_csv_options(delimiter, ".")


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_the_usual_delimiters_pass(delimiter):
    check_csv_options(delimiter, ".")


def test_extract_refuses_a_bad_delimiter_and_limit_0_before_reading(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("PSA 5.", encoding="utf-8")
    base = ["extract", "--task", "prostate_mri_nl", "--input", str(tmp_path / "in"),
            "--model", str(tmp_path / "none.gguf"), "--out", str(tmp_path / "run")]
    assert main(base + ["--delimiter", '"']) == 2
    assert "cannot be read back" in capsys.readouterr().err
    assert main(base + ["--limit", "0"]) == 2
    err = capsys.readouterr().err
    assert "--limit 0 would run no report" in err and "No reports found" not in err
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("bound", ["NaN", "Infinity", "-Infinity"])
def test_a_non_finite_bound_is_refused_when_the_task_is_read(bound):
    task = {"format_version": 1, "id": "t", "title": "t", "description": "d",
            "fields": [{"name": "x", "type": "float", "minimum": bound,
                        "description": "x"}]}
    with pytest.raises(PlukError, match="finite"):
        parse_task(task, "test")


def test_an_xlsx_of_formulas_without_saved_values_says_so(tmp_path):
    """Issue 29, item 23: every row said 'the text cell is empty'."""
    import openpyxl

    from pluk.core.readers import read_inputs

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["id", "text"])
    sheet.append(["a1", '="PSA "&"5"'])  # openpyxl saves a formula with no cached value
    sheet.append(["a2", "PSA 7 ng/ml"])
    sheet.append(["a3", None])
    book.save(tmp_path / "t.xlsx")
    reports = {r.id: r for r in read_inputs([str(tmp_path / "t.xlsx")])}
    assert "is a formula with no value saved" in reports["a1"].error
    assert reports["a2"].text == "PSA 7 ng/ml" and not reports["a2"].error
    assert reports["a3"].error.endswith("is empty")
