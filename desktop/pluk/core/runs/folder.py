"""The run folder: manifest.json (what ran, with what, when, and how it went) and
records.jsonl (one record per line, appended and flushed as each report finishes).

A crash or kill loses at most the report in progress. Resuming checks that the task and the
model are the very same (by sha256) and skips every report whose id and text hash already have
a record, so a resumed run never duplicates one.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from pluk import __version__
from pluk.core.errors import RunFolderError
from pluk.core.runs.records import STATUSES, Record
from pluk.core.readers.reports import Report

MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
RunStatus = Literal["running", "finished", "cancelled", "failed"]


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class TemplateFacts(BaseModel):
    """What a run manifest records so the prompt can be rebuilt exactly."""

    source: Literal["model", "fallback"]  # the model's own template, or Pluk's fallback
    sha256: str  # of the template text that was rendered
    system_folded: bool = False  # instructions moved into the first user message


class ModelFacts(BaseModel):
    path: str
    sha256: str
    size_bytes: int
    metadata: dict[str, Any] = {}


class RunManifest(BaseModel):
    manifest_version: int = 1
    app: dict[str, str] = Field(default_factory=lambda: {"name": "pluk", "version": __version__})
    engine: dict[str, str] = {}
    model: ModelFacts
    task: dict[str, Any]
    task_sha256: str
    # Which chat template rendered the prompt (the model's or Pluk's fallback), its sha256,
    # and whether the instructions were folded into the user message; None until known.
    chat_template: TemplateFacts | None = None
    options: dict[str, Any] = {}
    inputs: list[str] = []
    started_at: str = Field(default_factory=now_iso)
    ended_at: str | None = None
    resumed_at: list[str] = []
    status: RunStatus = "running"
    counts: dict[str, int] = {}


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def check_writable(path: Path) -> None:
    """Create the folder if needed and prove a file can be written in it; RunFolderError if not.
    Called before slow steps (hashing a model) so a bad --out fails at once."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise RunFolderError(f"Cannot write to the output folder {path}: it is a file")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".pluk-write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise RunFolderError(f"Cannot write to the output folder {path}: "
                             f"{exc.strerror or exc}") from None


def reports_to_read(out_dir: str | Path, limit: int | None, resume: bool) -> int | None:
    """How many reports the readers must give (ReadLimits.max_reports) so that a run with
    `limit` takes the very reports a full read would give it: the limit, plus the reports a
    resumed run skips as done (each done key matches at most one report). None: read all."""
    if limit is None or limit < 0:  # a negative limit is the run options' to refuse
        return None
    folder = RunFolder(out_dir)
    done = len(folder.done_keys()) if resume and folder.records_path.exists() else 0
    return limit + done


class RunFolder:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def records_path(self) -> Path:
        return self.path / RECORDS

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def start(cls, path: str | Path, manifest: RunManifest, *, resume: bool) -> "RunFolder":
        """Create a new run folder, or reopen one for resuming after checking it matches."""
        folder = cls(path)
        check_writable(folder.path)
        exists = folder.manifest_path.exists()
        if exists and not resume:
            raise RunFolderError(f"{folder.path} already holds a run; use --resume to continue "
                                 "it, or choose another output folder")
        if exists:
            old = folder.read_manifest()
            if old.task_sha256 != manifest.task_sha256:
                raise RunFolderError("Cannot resume: this run folder was made with a different "
                                     "task definition")
            if old.model.sha256 != manifest.model.sha256:
                raise RunFolderError("Cannot resume: this run folder was made with a different "
                                     "model file")
            manifest = manifest.model_copy(update={
                "started_at": old.started_at, "resumed_at": [*old.resumed_at, now_iso()]})
            folder._drop_damaged_tail()
        elif any(folder.path.iterdir()) and folder.records_path.exists():
            raise RunFolderError(f"{folder.path} holds records but no manifest; choose another "
                                 "output folder")
        folder.write_manifest(manifest)
        return folder

    def read_manifest(self) -> RunManifest:
        try:
            return RunManifest.model_validate_json(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise RunFolderError(f"{self.path} is not a run folder (no {MANIFEST})") from None
        except (ValidationError, ValueError) as exc:
            raise RunFolderError(f"{self.manifest_path} is damaged: {exc}") from None

    def write_manifest(self, manifest: RunManifest) -> None:
        _write_json_atomic(self.manifest_path, manifest.model_dump(mode="json"))

    # -- records ---------------------------------------------------------------------------

    def _drop_damaged_tail(self) -> None:
        """A kill or power loss can leave the end of the file torn or zeroed (the file grew, its
        last block never reached the disk); those reports are redone, so cut it off."""
        if self.records_path.exists():
            _records, end = self._scan()
            if end < self.records_path.stat().st_size:
                with self.records_path.open("r+b") as fh:
                    fh.truncate(end)

    def append(self, record: Record) -> None:
        line = record.model_dump_json() + "\n"
        with self.records_path.open("a", encoding="utf-8") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())

    def records(self) -> list[Record]:
        """Every record, the latest one per report id, in first-seen order. A damaged tail
        (torn or zeroed lines after the last intact record) is left out: resume redoes it."""
        latest: dict[str, Record] = {}
        for record in self._scan()[0]:
            latest.pop(record.id, None)
            latest[record.id] = record
        return list(latest.values())

    def _scan(self) -> tuple[list[Record], int]:
        """The intact records in file order and the byte offset just after the last of them.
        Damage followed by an intact record is no torn tail but damage inside: RunFolderError,
        which says how to recover."""
        records: list[Record] = []
        end = 0
        damage: tuple[int, str] | None = None  # the first damaged line since the last intact one
        if not self.records_path.exists():
            return records, end
        offset = 0
        with self.records_path.open("rb") as fh:
            for number, line in enumerate(fh, start=1):
                offset += len(line)
                if not line.strip():
                    continue
                try:
                    if not line.endswith(b"\n"):
                        raise ValueError("the line is cut off")
                    record = Record.model_validate_json(line)
                except (ValidationError, ValueError) as exc:
                    why = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
                    damage = damage or (number, why)
                    continue
                if damage:
                    raise RunFolderError(
                        f"{self.records_path}, line {damage[0]}, is damaged ({damage[1]}) and "
                        f"intact records follow it; to recover, delete line {damage[0]} from "
                        "the file: --resume redoes its report")
                records.append(record)
                end = offset
        return records, end

    def done_keys(self) -> set[tuple[str, str]]:
        return {(r.id, r.sha256) for r in self.records()}

    def already_done(self) -> Callable[[Report], bool]:
        """A skip test for run_extraction: true for reports this folder has a record of."""
        done = self.done_keys()
        return lambda report: (report.id, report.sha256) in done

    def finish(self, status: RunStatus) -> RunManifest:
        manifest = self.read_manifest()
        counts = {s: 0 for s in STATUSES}
        records = self.records()
        for record in records:
            counts[record.status] += 1
        counts["total"] = len(records)
        manifest = manifest.model_copy(update={"status": status, "ended_at": now_iso(),
                                               "counts": counts})
        self.write_manifest(manifest)
        return manifest
