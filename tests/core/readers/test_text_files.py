"""Plain text and Markdown: encodings, newlines, binary and empty files."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from pluk.core.readers import read_inputs

DUTCH = "Patiënt met coëxistente afwijking, ± 3 cm.\nEchografie: één cyste, geen maligniteit."


def read_one(path, **kwargs):
    reports = read_inputs([path], **kwargs)
    assert len(reports) == 1
    return reports[0]


@pytest.mark.parametrize("suffix", [".txt", ".md", ".TXT"])
def test_utf8_is_decoded_exactly(tmp_path, suffix):
    path = tmp_path / f"verslag{suffix}"
    path.write_bytes(DUTCH.encode("utf-8"))
    report = read_one(path)
    assert report.error is None
    assert report.text == DUTCH
    assert report.warnings == []
    assert report.id == path.name
    assert report.format == suffix.lower().lstrip(".")
    assert report.size_bytes == len(DUTCH.encode("utf-8"))


def test_utf8_bom_is_removed_without_warning(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + DUTCH.encode("utf-8"))
    report = read_one(path)
    assert report.text == DUTCH
    assert report.warnings == []


def test_cp1252_is_decoded_exactly_with_a_warning(tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes(DUTCH.encode("cp1252"))
    report = read_one(path)
    assert report.text == DUTCH
    assert "Ã" not in report.text
    assert any("Windows-1252" in w for w in report.warnings)


def test_bytes_undefined_in_cp1252_fall_back_to_latin1(tmp_path):
    # 0x81 has no cp1252 character; one stray byte in ordinary Latin-1 text
    path = tmp_path / "oud.txt"
    path.write_bytes(("Caf\xe9 \xb1 3 cm. " * 20).encode("latin-1") + b"\x81")
    report = read_one(path)
    assert report.text.startswith("Café ± 3 cm")
    assert any("Latin-1" in w for w in report.warnings)


def test_utf16_with_bom_is_decoded(tmp_path):
    path = tmp_path / "kladblok.txt"
    path.write_bytes(DUTCH.encode("utf-16"))
    report = read_one(path)
    assert report.text == DUTCH
    assert any("UTF-16" in w for w in report.warnings)


def test_newlines_are_normalised_and_outer_blank_lines_stripped(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\r\n\r\nregel 1\r\n  regel 2 ingesprongen\rregel 3\r\n\r\n")
    assert read_one(path).text == "regel 1\n  regel 2 ingesprongen\nregel 3"


def test_decomposed_unicode_is_composed(tmp_path):
    path = tmp_path / "mac.txt"
    path.write_text(unicodedata.normalize("NFD", "Patiënt"), encoding="utf-8")
    report = read_one(path)
    assert report.text == "Patiënt"
    assert len(report.text) == 7


def test_sha256_is_of_the_text(tmp_path):
    import hashlib

    (tmp_path / "a.txt").write_bytes(DUTCH.encode("cp1252"))
    report = read_one(tmp_path / "a.txt")
    assert report.sha256 == hashlib.sha256(DUTCH.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b" \n\t\r\n  ", "no text"),
        (b"PK\x03\x04\x00\x00binary", "binary data"),
        (bytes(range(1, 32)) * 20, "binary data"),
    ],
)
def test_bad_text_files_become_error_records(tmp_path, content, reason):
    path = tmp_path / "slecht.txt"
    path.write_bytes(content)
    report = read_one(path)
    assert report.text is None
    assert reason in report.error
    assert report.id == "slecht.txt"
