"""Bytes to clean text: encoding detection, binary detection, newline and Unicode normalisation.

Also owns `ReadFailure`, the internal exception a reader raises with the one-sentence reason that
ends up in `Report.error`, and the guarded file read that enforces the size limits.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from .options import MIB


class ReadFailure(Exception):
    """A file or row cannot become a report; the message is the reason shown to the user."""

    def __init__(self, reason: str, raw: bytes = b"") -> None:
        super().__init__(reason)
        self.reason = reason
        self.raw = raw


def human_size(n: int) -> str:
    # Binary units, labelled as Windows Explorer labels them, so the numbers match what users see.
    if n < 1024:
        return f"{n} bytes"
    if n < MIB:
        return f"{n / 1024:.1f} KB"
    return f"{n / MIB:.1f} MB"


def too_long(chars: int, limit: int) -> str:
    return f"text too long: {chars:,} characters, over the limit of {limit:,}"


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, or a ReadFailure for an empty, oversized or unopenable file."""
    try:
        size = path.stat().st_size
        if size == 0:
            raise ReadFailure("empty file (0 bytes)")
        if size > max_bytes:
            raise ReadFailure(
                f"file too large: {human_size(size)}, over the limit of {human_size(max_bytes)}"
            )
        data = path.read_bytes()
    except PermissionError:
        raise ReadFailure("permission denied: the file could not be opened") from None
    except IsADirectoryError:
        raise ReadFailure("not a file") from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ReadFailure(f"the file could not be read ({reason})") from None
    if not data:  # shrank between stat and read
        raise ReadFailure("empty file (0 bytes)")
    return data


_C0_ALLOWED = {"\t", "\n", "\r", "\f", "\v"}


def _control_ratio(text: str) -> float:
    sample = text[:65536]
    if not sample:
        return 0.0
    bad = sum(
        1 for ch in sample
        if (ch < " " and ch not in _C0_ALLOWED) or ("\x7f" <= ch <= "\x9f")
    )
    return bad / len(sample)


def decode_bytes(data: bytes, *, kind: str = "text") -> tuple[str, list[str]]:
    """Decode text bytes: UTF-16 with BOM, else UTF-8 (BOM or not), else cp1252, else Latin-1.

    Returns the text and warnings (which encoding was used when it was not UTF-8). Raises
    ReadFailure for binary data. Strict UTF-8 first is safe: cp1252 text with any accented letter
    is almost never valid UTF-8, while the reverse guess produces mojibake such as "Ã©".
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), ["decoded as UTF-16 (not UTF-8)"]
        except UnicodeDecodeError:
            raise ReadFailure(f"undecodable {kind} (broken UTF-16)", data) from None
    if b"\x00" in data:
        raise ReadFailure(f"binary data, not {kind} (the file contains NUL bytes)", data)
    warnings: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            warnings.append("decoded as Windows-1252 (not UTF-8)")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            warnings.append("decoded as Latin-1 (not UTF-8)")
    # Latin-1 accepts any byte, so random binary without NULs still "decodes"; control characters
    # betray it. 1% tolerates a stray form feed or escape code in a real export.
    if _control_ratio(text) > 0.01:
        raise ReadFailure(f"binary data, not {kind} (undecodable control characters)", data)
    return text, warnings


def normalise(text: str) -> str:
    """LF newlines, NFC Unicode, no leading blank lines, no trailing whitespace.

    NFC because PDF and Mac exports may spell "ë" as "e" plus a combining mark, which would make
    the same word two different token sequences and two different hashes.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"\A(?:[ \t]*\n)+", "", text)
    return text.rstrip()


def tidy(text: str) -> str:
    """normalise() plus layout cleanup for extracted text (docx, pdf, rtf): no trailing spaces on
    lines, at most one blank line in a row. Layout whitespace there is an artefact, not content."""
    text = normalise(text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text)
