"""The run folder: manifest.json (what ran, with what, when, and how it went) and
records.jsonl (one record per line, appended and flushed as each report finishes).

A crash or kill loses at most the report in progress. Resuming checks that everything that
makes the answers (task, model sha256, temperature, seed, chat template) is the very same,
records what else changed (threads, context, time limit) in `resumptions`, and skips every
report whose id and text hash already have a record, so a resumed run never duplicates one.
A retried report (`retry_errors`) gets a new record after its old one: the file stays
append-only and readers take the latest record per report. One process at a time runs in a
folder (runs/lock.py), and a full disk is one clear error that a later --resume recovers from.

Reading records.jsonl never drops a record that was written. Only a torn tail is crash damage:
the last line without its newline (a write the crash cut off; the newline is the last byte
written, so a reader during a run sees nothing else), and lines holding NUL bytes (blocks a
power loss left zeroed; JSON escapes a NUL, so no record has one). It is left out, and
--resume cuts it and redoes its reports; a last line that is a whole record and lost only its
newline is kept, and --resume gives it one. Crash damage with an intact record after it, and
any complete line that does not validate as a Record (wherever it is), are RunFolderError
naming the line: every reader (exports, the run's own count, the window, review) and --resume
refuse the folder, and nothing is skipped or cut, until the user corrects or deletes the line.
"""

from __future__ import annotations

import errno
import json
import os
from datetime import datetime, timezone
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from pluk import __version__
from pluk.core.errors import RunFolderError, storage_error
# run_in_use is here too: a run folder's reader asks the folder module whether a run holds it.
from pluk.core.runs.lock import RunLock, run_in_use  # noqa: F401
from pluk.core.runs.records import STATUSES, Record
from pluk.core.runs.resume import answer_differences, changed_options
from pluk.core.readers.reports import Report

MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
RunStatus = Literal["running", "finished", "cancelled", "failed"]
# What a user does about a failed write of the run folder: nothing written is lost.
_RESUME_ADVICE = "free some space, then run it again with --resume to continue"


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


class Resumption(BaseModel):
    """One --resume of a run: when, and the options that differ from the run before it."""

    at: str = Field(default_factory=now_iso)
    changed: dict[str, dict[str, Any]] = {}  # "hardware.n_threads": {"before": 2, "after": 4}
    retry_errors: bool = False


class RunManifest(BaseModel):
    manifest_version: int = 1
    app: dict[str, str] = Field(default_factory=lambda: {"name": "pluk", "version": __version__})
    engine: dict[str, str] = {}
    # What the engine that answered says of itself (engine.protocol.EngineFacts: its kind,
    # context, parallel reports, threads, grammar engine); written once it is loaded.
    engine_facts: dict[str, Any] | None = None
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
    resumptions: list[Resumption] = []
    status: RunStatus = "running"
    counts: dict[str, int] = {}


def _write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Replace `path` whole or not at all; a failed write (a full disk) leaves no temp file."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise storage_error(exc, f"cannot write {path}", _RESUME_ADVICE) from None


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
        try:
            (path / ".pluk-write-test").unlink(missing_ok=True)  # a full disk leaves it empty
        except OSError:
            pass
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise storage_error(exc, f"cannot write to the output folder {path}") from None
        raise RunFolderError(f"Cannot write to the output folder {path}: "
                             f"{exc.strerror or exc}") from None


def reports_to_read(out_dir: str | Path, limit: int | None, resume: bool,
                    retry_errors: bool = False) -> int | None:
    """How many reports the readers must give (ReadLimits.max_reports) so that a run with
    `limit` takes the very reports a full read would give it: the limit, plus the reports a
    resumed run skips as done (each done key matches at most one report). None: read all."""
    if limit is None or limit < 0:  # a negative limit is the run options' to refuse
        return None
    folder = RunFolder(out_dir)
    done = (len(folder.done_keys(retry_errors=retry_errors))
            if resume and folder.records_path.exists() else 0)
    return limit + done


class RunFolder:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock: RunLock | None = None  # held from start() to finish()

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def records_path(self) -> Path:
        return self.path / RECORDS

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def start(cls, path: str | Path, manifest: RunManifest, *, resume: bool,
              retry_errors: bool = False) -> "RunFolder":
        """Create a new run folder, or reopen one for resuming after checking it matches; the
        folder is this process's until finish(). `retry_errors` (with resume) redoes the
        reports whose record is an error."""
        folder = cls(path)
        check_writable(folder.path)
        folder._lock = RunLock(folder.path)
        folder._lock.acquire()
        try:
            folder._open(manifest, resume=resume, retry_errors=retry_errors)
        except BaseException:
            folder._release()
            raise
        return folder

    def _open(self, manifest: RunManifest, *, resume: bool, retry_errors: bool) -> None:
        exists = self.manifest_path.exists()
        if exists and not resume:
            raise RunFolderError(f"{self.path} already holds a run; use --resume to continue "
                                 "it, or choose another output folder")
        if exists:
            old = self.read_manifest()
            differs = answer_differences(old, manifest)
            if differs:
                raise RunFolderError(
                    f"Cannot resume {self.path}: {'; '.join(differs)}. These change the answers:"
                    " resume with the run's own settings, or choose another output folder")
            options = dict(manifest.options)
            if "context_plan" in old.options and "context_plan" not in options:
                options["context_plan"] = old.options["context_plan"]
            at = now_iso()
            resumption = Resumption(at=at, changed=changed_options(old, manifest),
                                    retry_errors=retry_errors)
            manifest = manifest.model_copy(update={
                "started_at": old.started_at, "options": options,
                "resumed_at": [*old.resumed_at, at],
                "resumptions": [*old.resumptions, resumption]})
            self._drop_damaged_tail()
        elif any(self.path.iterdir()) and self.records_path.exists():
            raise RunFolderError(f"{self.path} holds records but no manifest; choose another "
                                 "output folder")
        self.write_manifest(manifest)

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

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
        last block never reached the disk); those reports are redone, so cut it off. A last
        record that lost only its newline gets one, so the next record starts a line of its
        own. A complete line that does not validate is RunFolderError (from _scan): cut
        nothing."""
        if self.records_path.exists():
            _records, end = self._scan()
            with self.records_path.open("r+b") as fh:
                if end < self.records_path.stat().st_size:
                    fh.truncate(end)
                if end:
                    fh.seek(end - 1)
                    if fh.read(1) != b"\n":
                        fh.write(b"\n")
                        fh.flush()
                        os.fsync(fh.fileno())

    def append(self, record: Record) -> None:
        line = record.model_dump_json() + "\n"
        size = self.records_path.stat().st_size if self.records_path.exists() else 0
        try:
            with self.records_path.open("a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            try:  # leave no torn line behind; a resume would cut it off anyway
                os.truncate(self.records_path, size)
            except OSError:
                pass
            raise storage_error(exc, f"cannot write {self.records_path}", _RESUME_ADVICE) \
                from None

    def records(self) -> list[Record]:
        """Every record, the latest one per report id (a retried report's new record
        supersedes its old one), in the order of the inputs (their input_index, or the order
        first seen for records of versions that did not write it). A torn tail (torn or
        zeroed lines after the last intact record) is left out: resume redoes it. A complete
        line that does not validate is RunFolderError (see the module's docstring)."""
        latest: dict[str, Record] = {}
        for record in self._scan()[0]:
            latest[record.id] = record  # an update keeps the id's first position
        records = list(latest.values())
        if all(r.input_index is not None for r in records):
            # Reports decoded together finish out of order: give them back in input order.
            records.sort(key=lambda r: r.input_index)
        return records

    def _scan(self) -> tuple[list[Record], int]:
        """The intact records in file order and the byte offset just after the last of them.
        Crash damage followed by an intact record is no torn tail but damage inside, and a
        complete line that does not validate was written whole: RunFolderError for both, which
        says how to recover."""
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
                torn = b"\x00" in line or not line.endswith(b"\n")
                try:
                    if b"\x00" in line:
                        raise ValueError("NUL bytes, as a crash leaves")
                    record = Record.model_validate_json(line)
                except (ValidationError, ValueError) as exc:
                    why = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else str(exc)
                    if not torn:
                        raise RunFolderError(
                            f"{self.records_path}, line {number}, does not validate as a record "
                            f"({why}); it was written whole, so Pluk neither skips nor cuts it: "
                            f"correct it, or delete line {number} from the file and --resume "
                            "redoes its report") from None
                    damage = damage or (number, "the line is cut off"
                                        if not line.endswith(b"\n") else why)
                    continue
                if damage:
                    raise RunFolderError(
                        f"{self.records_path}, line {damage[0]}, is damaged ({damage[1]}) and "
                        f"intact records follow it; to recover, delete line {damage[0]} from "
                        "the file: --resume redoes its report")
                records.append(record)
                end = offset
        return records, end

    def done_keys(self, *, retry_errors: bool = False) -> set[tuple[str, str]]:
        """(id, sha256) of the reports with a record; with retry_errors, not of error ones."""
        return {(r.id, r.sha256) for r in self.records()
                if not (retry_errors and r.status == "error")}

    def already_done(self, *, retry_errors: bool = False) -> Callable[[Report], bool]:
        """A skip test for run_extraction: true for reports this folder has a record of (with
        retry_errors: a record that is not an error)."""
        done = self.done_keys(retry_errors=retry_errors)
        return lambda report: (report.id, report.sha256) in done

    def finish(self, status: RunStatus) -> RunManifest:
        """Write the final status and counts, and give the folder up (also when that fails)."""
        try:
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
        finally:
            self._release()
