"""Folders and inputs: walking, ids, limits, failures as records, unique ids across inputs."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from pluk.core.errors import PlukError
from pluk.core.readers import ReadLimits, TableOptions, read_inputs
from tests.support.report_folder import make_mixed_report_folder


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    root = tmp_path_factory.mktemp("mixed") / "verslagen"
    expected = make_mixed_report_folder(root)
    return root, expected


def test_mixed_folder_every_file_is_a_report(mixed):
    root, expected = mixed
    reports = read_inputs([root])
    assert len(reports) == 30 == len(expected["good"]) + len(expected["bad"])
    ids = [r.id for r in reports]
    assert ids == sorted(expected["good"] + list(expected["bad"]))
    assert len(set(ids)) == len(ids)
    for report in reports:
        if report.id in expected["bad"]:
            assert report.text is None
            assert expected["bad"][report.id] in report.error, report.id
        else:
            assert report.error is None, (report.id, report.error)
            assert report.text == expected["texts"][report.id], report.id
        assert Path(report.source) == root / report.id
        assert Path(report.source).is_absolute()


def test_hidden_and_lock_files_are_skipped(mixed):
    root, expected = mixed
    ids = {r.id for r in read_inputs([root])}
    assert not ids & set(expected["hidden"])
    assert not any(part.startswith((".", "~$")) for i in ids for part in i.split("/"))


def test_ids_are_stable_across_reads_and_relative_from_any_cwd(mixed, monkeypatch):
    root, _ = mixed
    first = read_inputs([root])
    monkeypatch.chdir(root.parent)
    second = read_inputs([Path("verslagen")])
    def key(reports):
        return [(r.id, r.sha256, r.source) for r in reports]

    assert key(first) == key(second)


def test_patient_text_never_logged(mixed, caplog, tmp_path):
    root, expected = mixed
    table = tmp_path / "t.jsonl"
    table.write_text('{"id": 1, "text": "Geheime tekst PSA 99"}\n{"id": 2, "text": "',
                     encoding="utf-8")
    with caplog.at_level(logging.DEBUG):
        read_inputs([root, table])
    assert caplog.records  # something was logged, just not the text
    logged = caplog.text
    assert "Geheime" not in logged and "PSA" not in logged
    for text in expected["texts"].values():
        assert text.splitlines()[-1] not in logged


def test_single_file_id_is_its_name(tmp_path):
    path = tmp_path / "sub" / "verslag.txt"
    path.parent.mkdir()
    path.write_text("tekst", encoding="utf-8")
    (report,) = read_inputs([str(path)])
    assert report.id == "verslag.txt"
    assert report.source == str(path)


def test_unsupported_files_are_error_records(tmp_path):
    (tmp_path / "foto.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic")
    (tmp_path / "kapot.JPG").write_bytes(b"\xff\xd8\xff")  # read by OCR, but truncated
    (tmp_path / "notities").write_text("geen extensie", encoding="utf-8")
    (tmp_path / "data.xyz").write_text("?", encoding="utf-8")
    reports = {r.id: r for r in read_inputs([tmp_path])}
    assert reports["data.xyz"].error == "unsupported file type .xyz"
    assert reports["foto.HEIC"].error.startswith("unsupported file type .heic")
    assert reports["kapot.JPG"].error == "corrupt or unreadable JPG image"
    assert "no extension" in reports["notities"].error
    (single,) = read_inputs([tmp_path / "data.xyz"])
    assert single.error == "unsupported file type .xyz"


def test_oversized_file_reports_size_and_limit(tmp_path):
    (tmp_path / "groot.txt").write_text("x" * 5000, encoding="utf-8")
    (tmp_path / "klein.txt").write_text("x" * 10, encoding="utf-8")
    reports = {r.id: r for r in read_inputs([tmp_path], limits=ReadLimits(max_file_bytes=2048))}
    assert reports["groot.txt"].error == "file too large: 4.9 KB, over the limit of 2.0 KB"
    assert reports["groot.txt"].size_bytes == 5000
    assert reports["klein.txt"].text == "x" * 10


def test_text_over_max_chars_reports_count_and_limit(tmp_path):
    (tmp_path / "lang.txt").write_text("y" * 1500, encoding="utf-8")
    (report,) = read_inputs([tmp_path], limits=ReadLimits(max_chars=1000))
    assert report.error == "text too long: 1,500 characters, over the limit of 1,000"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_and_folder(tmp_path):
    (tmp_path / "geheim.txt").write_text("tekst", encoding="utf-8")
    (tmp_path / "dicht").mkdir()
    (tmp_path / "dicht" / "a.txt").write_text("tekst", encoding="utf-8")
    os.chmod(tmp_path / "geheim.txt", 0)
    os.chmod(tmp_path / "dicht", 0)
    try:
        reports = {r.id: r for r in read_inputs([tmp_path])}
    finally:
        os.chmod(tmp_path / "dicht", 0o755)
    assert "permission denied" in reports["geheim.txt"].error
    assert "could not be opened" in reports["dicht"].error


def test_permission_errors_become_records_even_as_root(tmp_path, monkeypatch):
    from pluk.core.readers import walk

    (tmp_path / "geheim.txt").write_text("tekst", encoding="utf-8")
    (tmp_path / "dicht").mkdir()
    (tmp_path / "dicht" / "a.txt").write_text("tekst", encoding="utf-8")
    real_read, real_scandir = Path.read_bytes, os.scandir

    def read_bytes(self):
        if self.name == "geheim.txt":
            raise PermissionError(13, "Permission denied")
        return real_read(self)

    def scandir(folder):
        if Path(folder).name in ("dicht", "top-dicht"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(folder)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(walk.os, "scandir", scandir)
    reports = {r.id: r for r in read_inputs([tmp_path])}
    assert reports["geheim.txt"].error == "permission denied: the file could not be opened"
    assert reports["dicht"].error == "the folder could not be opened (permission denied)"
    assert reports["dicht"].format == "folder"
    (tmp_path / "top-dicht").mkdir()
    with pytest.raises(PlukError, match="cannot be opened: permission denied"):
        read_inputs([tmp_path / "top-dicht"])


def test_missing_path_raises_plukerror(tmp_path):
    (tmp_path / "a.txt").write_text("tekst", encoding="utf-8")
    with pytest.raises(PlukError, match="No such file or folder: .*bestaat-niet"):
        read_inputs([tmp_path / "a.txt", tmp_path / "bestaat-niet"])


def test_empty_folder_and_no_inputs(tmp_path):
    assert read_inputs([]) == []
    assert read_inputs([tmp_path]) == []


def test_ids_unique_across_inputs(tmp_path):
    for folder in ("ziekenhuis_a", "ziekenhuis_b"):
        (tmp_path / folder / "mri").mkdir(parents=True)
        (tmp_path / folder / "mri" / "001.txt").write_text(f"{folder} verslag", encoding="utf-8")
    (tmp_path / "los").mkdir()
    (tmp_path / "los" / "001.txt").write_text("los verslag", encoding="utf-8")
    (tmp_path / "ziekenhuis_b" / "001.txt").write_text("ander los verslag", encoding="utf-8")
    reports = read_inputs([tmp_path / "ziekenhuis_a", tmp_path / "ziekenhuis_b",
                           tmp_path / "los" / "001.txt", tmp_path / "ziekenhuis_b" / "001.txt"])
    assert [r.id for r in reports] == [
        "mri/001.txt", "001.txt", "ziekenhuis_b/mri/001.txt", "los/001.txt",
    ]
    assert reports[2].text == "ziekenhuis_b verslag"
    assert "renamed" in reports[2].warnings[-1]


def test_same_input_twice_is_read_once(tmp_path):
    (tmp_path / "a.txt").write_text("tekst", encoding="utf-8")
    assert [r.id for r in read_inputs([tmp_path, str(tmp_path), tmp_path / "."])] == ["a.txt"]


def test_table_inside_a_folder_prefixes_row_ids(tmp_path):
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "lijst.csv").write_text("nr;inhoud\n1;een\n2;twee\n", encoding="utf-8")
    (tmp_path / "export" / "ander.csv").write_text("id;text\n1;x\n", encoding="utf-8")
    (tmp_path / "z.txt").write_text("los", encoding="utf-8")
    reports = read_inputs([tmp_path], table=TableOptions(id_column="nr", text_column="inhoud"))
    assert [(r.id, r.text, r.error) for r in reports] == [
        ("export/ander.csv", None,
         "text column 'inhoud' not found; available columns: 'id', 'text'"),
        ("export/lijst.csv/1", "een", None),
        ("export/lijst.csv/2", "twee", None),
        ("z.txt", "los", None),
    ]
