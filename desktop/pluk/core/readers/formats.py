"""Which file suffixes Pluk reads, how each is classified, and the hints for those it does not."""

from __future__ import annotations

from pathlib import Path

# Images are read by OCR (readers.scans); a .tif may hold several pages.
IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
DOCUMENT_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".rtf", ".docx", ".pdf") + IMAGE_SUFFIXES
TABLE_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".jsonl", ".json")
SUPPORTED_SUFFIXES: tuple[str, ...] = DOCUMENT_SUFFIXES + TABLE_SUFFIXES

# The formats a data manager most often meets that we cannot read: say what to do about them.
_UNSUPPORTED_HINTS = {
    ".doc": "old Word .doc format; save it as .docx",
    ".xls": "old Excel .xls format; save it as .xlsx",
    ".odt": "OpenDocument text; save it as .docx",
    ".ods": "OpenDocument spreadsheet; save it as .xlsx",
    ".heic": "an iPhone photo; save it as .jpg or .png",
    ".bmp": "a bitmap image; save it as .png",
    ".zip": "a zip archive; extract it first",
}


def suffix_of(path: Path) -> str:
    return path.suffix.lower()


def format_of(path: Path) -> str:
    """The Report.format name: the lower-case suffix without its dot, or 'unknown'."""
    return suffix_of(path).lstrip(".") or "unknown"


def is_table(path: Path) -> bool:
    return suffix_of(path) in TABLE_SUFFIXES


def unsupported_reason(path: Path) -> str:
    suffix = suffix_of(path)
    if not suffix:
        return "unsupported file type (the file name has no extension)"
    hint = _UNSUPPORTED_HINTS.get(suffix)
    return f"unsupported file type {suffix}" + (f" ({hint})" if hint else "")
