"""Scanned pages to text: PDF pages without a text layer and image files (PNG, JPEG, TIFF).

Owns the rasterising (pypdfium2, a wheel with pdfium inside: no poppler to install or bundle),
the page loop and the page-level outcome: a page OCR reads is kept and counted in the report's
`OcrInfo`; a page with no text or a mean word confidence under `OcrOptions.min_confidence` is
a warning naming the page and its text is left out; a file with no readable page, or one that
cannot be decoded, is a ReadFailure. Without tesseract the file fails with the reason and how
to get it (`ocr.OcrUnavailable`), never a crash.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Callable, Iterator

from .decoding import ReadFailure, tidy
from .formats import IMAGE_SUFFIXES
from .ocr import OcrUnavailable, PageText, Tesseract, find_tesseract, ocr_image, pick_languages
from .options import OcrOptions
from .reports import OcrInfo

log = logging.getLogger(__name__)

__all__ = ["IMAGE_SUFFIXES", "ScanResult", "ocr_note", "ocr_pdf_pages", "read_image"]
# A4 at 300 dpi is 8.7 megapixels; a page whose box is far larger (a poster, a broken MediaBox)
# is rendered at a lower resolution instead of exhausting memory.
MAX_PAGE_PIXELS = 40_000_000


class ScanResult:
    """Page texts by 1-based page number (read pages only), warnings and the OCR summary."""

    def __init__(self, texts: dict[int, str], warnings: list[str], info: OcrInfo) -> None:
        self.texts, self.warnings, self.info = texts, warnings, info


def _pages_list(numbers: list[int]) -> str:
    return ("page " if len(numbers) == 1 else "pages ") + ", ".join(map(str, numbers))


def ocr_note(info: OcrInfo, whole: bool) -> str:
    """The warning that tells the reader (and the record) the text came from OCR."""
    where = "text" if whole else f"text of {_pages_list(info.pages)}"
    conf = "no words" if info.mean_confidence is None else (
        f"mean word confidence {info.mean_confidence:.1f} of 100")
    return f"{where} from OCR ({info.engine}, {info.languages}), {conf}; check values against "\
           "the scan"


def _run(pages: Iterator[tuple[int, Callable[[], object], int | None]], total: int,
         options: OcrOptions, what: str, data: bytes) -> ScanResult:
    try:
        tess: Tesseract = find_tesseract()
        languages, warnings = pick_languages(tess, options.languages)
    except OcrUnavailable as exc:
        raise ReadFailure(f"{what}; {exc}", data) from None
    texts: dict[int, str] = {}
    confidences: list[tuple[float, int]] = []
    unread: list[int] = []
    for number, render, dpi in pages:
        try:
            page: PageText = ocr_image(tess, render(), languages, dpi)
        except OcrUnavailable as exc:
            raise ReadFailure(f"{what}; page {number}: {exc}", data) from None
        text = tidy(page.text).strip()
        label = f"page {number} of {total}" if total > 1 else "the page"
        if not text or page.confidence is None:
            warnings.append(f"{label}: OCR found no text (blank page?); nothing read from it")
            unread.append(number)
        elif page.confidence < options.min_confidence:
            warnings.append(f"{label}: OCR confidence {page.confidence:.0f} is below "
                            f"{options.min_confidence:.0f} (handwriting, a photo, a poor "
                            "scan?); its text is left out")
            unread.append(number)
        else:
            texts[number] = text
            confidences.append((page.confidence, page.words))
        log.debug("OCR page %d/%d: %d words, confidence %s", number, total, page.words,
                  page.confidence)
    words = sum(w for _, w in confidences)
    mean = sum(c * w for c, w in confidences) / words if words else None
    info = OcrInfo(engine=tess.version, languages=languages, pages=sorted(texts),
                   mean_confidence=None if mean is None else round(mean, 1),
                   unread_pages=unread)
    if not texts:
        raise ReadFailure(f"{what}; OCR found no readable text on "
                          f"{'its page' if total == 1 else f'any of its {total} pages'}", data)
    return ScanResult(texts, warnings, info)


def ocr_pdf_pages(data: bytes, numbers: list[int], total: int,
                  options: OcrOptions) -> ScanResult:
    """OCR the given 1-based pages of a PDF (those without a text layer)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except Exception as exc:  # pdfium raises PdfiumError for any damage
        raise ReadFailure("corrupt or unreadable PDF file (the scanned pages cannot be "
                          "rendered)", data) from exc

    def render(index: int) -> Callable[[], object]:
        def image():
            page = pdf[index]
            try:
                width, height = page.get_size()  # in points, 1/72 inch
                scale = options.dpi / 72
                pixels = width * height * scale * scale
                if pixels > MAX_PAGE_PIXELS:
                    scale *= math.sqrt(MAX_PAGE_PIXELS / pixels)
                return page.render(scale=scale, grayscale=True).to_pil()
            except Exception as exc:
                raise ReadFailure(f"page {index + 1} of the PDF cannot be rendered for OCR",
                                  data) from exc
            finally:
                page.close()
        return image

    what = "scanned PDF without a text layer" if len(numbers) == total else (
        "PDF with scanned pages")
    try:
        return _run(((n, render(n - 1), options.dpi) for n in numbers), total, options, what,
                    data)
    finally:
        pdf.close()


def _frames(image) -> Iterator[object]:
    from PIL import ImageSequence

    for frame in ImageSequence.Iterator(image):
        # Tesseract wants 8-bit grey or colour; CMYK JPEGs, 16-bit and 1-bit TIFFs, palettes
        # and alpha channels are converted first (alpha over white, as a viewer shows it).
        if frame.mode in ("RGBA", "LA", "P"):
            frame = frame.convert("RGBA")
            from PIL import Image
            background = Image.new("RGBA", frame.size, "white")
            frame = Image.alpha_composite(background, frame)
        yield frame.convert("L") if frame.mode not in ("L", "RGB") else frame.copy()


def read_image(data: bytes, kind: str, options: OcrOptions) -> tuple[str, list[str], OcrInfo]:
    """An image file (every frame of a multi-page TIFF) to text by OCR."""
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
        total = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:
        raise ReadFailure("image too large to read (over Pillow's pixel limit)", data) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ReadFailure(f"corrupt or unreadable {kind} image", data) from exc
    dpi = image.info.get("dpi")
    dpi_value = int(round(dpi[0])) if dpi and dpi[0] and 70 <= dpi[0] <= 1200 else None

    def pages():
        try:
            for number, frame in enumerate(_frames(image), start=1):
                yield number, (lambda f=frame: f), dpi_value
        except (OSError, ValueError, SyntaxError) as exc:
            raise ReadFailure(f"corrupt or unreadable {kind} image (a page cannot be "
                              "decoded)", data) from exc

    result = _run(pages(), total, options, f"{kind} image", data)
    text = "\n\n".join(result.texts[n] for n in sorted(result.texts))
    return text, [ocr_note(result.info, whole=True), *result.warnings], result.info
