"""OCR of scanned PDFs and images: Dutch pages rendered in the test, read back by Tesseract.

The character error rates asserted are loose bounds over what was measured on Tesseract 5.3.0
with nld+eng (0.000-0.004 on these clean 300 dpi renders; bench/ocr_bench.py measures more).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pluk.core.readers import OcrOptions, read_inputs
from pluk.core.readers.documents import read_document
from pluk.core.readers.options import ReadLimits
from tests.core.readers.scan_pages import (PAGES, blank_page, cer, has_tesseract, image_bytes,
                                           image_pdf, render_page)
from tests.support.report_folder import pdf_bytes

needs_tesseract = pytest.mark.skipif(
    not has_tesseract(), reason="tesseract is not installed (apt install tesseract-ocr "
                                "tesseract-ocr-nld tesseract-ocr-eng; .ci/run installs it)")

MAX_CER = 0.03


def _read(path: Path, ocr: OcrOptions = OcrOptions()):
    return read_document(path, id=path.name, limits=ReadLimits(), ocr=ocr)


def _truth(*pages: list[str]) -> str:
    return "\n".join(line for page in pages for line in page)


@needs_tesseract
def test_scanned_pdf_reads_back_with_a_low_character_error_rate(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_pdf([render_page(PAGES[0]), render_page(PAGES[1])]))
    report = _read(path)
    assert report.error is None
    assert cer(_truth(PAGES[0], PAGES[1]), report.text) < MAX_CER
    assert "PSA 9,7 ng/ml" in report.text and "patiënt" in report.text
    assert report.ocr.pages == [1, 2] and report.ocr.unread_pages == []
    assert report.ocr.languages == "nld+eng" and report.ocr.engine.startswith("tesseract 5")
    assert report.ocr.mean_confidence > 80
    assert report.warnings[0].startswith("text from OCR (tesseract 5")
    assert "mean word confidence" in report.warnings[0]


@needs_tesseract
@pytest.mark.parametrize("suffix, fmt", [(".png", "PNG"), (".tiff", "TIFF"), (".jpg", "JPEG")])
def test_images_read_back(tmp_path, suffix, fmt):
    path = tmp_path / f"foto{suffix}"
    path.write_bytes(image_bytes(render_page(PAGES[2]), fmt))
    report = _read(path)
    assert report.error is None, report.error
    assert report.format == suffix.lstrip(".")
    assert cer(_truth(PAGES[2]), report.text) < MAX_CER
    assert report.ocr.pages == [1]


@needs_tesseract
def test_a_blank_page_is_a_warning_naming_the_page(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_pdf([render_page(PAGES[0]), blank_page()]))
    report = _read(path)
    assert cer(_truth(PAGES[0]), report.text) < MAX_CER
    assert "page 2 of 2: OCR found no text (blank page?); nothing read from it" in report.warnings
    assert report.ocr.pages == [1] and report.ocr.unread_pages == [2]


@needs_tesseract
def test_a_text_layer_is_kept_and_only_scanned_pages_are_ocrd(tmp_path):
    import pypdf

    text_pdf, scan_pdf = tmp_path / "t.pdf", tmp_path / "s.pdf"
    text_pdf.write_bytes(pdf_bytes([["Pagina een met tekstlaag"]]))
    scan_pdf.write_bytes(image_pdf([render_page(PAGES[1])]))
    writer = pypdf.PdfWriter()
    writer.append(str(text_pdf))
    writer.append(str(scan_pdf))
    mixed = tmp_path / "mixed.pdf"
    writer.write(str(mixed))
    report = _read(mixed)
    assert report.text.startswith("Pagina een met tekstlaag\n\n")
    assert cer(_truth(PAGES[1]), report.text.split("\n\n", 1)[1]) < MAX_CER
    assert report.ocr.pages == [2]
    assert report.warnings[0].startswith("text of page 2 from OCR")


@needs_tesseract
def test_a_page_under_the_confidence_threshold_is_left_out_with_a_warning(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(image_pdf([render_page(PAGES[0])]))
    report = _read(path, OcrOptions(min_confidence=99.5))
    assert report.text is None
    assert report.error == ("scanned PDF without a text layer; OCR found no readable text on "
                            "its page")


@needs_tesseract
def test_all_blank_image_is_an_error_and_a_broken_one_too(tmp_path):
    blank = tmp_path / "leeg.png"
    blank.write_bytes(image_bytes(blank_page(), "PNG"))
    assert _read(blank).error == "PNG image; OCR found no readable text on its page"
    broken = tmp_path / "kapot.tif"
    broken.write_bytes(b"II*\x00" + b"\x00" * 20)
    assert _read(broken).error == "corrupt or unreadable TIF image"


def test_missing_language_data_is_an_error_record(tmp_path):
    if not has_tesseract():
        pytest.skip("tesseract is not installed")
    path = tmp_path / "foto.png"
    path.write_bytes(image_bytes(render_page(PAGES[2]), "PNG"))
    report = _read(path, OcrOptions(languages="xxx"))
    assert "the Tesseract language data for xxx is not installed" in report.error


def test_without_tesseract_a_scan_is_an_error_record_saying_how_to_get_ocr(tmp_path):
    # A fresh interpreter with an empty PATH: no tesseract to find, whatever this machine has.
    (tmp_path / "scan.pdf").write_bytes(image_pdf([render_page(PAGES[0])]))
    (tmp_path / "foto.png").write_bytes(image_bytes(blank_page(), "PNG"))
    (tmp_path / "gewoon.txt").write_text("PSA 9,7 ng/ml", encoding="utf-8")
    script = (
        "import json, sys\n"
        "from pluk.core.readers import read_inputs\n"
        "print(json.dumps({r.id: r.error for r in read_inputs([sys.argv[1]])}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PLUK_TESSERACT"}
    env["PATH"] = str(tmp_path / "nothing-here")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[3])
    assert done.returncode == 0, done.stderr
    import json

    errors = json.loads(done.stdout)
    assert errors["gewoon.txt"] is None
    assert errors["scan.pdf"].startswith("scanned PDF without a text layer; OCR is not "
                                         "available: the tesseract program was not found; ")
    assert "apt install tesseract-ocr tesseract-ocr-nld" in errors["scan.pdf"]
    assert errors["foto.png"].startswith("PNG image; OCR is not available")


def test_the_task_language_picks_the_ocr_languages():
    assert OcrOptions.for_task_language("nl").languages == "nld+eng"
    assert OcrOptions.for_task_language("en").languages == "eng+nld"
    assert OcrOptions.for_task_language(None).languages == "nld+eng"
    assert OcrOptions.for_task_language("zz").languages == "nld+eng"


@needs_tesseract
def test_read_inputs_passes_the_ocr_options(tmp_path):
    (tmp_path / "scan.png").write_bytes(image_bytes(render_page(PAGES[2]), "PNG"))
    (report,) = read_inputs([tmp_path], ocr=OcrOptions.for_task_language("en"))
    assert report.ocr.languages == "eng+nld"
