r"""The Report: one input document as the pipeline sees it, produced by the readers.

A report that could not be read is still a Report, with `error` set and no text: the pipeline
turns it into an `error` record, so bad input never stops a run and never disappears.

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
