"""Owns the lock that gives one process at a time a run folder.

Two processes resuming one folder would each do every report left (records.jsonl then holds
each twice). The process that runs holds an OS file lock (filelock: flock on Unix, msvcrt on
Windows) on `.pluk-run.lock` from RunFolder.start to RunFolder.finish; the OS drops it when the
process dies, so a crash or kill never leaves a stale lock. The holder writes its pid beside it
so a refusal can say who holds the folder. `run_in_use` lets the window ask without running.
"""

from __future__ import annotations

import os
from pathlib import Path

from filelock import FileLock, Timeout

from pluk.core.errors import RunFolderError

LOCK_FILE = ".pluk-run.lock"
PID_FILE = ".pluk-run.pid"
# Long enough to ride out another process's run_in_use check, short enough not to look hung.
_WAIT_S = 1.0
_PROBE_WAIT_S = 0.2


def holder_pid(folder: str | Path) -> int | None:
    """The pid the holder wrote; None when unknown. Only meaningful while the lock is held."""
    try:
        return int((Path(folder) / PID_FILE).read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _in_use_message(folder: Path) -> str:
    pid = holder_pid(folder)
    who = ("a run of this Pluk process" if pid == os.getpid() else
           f"another Pluk process (pid {pid})" if pid else "another Pluk process")
    return (f"run folder {folder} is in use by {who}; wait for that run to finish or stop it, "
            "then try again")


class RunLock:
    """The lock of one run folder; `acquire` raises RunFolderError when another holds it."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        # thread_local=False: the window may start a run on one thread and finish it on another.
        self._lock = FileLock(str(self.folder / LOCK_FILE), timeout=_WAIT_S, thread_local=False)

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def acquire(self) -> None:
        try:
            self._lock.acquire()
        except Timeout:
            raise RunFolderError(_in_use_message(self.folder)) from None
        except OSError as exc:
            raise RunFolderError(f"Cannot lock the run folder {self.folder}: "
                                 f"{exc.strerror or exc}") from None
        try:
            (self.folder / PID_FILE).write_text(str(os.getpid()), encoding="ascii")
        except OSError:
            pass  # only the refusal message of another process loses its pid

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)


def run_in_use(folder: str | Path) -> bool:
    """True while a process (this one included) runs in `folder`: the window greys out Run and
    Resume for it. Never creates anything in a folder that holds no lock file."""
    path = Path(folder) / LOCK_FILE
    if not path.is_file():
        return False
    # A short wait, not none: another probe (the history panel asks on its own thread) holds
    # the lock for a moment too, and must not read as a run; a run holds it far longer.
    probe = FileLock(str(path), timeout=_PROBE_WAIT_S, thread_local=False)
    try:
        probe.acquire()
    except Timeout:
        return True
    except OSError:  # a folder this user cannot write to: no Pluk process of theirs runs there
        return False
    probe.release(force=True)
    return False
