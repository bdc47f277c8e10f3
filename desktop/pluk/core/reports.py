"""The Report: one input document as the pipeline sees it, produced by the readers.

A report that could not be read is still a Report, with `error` set and no text: the pipeline
turns it into an `error` record, so bad input never stops a run and never disappears.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Report(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id: relative path in a folder, or the table's id column")
    source: str = Field(description="Where it came from: a file path, or path#row for tables")
    format: str = Field(description="Reader that produced it: txt, md, rtf, docx, pdf, csv, ...")
    text: str | None = None
    parts: list[str] | None = Field(
        default=None, description="DRAGON text_parts as given, when the input had them"
    )
    sha256: str = Field(description="sha256 of the text; of the raw bytes when unreadable")
    size_bytes: int | None = None
    error: str | None = Field(default=None, description="Why it could not be read")
    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def from_text(cls, *, id: str, source: str, format: str, text: str, **extra) -> "Report":
        return cls(id=id, source=source, format=format, text=text, sha256=text_sha256(text), **extra)

    @classmethod
    def failed(cls, *, id: str, source: str, format: str, reason: str, raw: bytes = b"",
               **extra) -> "Report":
        return cls(id=id, source=source, format=format, error=reason,
                   sha256=hashlib.sha256(raw).hexdigest(), **extra)
