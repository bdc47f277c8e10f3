"""The caller's choices for reading: which table columns hold id and text, and the size limits."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

MIB = 1024 * 1024


class TableOptions(BaseModel):
    """Which columns of a table (CSV, XLSX, JSONL, JSON array) hold the report id and text.

    None means: guess from common names (see `tables.ID_GUESSES` and `tables.TEXT_GUESSES`).
    """

    model_config = ConfigDict(frozen=True)

    id_column: str | None = None
    text_column: str | None = None
    sheet: str | None = Field(default=None, description="XLSX sheet name; None: the first sheet")

    @field_validator("id_column", "text_column", "sheet")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        # A GUI combo box or CLI flag left empty means "not chosen", not "the column named ''".
        if value is not None and not value.strip():
            return None
        return value


class ReadLimits(BaseModel):
    """Limits that keep one huge or runaway file from exhausting memory or the model's time."""

    model_config = ConfigDict(frozen=True)

    max_file_bytes: int = Field(default=20 * MIB, gt=0, description="Per document file")
    max_chars: int = Field(default=1_000_000, gt=0, description="Per report text, after extraction")
    max_table_bytes: int = Field(
        default=512 * MIB, gt=0,
        description="Per table file; a table holds many reports, so it gets its own, larger limit",
    )
    # A .docx or .xlsx is a zip: a few hundred KB can unpack to gigabytes (a zip bomb) and take
    # minutes and all memory to parse. The sizes the zip declares are checked before any parser
    # runs; Python's zipfile never yields more than a part's declared size, so they hold.
    max_unzipped_bytes: int = Field(
        default=100 * MIB, gt=0, description="Per .docx: the sum of its parts' unpacked sizes")
    max_unzipped_table_bytes: int = Field(
        default=256 * MIB, gt=0, description="Per .xlsx: the sum of its parts' unpacked sizes")
    max_reports: int | None = Field(
        default=None, ge=0,
        description="Stop reading after this many reports, across all inputs in input order "
                    "(for a run with a report limit); None reads everything",
    )


# Tesseract codes by task language (TaskDefinition.language, ISO 639-1). Both stay in for
# either language: Dutch reports quote English terms ("Gleason score", "follow-up") and the
# other way round; the first language is the one tesseract tries first.
_OCR_LANGUAGES = {"nl": "nld+eng", "en": "eng+nld", "de": "deu+eng", "fr": "fra+eng"}


class OcrOptions(BaseModel):
    """How scanned PDF pages and images are read by OCR (see readers.ocr and readers.scans)."""

    model_config = ConfigDict(frozen=True)

    languages: str = Field(default="nld+eng", pattern=r"^[a-z_]{3,8}(\+[a-z_]{3,8})*$",
                           description="Tesseract language codes, first tried first")
    dpi: int = Field(default=300, ge=72, le=600, description="PDF pages are rendered at this")
    # A page whose mean word confidence is below this reads as noise (a photo, a smudge, a
    # handwritten note): its text would feed the model invented words, so it is left out with
    # a warning naming the page. Typed pages measure 90 and more (bench/ocr_bench.py).
    min_confidence: float = Field(
        default=50.0, ge=0, le=100,
        description="A page whose mean word confidence is lower is left out, with a warning")

    @classmethod
    def for_task_language(cls, language: str | None) -> "OcrOptions":
        """The OCR languages for a task's language; Dutch and English when it is unknown."""
        return cls(languages=_OCR_LANGUAGES.get((language or "").lower(), "nld+eng"))


class GroupOptions(BaseModel):
    """How documents are grouped into one report per patient or case (see readers.grouping).

    `by`: None (each document its own report), "folder" (the files directly in one folder are
    one report, named by that folder), "column:NAME" (table rows sharing NAME's value), or a
    regular expression with a named group `(?P<id>...)` searched in each file's relative path.
    """

    model_config = ConfigDict(frozen=True)

    by: str | None = None

    @field_validator("by")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        return value
