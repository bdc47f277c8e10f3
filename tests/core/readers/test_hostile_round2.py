"""Hostile inputs, second round (issue 29, items 11, 14 and 15): the OCR page cap and its
progress, a TIFF whose later frame is a decompression bomb, and JSON reports nested too deep.
Each becomes a warning or an error record with its reason, never a traceback.

The OCR call itself is replaced by a fake that counts the pages handed to it, so the cap is
tested without tesseract; the rendering of PDF pages and the decoding of TIFF frames are real.
"""

from __future__ import annotations

import io
import json
import logging

import pytest
from PIL import Image
from pypdf import PdfWriter

from pluk.core.readers import read_inputs, scans
from pluk.core.json_depth import MAX_JSON_DEPTH
from pluk.core.readers.ocr import PageText, Tesseract


@pytest.fixture
def fake_ocr(monkeypatch):
    """Every page OCR is asked to read, in order; each reads as one confident word."""
    handed: list[tuple[int, int]] = []
    tess = Tesseract(path="tesseract", version="tesseract 5.3.0", languages=frozenset({"eng"}),
                     tessdata=None)
    monkeypatch.setattr(scans, "find_tesseract", lambda: tess)
    monkeypatch.setattr(scans, "pick_languages", lambda t, wanted: ("eng", []))

    def ocr_image(t, image, languages, dpi=None):
        handed.append(image.size)
        return PageText("Tekst", 90.0, 1)

    monkeypatch.setattr(scans, "ocr_image", ocr_image)
    return handed


def blank_pdf(pages: int) -> bytes:
    """An image-free PDF of small blank pages: no text layer, so every page goes to OCR."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(36, 36)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def tiff(frames: list[Image.Image]) -> bytes:
    out = io.BytesIO()
    first, *rest = frames
    first.save(out, format="TIFF", save_all=True, append_images=rest)
    return out.getvalue()


# -- item 11: the OCR page cap, never silent, and progress while reading -------------------------

def test_ocr_reads_at_most_the_page_cap_of_a_pdf_and_says_how_many_were_left(tmp_path,
                                                                            fake_ocr):
    assert scans.MAX_OCR_PAGES == 200
    path = tmp_path / "scan.pdf"
    path.write_bytes(blank_pdf(scans.MAX_OCR_PAGES + 37))
    [report] = read_inputs([path])
    assert report.error is None
    assert len(fake_ocr) == scans.MAX_OCR_PAGES  # page 201 and later never reach OCR
    assert report.ocr.pages == list(range(1, scans.MAX_OCR_PAGES + 1))
    [cap] = [w for w in report.warnings if "not read" in w]
    assert "37 scanned pages" in cap and "after page 200" in cap and "200 pages" in cap


def test_ocr_reads_at_most_the_page_cap_of_a_tiff_and_says_so(tmp_path, fake_ocr):
    path = tmp_path / "scan.tiff"
    path.write_bytes(tiff([Image.new("L", (20, 20), 255)] * (scans.MAX_OCR_PAGES + 3)))
    [report] = read_inputs([path])
    assert report.error is None
    assert len(fake_ocr) == scans.MAX_OCR_PAGES
    [cap] = [w for w in report.warnings if "not read" in w]
    assert "3 scanned pages" in cap and "after page 200" in cap


def test_a_document_within_the_cap_has_no_cap_warning(tmp_path, fake_ocr):
    path = tmp_path / "scan.pdf"
    path.write_bytes(blank_pdf(3))
    [report] = read_inputs([path])
    assert len(fake_ocr) == 3 and not [w for w in report.warnings if "not read" in w]


def test_a_pdf_whose_readable_pages_are_all_blank_names_the_cap_in_its_reason(
        tmp_path, monkeypatch, fake_ocr):
    monkeypatch.setattr(scans, "MAX_OCR_PAGES", 4)
    monkeypatch.setattr(scans, "ocr_image", lambda t, image, languages, dpi=None: (
        fake_ocr.append(image.size), PageText("", None, 0))[1])
    path = tmp_path / "scan.pdf"
    path.write_bytes(blank_pdf(9))
    [report] = read_inputs([path])
    assert len(fake_ocr) == 4
    assert "first 4 of its 9 pages" in report.error and "5 scanned pages" in report.error


def test_ocr_reports_its_progress_to_the_reader_and_the_log(tmp_path, monkeypatch, fake_ocr,
                                                           caplog):
    path = tmp_path / "scan.pdf"
    path.write_bytes(blank_pdf(25))
    said: list[str] = []
    with caplog.at_level(logging.INFO, logger="pluk.core.readers.scans"):
        [report] = read_inputs([path], on_status=said.append)
    assert report.error is None
    assert said[0] == "OCR of scan.pdf: 25 scanned pages"
    assert said[1:] == [f"OCR of scan.pdf: page {n} of 25" for n in (10, 20, 25)]
    logged = [r.getMessage() for r in caplog.records if r.name == "pluk.core.readers.scans"]
    assert logged == said  # the same lines reach the log (no page text in either)


# -- item 14: a later TIFF frame that is a decompression bomb ------------------------------------

def test_a_tiff_whose_second_frame_is_a_decompression_bomb_is_an_error_record(
        tmp_path, monkeypatch, fake_ocr):
    path = tmp_path / "bomb.tiff"
    path.write_bytes(tiff([Image.new("L", (10, 10), 255), Image.new("L", (200, 200), 255)]))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 200 x 200 is over twice this
    good = tmp_path / "good.txt"
    good.write_text("PSA 9,7 ng/ml", encoding="utf-8")
    bomb, ok = read_inputs([path, good])
    assert "page 2" in bomb.error and "too large" in bomb.error
    assert bomb.text is None or bomb.text == ""
    assert ok.error is None


# -- item 15: JSON reports nested too deep ------------------------------------------------------

def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_a_json_report_file_nested_too_deep_is_an_error_record(tmp_path):
    path = tmp_path / "reports.json"
    path.write_text(deep(100_000), encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("PSA 9,7 ng/ml", encoding="utf-8")
    bad, ok = read_inputs([path, good])
    assert "nested 100,000 levels deep" in bad.error and f"limit of {MAX_JSON_DEPTH}" in bad.error
    assert ok.error is None


def test_a_json_report_nested_deep_but_parseable_is_refused_before_it_is_used(tmp_path):
    # 500 levels parse at the top of the stack, then crash whatever recurses over them later.
    rows = [{"id": "a", "text": "PSA 9,7", "extra": json.loads(deep(500))}]
    path = tmp_path / "reports.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    [bad] = read_inputs([path])
    assert "nested 502 levels deep" in bad.error


def test_a_jsonl_line_nested_too_deep_is_that_line_s_error_record(tmp_path):
    path = tmp_path / "reports.jsonl"
    path.write_text("\n".join([
        json.dumps({"id": "a", "text": "PSA 9,7"}),
        '{"id": "b", "text": ' + deep(100_000) + "}",
        json.dumps({"id": "c", "text": "PSA 4,1"}),
    ]) + "\n", encoding="utf-8")
    a, b, c = read_inputs([path])
    assert a.error is None and c.error is None
    assert b.id.endswith("line-2")
    assert "line 2" in b.error and "nested 100,001 levels deep" in b.error


def test_json_nested_exactly_to_the_limit_is_read(tmp_path):
    extra = json.loads(deep(MAX_JSON_DEPTH - 2))  # the array and the object are two levels
    path = tmp_path / "reports.json"
    path.write_text(json.dumps([{"id": "a", "text": "PSA 9,7", "extra": extra}]),
                    encoding="utf-8")
    [report] = read_inputs([path])
    assert report.error is None and report.text == "PSA 9,7"
