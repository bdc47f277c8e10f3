"""Scanned pages to text: PDF pages without a text layer and image files (PNG, JPEG, TIFF).

Owns the rasterising (pypdfium2, a wheel with pdfium inside: no poppler to install or bundle),
the page loop and the page-level outcome: a page OCR reads is kept and counted in the report's
`OcrInfo`; a page with no text or a mean word confidence under `OcrOptions.min_confidence` is
a warning naming the page and its text is left out; a file with no readable page, or one that
cannot be decoded, is a ReadFailure. A document's scanned pages past `MAX_OCR_PAGES` are not
read, with a warning saying how many; while a document is read, a status line every
`PROGRESS_EVERY` pages goes to the log and to the caller's `on_status` (see `read_inputs`).
Without tesseract the file fails with the reason and how to get it (`ocr.OcrUnavailable`),
never a crash; nor does a TIFF frame over Pillow's pixel limit (a decompression bomb).
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Callable, Iterator
from itertools import islice

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
# OCR takes about 2 s a page: a document's scanned pages past this many are not read (10,000
# blank pages in a 1.4 MB PDF were 72 minutes), and the report says how many were left.
MAX_OCR_PAGES = 200
# A status line every this many pages of a document with more.
PROGRESS_EVERY = 10

Status = Callable[[str], None]


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


class _Pages:
    """Which pages of a document OCR reads, and how it tells the reader while it reads.

    `numbers` are the 1-based pages without a text layer; OCR reads the first MAX_OCR_PAGES of
    them. A status line goes to `on_status` (and the log) as the document starts and every
    PROGRESS_EVERY pages: a 200-page scan takes minutes, which must not look like a hang.
    """

    def __init__(self, numbers: list[int], total: int, name: str,
                 on_status: Status | None) -> None:
        self.numbers, self.total, self.name, self.on_status = numbers, total, name, on_status
        self.read = numbers[:MAX_OCR_PAGES]
        self.skipped = len(numbers) - len(self.read)

    def cap_warning(self) -> str | None:
        """The warning for the pages past the cap (None when there are none): never silent."""
        if not self.skipped:
            return None
        pages = "page was" if self.skipped == 1 else "pages were"
        return (f"{self.skipped:,} scanned {pages} after page {self.read[-1]} not read: OCR reads "
                f"at most {MAX_OCR_PAGES} pages of one document; split the file to read the rest")

    def where_none(self) -> str:
        """Where OCR found nothing, for the reason of a document without readable text."""
        if len(self.numbers) == 1:
            return "its page" if self.total == 1 else f"its scanned page {self.numbers[0]}"
        scanned = "pages" if len(self.numbers) == self.total else "scanned pages"
        if not self.skipped:
            return f"any of its {len(self.numbers)} {scanned}"
        return (f"the first {len(self.read)} of its {len(self.numbers)} {scanned}; "
                f"{self.cap_warning()}")

    def say(self, message: str) -> None:
        log.info("%s", message)
        if self.on_status is not None:
            self.on_status(message)

    def started(self) -> None:
        if len(self.read) > 1:
            capped = (f" (the first {len(self.read)} of {len(self.numbers)}: at most "
                      f"{MAX_OCR_PAGES} a document)" if self.skipped else "")
            self.say(f"OCR of {self.name}: {len(self.read)} scanned pages{capped}")

    def done(self, count: int) -> None:
        if len(self.read) > PROGRESS_EVERY and (count % PROGRESS_EVERY == 0
                                                or count == len(self.read)):
            self.say(f"OCR of {self.name}: page {count} of {len(self.read)}")


def _run(pages: Iterator[tuple[int, Callable[[], object], int | None]], plan: _Pages,
         options: OcrOptions, what: str, data: bytes) -> ScanResult:
    try:
        tess: Tesseract = find_tesseract()
        languages, warnings = pick_languages(tess, options.languages)
    except OcrUnavailable as exc:
        raise ReadFailure(f"{what}; {exc}", data) from None
    total = plan.total
    texts: dict[int, str] = {}
    confidences: list[tuple[float, int]] = []
    unread: list[int] = []
    plan.started()
    for count, (number, render, dpi) in enumerate(pages, start=1):
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
        plan.done(count)
    words = sum(w for _, w in confidences)
    mean = sum(c * w for c, w in confidences) / words if words else None
    info = OcrInfo(engine=tess.version, languages=languages, pages=sorted(texts),
                   mean_confidence=None if mean is None else round(mean, 1),
                   unread_pages=unread)
    if not texts:
        raise ReadFailure(f"{what}; OCR found no readable text on {plan.where_none()}", data)
    cap = plan.cap_warning()
    return ScanResult(texts, [*warnings, *([cap] if cap else [])], info)


def ocr_pdf_pages(data: bytes, numbers: list[int], total: int, options: OcrOptions, *,
                  name: str = "the PDF", on_status: Status | None = None) -> ScanResult:
    """OCR the given 1-based pages of a PDF (those without a text layer), the first
    MAX_OCR_PAGES of them; `name` labels the status lines."""
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
    plan = _Pages(numbers, total, name, on_status)
    try:
        return _run(((n, render(n - 1), options.dpi) for n in plan.read), plan, options, what,
                    data)
    finally:
        pdf.close()


def _frames(image, count: int) -> Iterator[object]:
    """The first `count` frames, each decoded only when it is reached."""
    from PIL import ImageSequence

    for frame in islice(ImageSequence.Iterator(image), count):
        # Tesseract wants 8-bit grey or colour; CMYK JPEGs, 16-bit and 1-bit TIFFs, palettes
        # and alpha channels are converted first (alpha over white, as a viewer shows it).
        if frame.mode in ("RGBA", "LA", "P"):
            frame = frame.convert("RGBA")
            from PIL import Image
            background = Image.new("RGBA", frame.size, "white")
            frame = Image.alpha_composite(background, frame)
        yield frame.convert("L") if frame.mode not in ("L", "RGB") else frame.copy()


def read_image(data: bytes, kind: str, options: OcrOptions, *, name: str = "the image",
               on_status: Status | None = None) -> tuple[str, list[str], OcrInfo]:
    """An image file (every frame of a multi-page TIFF, up to MAX_OCR_PAGES) to text by OCR."""
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

    plan = _Pages(list(range(1, total + 1)), total, name, on_status)

    def pages():
        number = 0  # frames decoded so far: a failure is in frame number + 1
        try:
            for number, frame in enumerate(_frames(image, len(plan.read)), start=1):
                yield number, (lambda f=frame: f), dpi_value
        except Image.DecompressionBombError:
            # Pillow checks each frame's size as it is decoded: a later frame can be the bomb.
            raise ReadFailure(f"{kind} image: page {number + 1} is too large to read (over "
                              "Pillow's pixel limit)", data) from None
        except (OSError, ValueError, SyntaxError) as exc:
            raise ReadFailure(f"corrupt or unreadable {kind} image (a page cannot be "
                              "decoded)", data) from exc

    result = _run(pages(), plan, options, f"{kind} image", data)
    text = "\n\n".join(result.texts[n] for n in sorted(result.texts))
    return text, [ocr_note(result.info, whole=True), *result.warnings], result.info
