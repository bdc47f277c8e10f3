"""Bytes to clean text: encoding detection, binary detection, newline and Unicode normalisation.

Also owns `ReadFailure`, the internal exception a reader raises with the one-sentence reason that
ends up in `Report.error`, and the guarded file read that enforces the size limits.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
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


def check_unzipped(data: bytes, max_bytes: int, kind: str) -> None:
    """ReadFailure when a zip container (docx, xlsx) declares more unpacked bytes than allowed.

    Reads only the zip's directory, so a bomb is refused in milliseconds. A file that is not a
    zip is left to the format's own reader, which says so in its own words.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    if unpacked > max_bytes:
        raise ReadFailure(
            f"the {kind} file unpacks to {human_size(unpacked)}, over the limit of "
            f"{human_size(max_bytes)} (a zip bomb, or a file too large to read safely)", data)


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
    """Decode text bytes: UTF-16 with BOM, else UTF-8 (BOM or not), else line by line (UTF-8,
    else cp1252, else Latin-1; see `_decode_lines`).

    Returns the text and warnings (which encoding was used, and on which lines, when it was not
    UTF-8). Raises
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
        text, warnings = _decode_lines(data)
    # Latin-1 accepts any byte, so random binary without NULs still "decodes"; control characters
    # betray it. 1% tolerates a stray form feed or escape code in a real export.
    if _control_ratio(text) > 0.01:
        raise ReadFailure(f"binary data, not {kind} (undecodable control characters)", data)
    return text, warnings


def _decode_lines(data: bytes) -> tuple[str, list[str]]:
    """Text that is not UTF-8 as a whole, decoded line by line: UTF-8 where a line is valid
    UTF-8, else Windows-1252, else Latin-1 (which accepts any byte). A file pasted together from
    two exports mixes encodings, and decoding it whole as Windows-1252 makes every UTF-8 "ë" an
    "Ã«". Splitting the bytes at b"\\n" is safe: no multi-byte UTF-8 or cp1252 character holds it.
    """
    texts: list[str] = []
    guessed: dict[str, list[int]] = {"Windows-1252": [], "Latin-1": []}
    utf8_lines = 0  # non-ASCII lines that are valid UTF-8: the evidence of a mixed file
    for number, line in enumerate(data.split(b"\n"), 1):
        try:
            texts.append(line.decode("utf-8-sig" if number == 1 else "utf-8"))
            utf8_lines += not line.isascii()
            continue
        except UnicodeDecodeError:
            pass
        try:
            texts.append(line.decode("cp1252"))
            guessed["Windows-1252"].append(number)
        except UnicodeDecodeError:
            texts.append(line.decode("latin-1"))
            guessed["Latin-1"].append(number)
    cp1252, latin1 = guessed["Windows-1252"], guessed["Latin-1"]
    if utf8_lines:
        warnings = [f"{_line_list(lines)} not UTF-8 and {'were' if len(lines) > 1 else 'was'} "
                    f"decoded as {name}; the other lines as UTF-8"
                    for name, lines in guessed.items() if lines]
    elif not latin1:
        warnings = ["decoded as Windows-1252 (not UTF-8)"]
    elif not cp1252:
        warnings = ["decoded as Latin-1 (not UTF-8)"]
    else:
        warnings = [f"decoded as Windows-1252 (not UTF-8); {_line_list(latin1)} decoded as "
                    "Latin-1 (bytes that Windows-1252 does not define)"]
    return "\n".join(texts), warnings


def _line_list(numbers: list[int], shown: int = 10) -> str:
    """'line 4 is', 'lines 2 and 4 are', 'lines 1, 2, ... 10 and 35 more are'."""
    if len(numbers) == 1:
        return f"line {numbers[0]} is"
    head = [str(n) for n in numbers[:shown]]
    rest = len(numbers) - len(head)
    if rest:
        return f"lines {', '.join(head)} and {rest} more are"
    return f"lines {', '.join(head[:-1])} and {head[-1]} are"


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
