r"""The Report: one input document as the pipeline sees it, produced by the readers.

A report that could not be read is still a Report, with `error` set and no text: the pipeline
turns it into an `error` record, so bad input never stops a run and never disappears.
`OcrInfo` says which pages' text came from OCR and with what confidence (the same note is also
one of the warnings, so it reaches the record); `ReportPart` is one document of a report
grouped per patient or case (readers.grouping), with its offsets in the grouped text.

Ids and sources are always valid Unicode, so a record can be written as UTF-8 JSON: a file name
byte that is not UTF-8 (Linux names are bytes; Python keeps them as surrogate escapes) is written
as `\xNN`, and a lone surrogate (a Windows name, or a JSON `"\ud83d"`) as `\uNNNN`, as Python's
backslashreplace writes them. The escape is deterministic, so a resumed run finds the same ids.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field, field_validator


def is_unicode_clean(text: str) -> bool:
    """False when the text holds a lone surrogate, which UTF-8 (and so a record) cannot store."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def escape_surrogates(text: str) -> str:
    r"""The text with each surrogate escaped: `\xNN` for a surrogate-escaped byte, else `\uNNNN`."""
    if is_unicode_clean(text):
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's surrogateescape of the byte code - 0xDC00
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class OcrInfo(BaseModel):
    """That (part of) a report's text came from OCR, and how sure the engine was."""

    model_config = ConfigDict(frozen=True)

    engine: str = Field(description="The OCR engine and its version, e.g. 'tesseract 5.3.0'")
    languages: str = Field(description="Tesseract language codes used, e.g. 'nld+eng'")
    pages: list[int] = Field(description="1-based pages whose text came from OCR")
    mean_confidence: float | None = Field(
        description="Mean word confidence (0-100) over the words of those pages")
    unread_pages: list[int] = Field(
        default_factory=list, description="Pages left out: no text found, or confidence too low")


class ReportPart(BaseModel):
    """One document inside a grouped report: where it came from and where its text sits."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="The document's own id, as it would be read on its own")
    source: str
    format: str
    start: int | None = Field(default=None, description="Offset of its text in the report text")
    end: int | None = None
    error: str | None = Field(default=None, description="Why it could not be read (then no text)")
    warnings: list[str] = Field(default_factory=list)
    ocr: OcrInfo | None = None

    @field_validator("id", "source")
    @classmethod
    def _escaped(cls, value: str) -> str:
        return escape_surrogates(value)


class Report(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id: relative path in a folder, or the table's id column")
    source: str = Field(description="Where it came from: a file path, or path#row for tables")
    format: str = Field(description="Reader that produced it: txt, md, rtf, docx, pdf, csv, ...")
    text: str | None = None
    sha256: str = Field(description="sha256 of the text; of the raw bytes when unreadable")
    size_bytes: int | None = None
    error: str | None = Field(default=None, description="Why it could not be read")
    warnings: list[str] = Field(default_factory=list)
    ocr: OcrInfo | None = Field(default=None, description="Set when its text came from OCR")
    parts: list[ReportPart] = Field(
        default_factory=list, description="The documents of a grouped report, in order")

    @field_validator("id", "source")
    @classmethod
    def _escaped(cls, value: str) -> str:
        return escape_surrogates(value)

    @classmethod
    def from_text(cls, *, id: str, source: str, format: str, text: str, **extra) -> "Report":
        return cls(id=id, source=source, format=format, text=text, sha256=text_sha256(text),
                   **extra)

    @classmethod
    def failed(cls, *, id: str, source: str, format: str, reason: str, raw: bytes = b"",
               **extra) -> "Report":
        return cls(id=id, source=source, format=format, error=reason,
                   sha256=hashlib.sha256(raw).hexdigest(), **extra)
