"""Hostile or damaged inputs: each becomes a record with a reason; none crashes or vanishes."""

from __future__ import annotations

import json
import os
import re

import openpyxl
import pytest

from pluk.core.errors import PlukError
from pluk.core.readers import ReadLimits, read_inputs, table_columns
from pluk.core.readers.options import MIB
from pluk.core.runs.records import Record
from tests.support.hostile_files import docx_file, rezip, xlsx_broken_after_row


def _as_record(report) -> str:
    """What the pipeline writes for a report that never reaches the model: it must serialise."""
    return Record(id=report.id, source=report.source, sha256=report.sha256, status="error",
                  error=report.error, warnings=report.warnings).model_dump_json()


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_a_lone_surrogate_in_a_text_or_id_is_an_error_row(tmp_path, suffix):
    rows = ['{"id": "1", "text": "PSA 7"}', '{"id": "2", "text": "PSA \\ud83d 9"}',
            '{"id": "\\ud83d", "text": "PSA 8"}']
    path = tmp_path / f"t{suffix}"
    path.write_text("\n".join(rows) if suffix == ".jsonl" else "[" + ",".join(rows) + "]",
                    encoding="utf-8")
    reports = read_inputs([path])
    assert [r.id for r in reports] == ["1", "2", "\\ud83d"]
    assert reports[0].error is None and reports[0].text == "PSA 7"
    for report in reports[1:]:
        assert report.text is None and "lone surrogate" in report.error
    assert "text" in reports[1].error and "id" in reports[2].error
    for report in reports:
        json.loads(_as_record(report))


# -- zip bombs and huge tables ------------------------------------------------------------------

def test_a_docx_that_unpacks_past_the_limit_is_refused_before_parsing(tmp_path):
    bomb = docx_file(tmp_path / "bomb.docx")
    # Not even XML: refused by its declared size before any parser reads it.
    rezip(bomb, {"word/document.xml": b" " * (2 * MIB + 1)})
    assert bomb.stat().st_size < 64 * 1024
    limits = ReadLimits(max_unzipped_bytes=2 * MIB)
    (report,) = read_inputs([bomb], limits=limits)
    assert report.text is None
    assert re.search(r"Word file unpacks to 2\.\d MB, over the limit of 2\.0 MB", report.error)
    (fine,) = read_inputs([docx_file(tmp_path / "fine.docx")], limits=limits)
    assert fine.error is None and fine.text == "Conclusie: PI-RADS 4."


def test_an_xlsx_that_unpacks_past_the_limit_is_one_error_for_the_file(tmp_path):
    path = tmp_path / "bomb.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["id", "text"])
    for i in range(30):  # openpyxl keeps at most Excel's 32,767 characters of a cell
        workbook.active.append([str(i), "x" * 30_000])
    workbook.save(path)
    (report,) = read_inputs([path], limits=ReadLimits(max_unzipped_table_bytes=512 * 1024))
    assert report.id == "bomb.xlsx" and "unpacks to" in report.error
    with pytest.raises(PlukError, match="unpacks to"):
        table_columns(path, limits=ReadLimits(max_unzipped_table_bytes=512 * 1024))


def test_the_default_unzipped_limits_are_the_documented_ones():
    assert ReadLimits().max_unzipped_bytes == 100 * MIB
    assert ReadLimits().max_unzipped_table_bytes == 256 * MIB


def test_a_report_limit_stops_reading_a_table_early(tmp_path):
    path = xlsx_broken_after_row(tmp_path / "big.xlsx", rows=40, broken_after=10)
    (whole,) = read_inputs([path])
    assert whole.id == "big.xlsx" and "corrupt" in whole.error  # the damage is really read
    first = read_inputs([path], limits=ReadLimits(max_reports=5))
    assert [(r.id, r.text) for r in first] == [(f"r{i}", f"PSA {i}") for i in range(1, 6)]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_report_limit_stops_text_tables_and_folders_early(tmp_path, suffix):
    table = tmp_path / f"t{suffix}"
    rows = [(f"r{i}", f"PSA {i}") for i in range(1, 21)]
    if suffix == ".csv":
        table.write_text("id,text\n" + "".join(f"{a},{b}\n" for a, b in rows), encoding="utf-8")
    else:
        table.write_text("".join(json.dumps({"id": a, "text": b}) + "\n" for a, b in rows),
                         encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    for i in range(5):
        (folder / f"{i}.txt").write_text(f"PSA {i}", encoding="utf-8")
    everything = read_inputs([table, folder])
    for n in (0, 3, 20, 22, 100):
        limited = read_inputs([table, folder], limits=ReadLimits(max_reports=n))
        assert [r.id for r in limited] == [r.id for r in everything][:n]


# -- rows with more cells than the header --------------------------------------------------------

def test_a_csv_row_with_an_unquoted_delimiter_is_an_error_not_a_cut_text(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,text\n1,PSA 7.5 ng/ml\n2,PSA 7.5 ng/ml, PI-RADS 5\n3,ok,,\n",
                    encoding="utf-8")
    reports = read_inputs([path])
    assert [r.id for r in reports] == ["1", "2", "3"]
    assert reports[0].text == "PSA 7.5 ng/ml"
    assert reports[1].text is None
    assert reports[1].error == ("row 3 has 3 cells but the header has 2 (an unquoted ',' in a "
                                "cell?); quote that cell or fix the row")
    assert reports[2].text == "ok"  # extra cells that are empty lose nothing



# -- mixed encodings ------------------------------------------------------------------------------

def test_a_text_with_mixed_encodings_is_decoded_line_by_line_and_says_which_lines(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("Patiënt: Jansen\r\n".encode("utf-8") + "Coëxistente cyste\r\n".encode(
        "cp1252") + b"Conclusie: benigne\r\n" + "één laesie\n".encode("cp1252"))
    (report,) = read_inputs([path])
    assert report.text == "Patiënt: Jansen\nCoëxistente cyste\nConclusie: benigne\néén laesie"
    assert report.warnings == [
        "lines 2 and 4 are not UTF-8 and were decoded as Windows-1252; the other lines as UTF-8"]


def test_a_wholly_cp1252_text_keeps_its_one_warning(tmp_path):
    path = tmp_path / "cp.txt"
    path.write_bytes("Coëxistente cyste\nGeen afwijking.\n".encode("cp1252"))
    (report,) = read_inputs([path])
    assert report.text == "Coëxistente cyste\nGeen afwijking."
    assert report.warnings == ["decoded as Windows-1252 (not UTF-8)"]


# -- links that lead nowhere -----------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX symbolic links")
def test_dangling_links_and_link_loops_each_become_an_error_record(tmp_path):
    root = tmp_path / "reports"
    root.mkdir()
    (root / "a.txt").write_text("PSA 7", encoding="utf-8")
    os.symlink(root / "gone.txt", root / "dangling.txt")
    os.symlink(root / "loop2.txt", root / "loop1.txt")
    os.symlink(root / "loop1.txt", root / "loop2.txt")
    os.symlink(root / "self.txt", root / "self.txt")
    os.mkfifo(root / "pipe")  # not a report at all: still skipped, as documented
    reports = {r.id: r for r in read_inputs([root])}
    assert sorted(reports) == ["a.txt", "dangling.txt", "loop1.txt", "loop2.txt", "self.txt"]
    assert reports["a.txt"].text == "PSA 7"
    assert reports["dangling.txt"].error == "broken symbolic link: its target does not exist"
    for name in ("loop1.txt", "loop2.txt", "self.txt"):
        assert reports[name].error == "symbolic link loop: the link leads back to itself"
        assert reports[name].format == "txt"
