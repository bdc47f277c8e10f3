"""A run folder after power loss or a kill: a damaged tail is redone, damage inside is refused
with a way out, and exports are never left half-written."""

from __future__ import annotations

import csv

import pytest
from openpyxl import load_workbook

from pluk.core.errors import RunFolderError
from pluk.core.runs.folder import RunFolder
from pluk.core.runs import export
from pluk.core.runs.records import Record
from pluk.core.tasks import load_task


def _folder(tmp_path, n: int = 3) -> RunFolder:
    folder = RunFolder(tmp_path)
    for i in range(n):
        folder.append(Record(id=f"r{i}", source="s", sha256="x", status="ok", fields={}))
    return folder


@pytest.mark.parametrize("tail", [
    b"\x00" * 300,                        # the file grew but its last block never reached disk
    b"\x00" * 300 + b"\n",
    b"\x00" * 80 + b"\n" + b"\x00" * 80,  # two lines' worth of zeros
    b'{"id": "r3", "sou' + b"\x00" * 40 + b"\n",
    b'{"id": "r3", "source": "\xc3',       # cut inside a UTF-8 character
])
def test_a_damaged_tail_is_like_a_torn_line_and_resume_redoes_it(tmp_path, tail):
    folder = _folder(tmp_path)
    intact = folder.records_path.read_bytes()
    with folder.records_path.open("ab") as fh:
        fh.write(tail)
    assert [r.id for r in folder.records()] == ["r0", "r1", "r2"]
    folder._drop_damaged_tail()
    assert folder.records_path.read_bytes() == intact
    folder.append(Record(id="r3", source="s", sha256="x", status="ok", fields={}))
    assert [r.id for r in folder.records()] == ["r0", "r1", "r2", "r3"]


def test_damage_in_the_middle_is_refused_with_the_line_and_how_to_recover(tmp_path):
    folder = _folder(tmp_path, 2)
    with folder.records_path.open("ab") as fh:
        fh.write(b"\x00" * 50 + b"\n")
    folder.append(Record(id="r9", source="s", sha256="x", status="ok", fields={}))
    with pytest.raises(RunFolderError) as caught:
        folder.records()
    message = str(caught.value)
    assert "line 3, is damaged" in message and "\n" not in message
    assert "delete line 3" in message and "--resume redoes its report" in message


# -- exports --------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", export.FORMATS)
def test_an_export_that_dies_midway_leaves_the_previous_file_whole(tmp_path, monkeypatch, fmt):
    task = load_task("prostate_mri_nl")
    records = [Record(id=f"r{i}", source="s", sha256="x", status="ok", fields={})
               for i in range(3)]
    target = tmp_path / f"results.{fmt}"
    export.export(target, fmt, task, records)
    before = target.read_bytes()
    assert before

    def dies(*_args, **_kwargs):
        raise KeyboardInterrupt  # what a Ctrl-C or kill looks like from inside the writer

    monkeypatch.setattr(export, "record_row", dies)
    monkeypatch.setattr(export.Record, "model_dump", dies)
    with pytest.raises(KeyboardInterrupt):
        export.export(target, fmt, task, records)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left


# -- formula-like cells (OWASP CSV injection) ---------------------------------------------------

FORMULA_LIKE = ["=1+1", "+1", "-5 mm", "@SUM(A1)", "\tx", "\rx", " =1+1", "\n=1+1", "  @x",
                "\u3000=1", "＝1+1", "＋1", "－1", "＠x", " ＝1"]
PLAIN = ["plain", "a=b", "5 - 3", "", "'quoted"]


def _string_task():
    from pluk.core.tasks.loader import parse_task

    return parse_task({"id": "s", "title": "t", "description": "d", "fields": [
        {"name": "note", "type": "string"}, {"name": "size", "type": "float"}]}, "m")


def _string_records():
    return [Record(id=str(i), source="s", sha256="x", status="ok",
                   fields={"note": value, "size": -2.5})
            for i, value in enumerate(FORMULA_LIKE + PLAIN)]


def test_csv_neutralises_every_owasp_formula_start_also_after_whitespace(tmp_path):
    path = export.write_csv(tmp_path / "r.csv", _string_task(), _string_records())
    with path.open(encoding="utf-8-sig", newline="") as fh:
        notes = [(row["note"], row["size"]) for row in csv.DictReader(fh)]
    assert notes == [("'" + v, "-2.5") for v in FORMULA_LIKE] + [(v, "-2.5") for v in PLAIN]


def test_xlsx_keeps_text_as_typed_string_cells_without_an_apostrophe(tmp_path):
    path = export.write_xlsx(tmp_path / "r.xlsx", _string_task(), _string_records())
    sheet = load_workbook(path)["results"]
    header = [c.value for c in sheet[1]]
    notes = [row[header.index("note")] for row in sheet.iter_rows(min_row=2)]
    sizes = [row[header.index("size")] for row in sheet.iter_rows(min_row=2)]
    # openpyxl reads an empty string cell back as None
    assert [c.value or "" for c in notes] == FORMULA_LIKE + PLAIN
    assert all(c.data_type == "s" for c in notes if c.value)
    assert all(c.value == -2.5 and c.data_type == "n" for c in sizes)


def test_xlsx_escapes_control_characters_and_marks_a_cell_cut_at_excels_limit(tmp_path):
    long = "x" * 40_000
    records = [Record(id="a\x01b", source="s", sha256="x", status="ok",
                      fields={"note": long, "size": 1.0})]
    path = export.write_xlsx(tmp_path / "r.xlsx", _string_task(), records)
    sheet = load_workbook(path)["results"]
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[header.index("id")] == "a\\x01b"
    note = row[header.index("note")]
    assert len(note) == export.XLSX_CELL_MAX
    assert note.endswith(" [cut: 40,000 characters; results.json has the whole value]")
