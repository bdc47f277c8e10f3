"""RTF, DOCX and PDF extraction, and their failure reasons."""

from __future__ import annotations

import copy

import docx
from docx.oxml import OxmlElement

from pluk.core.readers import read_inputs
from tests.support.report_folder import pdf_bytes, rtf_bytes, write_docx


def read_one(path, **kwargs):
    (report,) = read_inputs([path], **kwargs)
    return report


def test_rtf_text_with_escapes(tmp_path):
    path = tmp_path / "v.rtf"
    lines = ["Patiënt met coëxistente afwijking, ± 3 cm", "Conclusie: {geen} \\ fout",
             "Zeta \u0394 via \\u"]
    path.write_bytes(rtf_bytes(lines))
    report = read_one(path)
    assert report.error is None, report.error
    assert report.format == "rtf"
    assert report.text == "\n".join(lines)


def test_text_renamed_to_rtf_is_an_error(tmp_path):
    path = tmp_path / "nep.rtf"
    path.write_text("gewone tekst", encoding="utf-8")
    assert "not a valid RTF file" in read_one(path).error


def test_docx_paragraphs_and_tables_in_document_order(tmp_path):
    path = tmp_path / "v.docx"
    write_docx(path, [
        "CT thorax",
        [["Nodus", "Grootte", "Opmerking"], ["1", "9 mm", ""], ["", "", ""]],
        "",
        "",
        "Conclusie: longnodus rechts.",
    ])
    report = read_one(path)
    assert report.format == "docx"
    assert report.text == "CT thorax\nNodus | Grootte | Opmerking\n1 | 9 mm |\n\nConclusie: longnodus rechts."


def test_docx_merged_cells_once_and_content_controls_read(tmp_path):
    document = docx.Document()
    document.add_paragraph("Kop")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Samengevoegd"
    table.cell(1, 0).text, table.cell(1, 1).text, table.cell(1, 2).text = "a", "b", "c"
    # Wrap a paragraph in a content control (w:sdt), as hospital templates do.
    inner = document.add_paragraph("In inhoudsbesturingselement")._p
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    inner.addprevious(sdt)
    content.append(copy.deepcopy(inner))
    sdt.append(content)
    inner.getparent().remove(inner)
    document.add_paragraph("Einde")
    path = tmp_path / "sjabloon.docx"
    document.save(str(path))
    assert read_one(path).text == "Kop\nSamengevoegd\na | b | c\nIn inhoudsbesturingselement\nEinde"


def test_corrupt_docx_is_an_error(tmp_path):
    path = tmp_path / "kapot.docx"
    path.write_bytes(b"PK\x03\x04not really a zip")
    report = read_one(path)
    assert "corrupt or unreadable Word file" in report.error
    (tmp_path / "oud.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 200)
    assert "Word file" in read_one(tmp_path / "oud.docx").error


def test_pdf_text_layer_pages_joined_with_blank_line(tmp_path):
    path = tmp_path / "v.pdf"
    path.write_bytes(pdf_bytes([
        ["Patiënt met coëxistente afwijking, ± 3 cm", "PSA 7,2 ng/ml (45 cc)"],
        ["Conclusie: PI-RADS 4"],
    ]))
    report = read_one(path)
    assert report.format == "pdf"
    assert report.warnings == []
    assert report.text == (
        "Patiënt met coëxistente afwijking, ± 3 cm\nPSA 7,2 ng/ml (45 cc)\n\n"
        "Conclusie: PI-RADS 4"
    )


def test_pdf_without_text_layer_or_readable_scan_is_an_error(tmp_path):
    # Blank pages and no text layer: OCR (when installed) finds nothing, else is unavailable;
    # either way an error that says it was a scan. Real scans are in test_ocr.py.
    path = tmp_path / "scan.pdf"
    path.write_bytes(pdf_bytes([[], []]))
    report = read_one(path)
    assert report.error.startswith("scanned PDF without a text layer; ")
    assert ("OCR found no readable text on any of its 2 pages" in report.error
            or "OCR is not available" in report.error)
    assert report.text is None


def test_pdf_with_some_blank_scanned_pages_warns(tmp_path):
    path = tmp_path / "half.pdf"
    path.write_bytes(pdf_bytes([["Pagina een"], [], ["Pagina drie"]]))
    report = read_one(path)
    assert report.text == "Pagina een\n\nPagina drie"
    assert any("page 2 of 3" in w or "1 of 3 PDF pages have no text layer" in w
               for w in report.warnings)


def test_corrupt_pdf_is_an_error(tmp_path):
    path = tmp_path / "kapot.pdf"
    path.write_bytes(b"%PDF-1.4\n garbage without objects")
    assert "corrupt or unreadable PDF" in read_one(path).error
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    assert "PDF" in read_one(path).error
