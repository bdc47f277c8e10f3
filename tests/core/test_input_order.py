"""Several reports at once finish out of order: records.jsonl is in order of completion, and
every reader (RunFolder.records(), the exports) gives them back in input order. A stopped run
with several reports at once keeps what finished, and its resumption duplicates nothing."""

from __future__ import annotations

import csv

from pluk.core.extraction.job import run_job, write_exports
from pluk.core.options import DecodingOptions, HardwareOptions, RunOptions
from pluk.core.readers.reports import Report
from pluk.core.runs.folder import RunFolder
from pluk.core.runs.records import Record
from pluk.core.tasks import load_task


def test_records_and_exports_follow_the_input_order_not_the_finishing_order(tmp_path):
    folder = RunFolder(tmp_path)
    for index in (2, 0, 3, 1):
        folder.append(Record(id=f"r{index}", source=f"{index}.txt", sha256="x", status="ok",
                             fields={"psa": float(index)}, input_index=index))
    ids = [r.id for r in folder.records()]
    assert ids == ["r0", "r1", "r2", "r3"]
    csv_file, *_ = write_exports(folder, load_task("prostate_mri_nl"))
    with csv_file.open(encoding="utf-8-sig", newline="") as fh:
        assert [row["id"] for row in csv.DictReader(fh)] == ids
    # Records of versions that did not write input_index keep the file's order.
    (tmp_path / "old").mkdir()
    old = RunFolder(tmp_path / "old")
    for name in ("b", "a"):
        old.append(Record(id=name, source="s", sha256="x", status="ok", fields={}))
    assert [r.id for r in old.records()] == ["b", "a"]


def _reports(n: int) -> list[Report]:
    # Answers of different lengths, so the three at once finish out of order.
    return [Report.from_text(id=f"r{i}", source="mem", format="txt",
                             text=f"PSA {i}. " + "Verslag. " * (i % 3 * 20)) for i in range(n)]


def test_three_at_once_keep_the_input_order_and_a_stopped_run_resumes_without_duplicates(
        tiny_model, tmp_path):
    options = RunOptions(hardware=HardwareOptions(parallel=3, n_threads=1),
                         decoding=DecodingOptions(probabilities=False))
    task, reports = load_task("prostate_mri_nl"), _reports(7)
    seen: list[Record] = []
    stopped = run_job(task, reports, tiny_model, tmp_path / "run", options,
                      on_record=seen.append, should_stop=lambda: len(seen) >= 2)
    assert stopped.status == "cancelled"
    folder = RunFolder(stopped.run_dir)
    assert 2 <= len(folder.records()) < 7
    manifest = folder.read_manifest()
    assert manifest.engine_facts["parallel"] == 3 and manifest.engine_facts["n_threads"] == 1

    resumed = run_job(task, reports, tiny_model, tmp_path / "run", options, resume=True)
    assert resumed.status == "finished"
    lines = folder.records_path.read_text(encoding="utf-8").splitlines()
    records = folder.records()
    assert len(lines) == len(records) == 7  # none done twice
    assert [r.id for r in records] == [r.id for r in reports]
    assert [r.input_index for r in records] == list(range(7))
    with (folder.path / "results.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert [row["id"] for row in csv.DictReader(fh)] == [r.id for r in reports]
