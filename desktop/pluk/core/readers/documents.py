"""One document file (txt, md, rtf, docx, pdf, or an image read by OCR) to one Report; failures
become failed Reports. PDF pages without a text layer and images go through `scans` (OCR)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from .reports import OcrInfo, Report, is_unicode_clean
from .decoding import (ReadFailure, check_unzipped, decode_bytes, normalise, read_limited, tidy,
                       too_long)
from .formats import (DOCUMENT_SUFFIXES, IMAGE_SUFFIXES, format_of, suffix_of,
                      unsupported_reason)
from .options import OcrOptions, ReadLimits
from .scans import Status, ocr_note, ocr_pdf_pages, read_image

log = logging.getLogger(__name__)


def _plain(data: bytes) -> tuple[str, list[str]]:
    text, warnings = decode_bytes(data)
    return normalise(text), warnings


def _rtf(data: bytes) -> tuple[str, list[str]]:
    from striprtf.striprtf import rtf_to_text

    if not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        raise ReadFailure("not a valid RTF file (it does not start with {\\rtf)", data)
    # RTF is 7-bit by specification, with \'xx escapes in the document's code page; some writers
    # still emit raw 8-bit bytes, so decode leniently and let striprtf resolve the escapes.
    source, warnings = decode_bytes(data, kind="RTF")
    try:
        text = rtf_to_text(source, errors="replace")
    except Exception as exc:  # striprtf raises assorted errors on malformed groups
        raise ReadFailure("corrupt RTF file that could not be converted to text", data) from exc
    return tidy(text), warnings


def _docx_blocks(container, parent) -> list[str]:
    """Paragraph and table texts of a body or table cell, in document order.

    Walks the XML instead of python-docx's iter_inner_content() because hospital templates wrap
    text in content controls (w:sdt), which that method skips.
    """
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[str] = []
    for child in container.iterchildren():
        if child.tag == qn("w:p"):
            blocks.append(Paragraph(child, parent).text)
        elif child.tag == qn("w:tbl"):
            blocks.extend(_docx_table(Table(child, parent)))
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                blocks.extend(_docx_blocks(content, parent))
    return blocks


def _docx_table(table) -> list[str]:
    rows: list[str] = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            # Merged cells come back once per grid column they span; keep one copy.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append("\n".join(_docx_blocks(cell._tc, cell)).strip())
        if any(cells):
            # Empty cells stay, so a value keeps the position of its column header.
            rows.append(" | ".join(cells))
    return rows


def _docx(data: bytes) -> tuple[str, list[str]]:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        blocks = _docx_blocks(document.element.body, document)
    except Exception as exc:  # zip, XML and package errors all mean the same to the user
        raise ReadFailure(
            "corrupt or unreadable Word file (not a valid .docx; an old .doc renamed, or "
            "password-protected?)", data,
        ) from exc
    return tidy("\n".join(blocks)), []


def _pdf(data: bytes, ocr: OcrOptions, name: str,
         on_status: Status | None) -> tuple[str, list[str], OcrInfo | None]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # Many hospital PDFs are "encrypted" with an empty user password just to block edits.
            try:
                unlocked = reader.decrypt("")
            except Exception:
                unlocked = 0
            if not unlocked:
                raise ReadFailure("password-protected PDF; remove the password first", data)
        pages = [page.extract_text() or "" for page in reader.pages]
    except ReadFailure:
        raise
    except Exception as exc:
        raise ReadFailure("corrupt or unreadable PDF file", data) from exc
    if not pages:
        raise ReadFailure("PDF without pages", data)
    texts = [tidy(p) for p in pages]
    blank = [n for n, t in enumerate(texts, start=1) if not t]
    if not blank:
        return "\n\n".join(texts), [], None
    # Pages without a text layer are scans: OCR reads them, in page order with the others.
    # A PDF that has text on some pages keeps them when OCR is not available, with a warning.
    try:
        scan = ocr_pdf_pages(data, blank, len(texts), ocr, name=name, on_status=on_status)
    except ReadFailure as failure:
        if len(blank) == len(texts):
            raise
        return "\n\n".join(t for t in texts if t), [
            f"{len(blank)} of {len(texts)} PDF pages have no text layer (scanned pages?) and "
            f"could not be read: {failure.reason}; their content is missing"], None
    for number, text in scan.texts.items():
        texts[number - 1] = text
    return ("\n\n".join(t for t in texts if t),
            [ocr_note(scan.info, whole=len(blank) == len(texts)), *scan.warnings], scan.info)


_EXTRACTORS = {".txt": _plain, ".md": _plain, ".rtf": _rtf, ".docx": _docx}
assert set(_EXTRACTORS) | {".pdf", *IMAGE_SUFFIXES} == set(DOCUMENT_SUFFIXES)


def _extract(path: Path, data: bytes, ocr: OcrOptions, name: str,
             on_status: Status | None) -> tuple[str, list[str], OcrInfo | None]:
    suffix = suffix_of(path)
    if suffix == ".pdf":
        return _pdf(data, ocr, name, on_status)
    if suffix in IMAGE_SUFFIXES:
        return read_image(data, format_of(path).upper(), ocr, name=name, on_status=on_status)
    return (*_EXTRACTORS[suffix](data), None)


def read_document(path: Path, *, id: str, limits: ReadLimits,
                  ocr: OcrOptions = OcrOptions(), on_status: Status | None = None) -> Report:
    """Read one document file; never raises for bad content. `on_status` hears how the OCR of
    a scanned document with several pages is getting on (see `scans`)."""
    fmt, source = format_of(path), str(path)
    size: int | None = None
    try:
        size = path.stat().st_size
    except OSError:
        pass
    if suffix_of(path) not in DOCUMENT_SUFFIXES:
        return _failed(id, source, fmt, unsupported_reason(path), b"", size)
    try:
        data = read_limited(path, limits.max_file_bytes)
        if suffix_of(path) == ".docx":
            check_unzipped(data, limits.max_unzipped_bytes, "Word")
        text, warnings, ocr_info = _extract(path, data, ocr, id, on_status)
    except ReadFailure as failure:
        return _failed(id, source, fmt, failure.reason, failure.raw, size)
    if not text.strip():
        return _failed(id, source, fmt, "no text in the file after extraction", data, size)
    if not is_unicode_clean(text):  # a PDF's broken ToUnicode map can yield lone surrogates
        return _failed(id, source, fmt, "the extracted text holds a lone surrogate, which is not "
                       "valid Unicode", data, size)
    if len(text) > limits.max_chars:
        return _failed(id, source, fmt, too_long(len(text), limits.max_chars), data, size)
    return Report.from_text(
        id=id, source=source, format=fmt, text=text, size_bytes=size, warnings=warnings,
        ocr=ocr_info)


def _failed(id: str, source: str, fmt: str, reason: str, raw: bytes, size: int | None) -> Report:
    # The id (a file name) and reason are safe to log; never the text.
    log.debug("unreadable report %s: %s", id, reason)
    return Report.failed(id=id, source=source, format=fmt, reason=reason, raw=raw, size_bytes=size)
