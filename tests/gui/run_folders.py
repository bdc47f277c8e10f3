"""Run folders made without a model (a manifest and records, as a run leaves them), for tests of
what the window does with a stopped, interrupted or finished run."""

from __future__ import annotations

from pathlib import Path

from pluk.core.readers import read_inputs
from pluk.core.runs.folder import ModelFacts, RunFolder, RunManifest
from pluk.core.runs.records import Record
from pluk.core.tasks import task_sha256
from pluk.core.tasks.loader import parse_task
from tests.gui.conftest import TEST_TASK


def make_run(root: Path, name: str, reports_folder: Path, model: Path, *, done: int,
             status: str = "cancelled") -> Path:
    """A run of the GUI test task over `reports_folder` with `done` records written."""
    task = parse_task(TEST_TASK, "test")
    reports = read_inputs([str(reports_folder)])
    manifest = RunManifest(model=ModelFacts(path=str(model), sha256="0" * 64, size_bytes=1),
                           task=task.model_dump(mode="json"), task_sha256=task_sha256(task),
                           inputs=[str(reports_folder.resolve())])
    folder = RunFolder.start(root / name, manifest, resume=False)
    for report in reports[:done]:
        folder.append(Record(id=report.id, source=report.source, sha256=report.sha256,
                             status="ok", fields={"abnormal": True, "severity": "mild"}))
    if status == "running":
        _release(folder)
    else:
        folder.finish(status)
    return folder.path


def _release(folder: RunFolder) -> None:
    """Leave the manifest 'running' as a crash does; the OS would drop the lock with the
    process, so drop it here."""
    lock = getattr(folder, "_lock", None)
    if lock is not None:
        lock.release()
        folder._lock = None
