"""Several documents per patient: --group-by folder, a file-name pattern, or a table column."""

from __future__ import annotations

import pytest

from pluk.core.errors import PlukError
from pluk.core.readers import GroupOptions, ReadLimits, read_inputs


def _write(root, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_group_by_folder_makes_one_report_per_patient_folder(tmp_path):
    _write(tmp_path / "patienten", {
        "P2/mri.txt": "MRI: PI-RADS 4.",
        "P1/pathologie.txt": "Gleason 3+4=7.",
        "P1/mri.txt": "MRI: PI-RADS 5, PSA 9,7 ng/ml.",
        "P1/brief.md": "Beste collega, ...",
    })
    reports = read_inputs([tmp_path / "patienten"], group=GroupOptions(by="folder"))
    assert [r.id for r in reports] == ["P1", "P2"]
    p1 = reports[0]
    assert p1.format == "group" and p1.error is None
    assert p1.text == ("=== Document 1 of 3: P1/brief.md ===\nBeste collega, ...\n\n"
                       "=== Document 2 of 3: P1/mri.txt ===\nMRI: PI-RADS 5, PSA 9,7 ng/ml.\n\n"
                       "=== Document 3 of 3: P1/pathologie.txt ===\nGleason 3+4=7.")
    assert [p.id for p in p1.parts] == ["P1/brief.md", "P1/mri.txt", "P1/pathologie.txt"]
    for part, text in zip(p1.parts, ["Beste collega, ...", "MRI: PI-RADS 5, PSA 9,7 ng/ml.",
                                     "Gleason 3+4=7."]):
        assert p1.text[part.start:part.end] == text
        assert part.source.endswith(part.id)
    assert p1.source == str(tmp_path / "patienten" / "P1")
    # Stable: the same folder reads to the same reports and hashes.
    again = read_inputs([tmp_path / "patienten"], group=GroupOptions(by="folder"))
    assert [(r.id, r.sha256) for r in again] == [(r.id, r.sha256) for r in reports]


def test_a_failed_document_is_a_warning_of_its_group_and_all_failed_an_error(tmp_path):
    _write(tmp_path, {"P1/mri.txt": "PI-RADS 3.", "P1/leeg.txt": "", "P2/leeg.txt": "",
                      "P2/oud.doc": "x"})
    reports = {r.id: r for r in read_inputs([tmp_path], group=GroupOptions(by="folder"))}
    assert set(reports) == {"P1", "P2"}
    p1 = reports["P1"]
    assert p1.text == "=== Document 2 of 2: P1/mri.txt ===\nPI-RADS 3."
    assert any(w.startswith("document 1 of 2 (P1/leeg.txt) could not be read: empty file")
               for w in p1.warnings)
    assert p1.parts[0].error.startswith("empty file") and p1.parts[0].start is None
    p2 = reports["P2"]
    assert p2.text is None
    assert p2.error.startswith("none of its 2 documents could be read (first: empty file")
    assert len(p2.parts) == 2


def test_files_directly_in_the_input_folder_group_under_its_name(tmp_path):
    _write(tmp_path / "P9", {"a.txt": "een", "b.txt": "twee"})
    (report,) = read_inputs([tmp_path / "P9"], group=GroupOptions(by="folder"))
    assert report.id == "P9" and len(report.parts) == 2


def test_group_by_pattern_uses_the_named_id_group(tmp_path):
    _write(tmp_path, {
        "2024/P100_mri.txt": "MRI",
        "2023/P100_pa.txt": "PA",
        "P200_brief.txt": "brief",
        "overig.txt": "zonder id",
    })
    spec = r"(?P<id>P\d+)_"
    reports = read_inputs([tmp_path], group=GroupOptions(by=spec))
    # First appearance in reading order (relative paths sorted): 2023/..., 2024/..., ...
    assert [r.id for r in reports] == ["P100", "P200", "overig.txt"]
    assert [p.id for p in reports[0].parts] == ["2023/P100_pa.txt", "2024/P100_mri.txt"]
    assert reports[2].format == "txt"
    assert "not grouped: its path does not match the --group-by pattern" in reports[2].warnings


def test_group_by_column_joins_rows_sharing_the_value(tmp_path):
    (tmp_path / "verslagen.csv").write_text(
        "patient,datum,tekst\n"
        "P1,2024-01-02,MRI: PI-RADS 4\n"
        "P2,2024-01-03,CT: geen metastasen\n"
        "P1,2024-02-10,PA: Gleason 3+4\n"
        ",2024-03-01,zonder patient\n"
        "P2,2024-04-01,\n",
        encoding="utf-8")
    reports = read_inputs([tmp_path / "verslagen.csv"], group=GroupOptions(by="column:patient"))
    assert [r.id for r in reports] == ["P1", "P2", "row-5"]
    p1, p2, loose = reports
    assert p1.text == ("=== Document 1 of 2: verslagen.csv#2 ===\nMRI: PI-RADS 4\n\n"
                       "=== Document 2 of 2: verslagen.csv#4 ===\nPA: Gleason 3+4")
    assert [p.source.rpartition("#")[2] for p in p1.parts] == ["2", "4"]
    assert p2.error is None and "CT: geen metastasen" in p2.text
    assert any("could not be read" in w and "is empty" in w for w in p2.warnings)
    assert loose.format == "csv" and loose.text == "zonder patient"


def test_group_by_column_across_tables_in_a_folder(tmp_path):
    (tmp_path / "a.csv").write_text("pid,text\nX,radiologie\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("pid,text\nX,pathologie\nY,brief\n", encoding="utf-8")
    reports = read_inputs([tmp_path], group=GroupOptions(by="column:pid"))
    assert [r.id for r in reports] == ["X", "Y"]
    assert [p.id for p in reports[0].parts] == ["a.csv/X", "b.csv/X"]


def test_ids_are_unique_and_the_limit_counts_groups(tmp_path):
    _write(tmp_path, {"P1/a.txt": "een", "P2/a.txt": "twee", "P3/a.txt": "drie"})
    limited = read_inputs([tmp_path], group=GroupOptions(by="folder"),
                          limits=ReadLimits(max_reports=2))
    assert [r.id for r in limited] == ["P1", "P2"]
    # A loose file named like a group keeps a unique id.
    _write(tmp_path / "x", {"P1": "los"})
    reports = read_inputs([tmp_path], group=GroupOptions(by=r"^x/(?P<id>P\d)$"))
    ids = [r.id for r in reports]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("spec, message", [
    ("column:", "needs a column name"),
    ("(?P<nr>P\\d+)", "needs a named group (?P<id>...)"),
    ("([", "not 'folder', 'column:NAME' or a valid regular expression"),
])
def test_a_bad_group_by_is_a_plain_error(tmp_path, spec, message):
    (tmp_path / "a.txt").write_text("x", encoding="utf-8")
    with pytest.raises(PlukError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("?", r"\?").replace(".", r"\.")):
        read_inputs([tmp_path], group=GroupOptions(by=spec))


def test_without_group_by_nothing_changes(tmp_path):
    _write(tmp_path, {"P1/a.txt": "een", "P1/b.txt": "twee"})
    assert [r.id for r in read_inputs([tmp_path])] == ["P1/a.txt", "P1/b.txt"]
