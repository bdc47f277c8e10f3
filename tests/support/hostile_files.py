"""Damaged and hostile files for the reader and run tests, built small and fast in the test."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl


def rezip(path: Path, replace: dict[str, bytes]) -> None:
    """Rewrite a .docx/.xlsx with some parts replaced, each deflated (so a bomb is small)."""
    with zipfile.ZipFile(path) as old:
        parts = {info.filename: old.read(info) for info in old.infolist()}
    parts.update(replace)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)


def docx_file(path: Path, text: str = "Conclusie: PI-RADS 4.") -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    document.save(path)
    return path


def xlsx_broken_after_row(path: Path, rows: int, broken_after: int) -> Path:
    """An XLSX whose sheet XML is cut off after `broken_after` data rows: reading past it fails."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["id", "text"])
    for i in range(1, rows + 1):
        workbook.active.append([f"r{i}", f"PSA {i}"])
    workbook.save(path)
    with zipfile.ZipFile(path) as old:
        sheet = old.read("xl/worksheets/sheet1.xml")
    cut = sheet.index(f'<row r="{broken_after + 2}"'.encode())
    rezip(path, {"xl/worksheets/sheet1.xml": sheet[:cut] + b'<row r="x"><c r=' * 3})
    return path
