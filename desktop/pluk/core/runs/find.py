"""Finding previous runs and reading one back: the run folders under the runs folders, newest
first, the interrupted ones (a manifest still 'running' after Pluk stopped), and one run opened
again with its task and records.

Plain blocking calls: the GUI runs them off its thread, the CLI and tests call them directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from pluk.core.errors import RunFolderError
from pluk.core.runs.folder import MANIFEST, RunFolder, RunManifest
from pluk.core.runs.records import Record
from pluk.core.tasks.definition import TaskDefinition
from pluk.core.tasks.loader import parse_task


class FoundRun(BaseModel):
    """One run folder and its manifest."""

    model_config = ConfigDict(frozen=True)

    folder: Path
    manifest: RunManifest


class InterruptedRun(FoundRun):
    """A run whose manifest still says 'running': Pluk stopped in the middle of it."""

    records_written: int


class LoadedRun(BaseModel):
    """A previous run read back for review: its task (from the manifest) and its records."""

    folder: Path
    manifest: RunManifest
    task: TaskDefinition
    records: list[Record]


def find_runs(roots: Iterable[Path]) -> list[FoundRun]:
    """Every run folder directly under the roots, each once, newest first."""
    runs: list[FoundRun] = []
    seen: set[Path] = set()
    for root in map(Path, roots):
        if not root.is_dir():
            continue
        for manifest_path in root.glob(f"*/{MANIFEST}"):
            folder = manifest_path.parent.resolve()
            if folder in seen:
                continue
            seen.add(folder)
            try:
                runs.append(FoundRun(folder=folder, manifest=RunFolder(folder).read_manifest()))
            except RunFolderError:
                continue  # a damaged folder is not a run the user can open
    runs.sort(key=lambda run: run.manifest.started_at, reverse=True)
    return runs


def _lines_written(folder: RunFolder) -> int:
    if not folder.records_path.exists():
        return 0
    with folder.records_path.open(encoding="utf-8", errors="replace") as fh:
        return sum(1 for line in fh if line.strip())


def interrupted_runs(roots: Iterable[Path]) -> list[InterruptedRun]:
    """The runs still marked 'running', newest first, with the records they had written."""
    return [InterruptedRun(folder=run.folder, manifest=run.manifest,
                           records_written=_lines_written(RunFolder(run.folder)))
            for run in find_runs(roots) if run.manifest.status == "running"]


def load_run(run_dir: str | Path) -> LoadedRun:
    """Read a run folder back; RunFolderError or TaskError (both PlukError) when it cannot be."""
    folder = RunFolder(run_dir)
    manifest = folder.read_manifest()
    task = parse_task(manifest.task, str(folder.manifest_path))
    return LoadedRun(folder=folder.path, manifest=manifest, task=task, records=folder.records())
