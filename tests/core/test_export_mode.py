"""Exports are files a colleague can open: every format gets 0666 less the user's umask, as a
plain open() would give it, not the 0600 of the temporary file it is written through."""

from __future__ import annotations

import os
import stat

import pytest

from pluk.core.runs import export
from pluk.core.runs.html_export import write_html
from pluk.core.runs.records import Record
from pluk.core.tasks import load_task


def _records() -> list[Record]:
    return [Record(id="1", source="a.txt", sha256="x", status="ok",
                   fields={"modality": "CT", "findings": [], "follow_up_recommended": False}),
            Record(id="2", source="b.txt", sha256="y", status="error", error="empty file")]


@pytest.mark.parametrize("umask", [0o002, 0o022, 0o077])
def test_every_export_follows_the_umask(tmp_path, umask):
    task = load_task("radiology_findings_nl")
    records = _records()
    previous = os.umask(umask)
    try:
        assert export.current_umask() == umask
        written = [export.export(tmp_path / f"r.{fmt}", fmt, task, records)
                   for fmt in export.FORMATS]
        written.append(write_html(tmp_path / "r.html", task, records, {}))
        # Writing over an existing file gives the same mode (the rename replaces it).
        written.append(export.export(tmp_path / "r.csv", "csv", task, records))
    finally:
        os.umask(previous)
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask, path.name
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
