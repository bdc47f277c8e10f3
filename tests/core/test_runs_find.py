"""Finding previous runs and reading one back: typed results, newest first, each folder once,
damaged folders left out, interrupted runs with what they wrote, a clear error for a non-run."""

from __future__ import annotations

import json

import pytest

from pluk.core.errors import PlukError
from pluk.core.runs.find import (
    FoundRun, InterruptedRun, LoadedRun, find_runs, interrupted_runs, load_run,
)
from pluk.core.runs.folder import ModelFacts, RunFolder, RunManifest
from pluk.core.runs.records import Record
from pluk.core.tasks import task_sha256
from pluk.core.tasks.loader import parse_task

TASK = {"id": "find_demo", "title": "Find demo", "description": "Whether it is abnormal.",
        "language": "en", "fields": [{"name": "abnormal", "type": "bool"}]}


def make_run(path, started_at: str, status: str = "finished", records: int = 2) -> RunFolder:
    task = parse_task(TASK, "demo.json")
    manifest = RunManifest(
        model=ModelFacts(path="/models/tiny.gguf", sha256="ab" * 32, size_bytes=1),
        task=task.model_dump(mode="json"), task_sha256=task_sha256(task),
        started_at=started_at, status=status, inputs=["/reports"])
    folder = RunFolder.start(path, manifest, resume=False)
    for n in range(records):
        folder.append(Record(id=f"r{n}", source="x", sha256="0" * 64, status="ok",
                             fields={"abnormal": n % 2 == 0}))
    return folder


def test_runs_are_found_newest_first_once_each_and_damaged_ones_left_out(tmp_path):
    root, other = tmp_path / "runs", tmp_path / "elsewhere"
    make_run(root / "old", "2024-01-01T10:00:00+00:00")
    make_run(root / "new", "2024-03-01T10:00:00+00:00")
    make_run(other / "middle", "2024-02-01T10:00:00+00:00")
    (root / "broken").mkdir()
    (root / "broken" / "manifest.json").write_text("{not json", encoding="utf-8")
    (root / "not_a_run").mkdir()

    runs = find_runs([root, other, root, tmp_path / "missing"])
    assert all(isinstance(run, FoundRun) for run in runs)
    assert [run.folder.name for run in runs] == ["new", "middle", "old"]
    assert runs[0].folder == (root / "new").resolve()
    assert runs[0].manifest.task["title"] == "Find demo"
    assert find_runs([]) == []


def test_interrupted_runs_say_how_many_records_they_wrote(tmp_path):
    root = tmp_path / "runs"
    make_run(root / "done", "2024-01-01T10:00:00+00:00")
    make_run(root / "crashed", "2024-02-01T10:00:00+00:00", status="running", records=3)
    make_run(root / "crashed_early", "2024-03-01T10:00:00+00:00", status="running",
             records=0)
    runs = interrupted_runs([root])
    assert all(isinstance(run, InterruptedRun) for run in runs)
    assert [(run.folder.name, run.records_written) for run in runs] == [
        ("crashed_early", 0), ("crashed", 3)]


def test_a_run_is_read_back_with_its_task_and_records(tmp_path):
    folder = make_run(tmp_path / "run", "2024-01-01T10:00:00+00:00", records=3)
    run = load_run(folder.path)
    assert isinstance(run, LoadedRun)
    assert run.task.id == "find_demo" and [f.name for f in run.task.fields] == ["abnormal"]
    assert [r.id for r in run.records] == ["r0", "r1", "r2"]
    assert run.manifest.inputs == ["/reports"]
    # Plain data: it survives a JSON round trip, as everything crossing a boundary should.
    assert LoadedRun.model_validate_json(run.model_dump_json()) == run


def test_a_folder_that_is_no_run_or_holds_a_bad_task_is_a_clear_error(tmp_path):
    with pytest.raises(PlukError, match="is not a run folder"):
        load_run(tmp_path)
    folder = make_run(tmp_path / "run", "2024-01-01T10:00:00+00:00")
    manifest = json.loads(folder.manifest_path.read_text(encoding="utf-8"))
    manifest["task"]["fields"][0]["type"] = "colour"
    folder.manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(PlukError, match="manifest.json"):
        load_run(folder.path)
