"""An XLSX sheet whose dimension declares more rows than Excel allows (1,048,576) is a damaged
or hostile file: refused with the reason before any row is read."""

from __future__ import annotations

import re
import zipfile

import openpyxl

from pluk.core.readers import read_inputs, table_columns


def _xlsx_declaring(path, ref: str):
    """A one-row sheet whose <dimension> claims `ref`."""
    plain = path.with_name("plain.xlsx")
    workbook = openpyxl.Workbook()
    workbook.active.append(["id", "text"])
    workbook.active.append(["a", "PSA 4."])
    workbook.save(plain)
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>',
                              f'<dimension ref="{ref}"/>'.encode(), data)
            zout.writestr(item, data)
    return path


def test_a_sheet_declaring_more_rows_than_excel_allows_is_refused(tmp_path):
    path = _xlsx_declaring(tmp_path / "huge.xlsx", "A1:B2000000")
    reports = read_inputs([path])
    assert len(reports) == 1 and reports[0].text is None
    assert "2,000,000 rows" in reports[0].error and "1,048,576" in reports[0].error


def test_a_sheet_at_excels_limit_is_read(tmp_path):
    path = _xlsx_declaring(tmp_path / "full.xlsx", "A1:B1048576")
    assert [r.id for r in read_inputs([path])] == ["a"]
    assert table_columns(path) == ["id", "text"]
