"""One process at a time runs in a run folder: two `--resume`s of one folder did every report
twice. The lock is an OS file lock, held from RunFolder.start to finish and dropped by the OS
when its process dies; the tests use real processes (the CLI in a subprocess)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pluk import cli
from pluk.core.errors import RunFolderError
from pluk.core.runs.folder import RunFolder, RunManifest, run_in_use
from pluk.core.runs.folder import ModelFacts

REPO = Path(__file__).resolve().parents[2]
N_REPORTS = 40


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(N_REPORTS):
        (folder / f"r{i:02d}.txt").write_text(f"PSA {i} ng/ml.", encoding="utf-8")
    return folder


def _extract_args(inputs: Path, model: Path, out: Path) -> list[str]:
    return ["extract", "--task", "prostate_mri_nl", "--input", str(inputs), "--model",
            str(model), "--out", str(out), "--threads", "1"]


def _wait_until(condition, process: subprocess.Popen, what: str) -> None:
    """A wait for another process, not a timing assertion: it only bounds a hung test."""
    deadline = time.monotonic() + 120
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the first run ended before {what}: {process.stderr.read()}")
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.02)


def _manifest() -> RunManifest:
    return RunManifest(model=ModelFacts(path="m.gguf", sha256="0" * 64, size_bytes=1),
                       task={}, task_sha256="t")


def test_a_second_process_is_refused_while_the_cli_runs_and_no_report_runs_twice(
        tmp_path, tiny_model, capsys):
    inputs, out = _inputs(tmp_path), tmp_path / "run"
    first = subprocess.Popen([sys.executable, "-m", "pluk.cli", *_extract_args(
        inputs, tiny_model, out)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)
    try:
        _wait_until(lambda: run_in_use(out), first, "it held the run folder")
        first.send_signal(signal.SIGSTOP)  # frozen while it holds the lock: no race with it
        try:
            assert run_in_use(out)
            code = cli.main([*_extract_args(inputs, tiny_model, out), "--resume"])
        finally:
            first.send_signal(signal.SIGCONT)
        err = capsys.readouterr().err
        assert code == 2
        assert (f"run folder {out} is in use by another Pluk process (pid {first.pid})"
                in err)
        assert first.wait(timeout=600) == 0, first.stderr.read()
    finally:
        if first.poll() is None:
            first.kill()
    assert not run_in_use(out)
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == N_REPORTS
    assert len({json.loads(line)["id"] for line in lines}) == N_REPORTS


def test_a_killed_holder_leaves_no_stale_lock(tmp_path, tiny_model):
    inputs, out = _inputs(tmp_path), tmp_path / "run"
    first = subprocess.Popen([sys.executable, "-m", "pluk.cli", *_extract_args(
        inputs, tiny_model, out)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)
    try:
        _wait_until(lambda: run_in_use(out), first, "it held the run folder")
    finally:
        first.kill()
        first.wait()
    assert not run_in_use(out)  # the OS dropped the lock with the process
    assert cli.main([*_extract_args(inputs, tiny_model, out), "--resume"]) == 0
    records = RunFolder(out).records()
    assert len(records) == N_REPORTS


def test_the_window_can_ask_whether_a_run_holds_a_folder(tmp_path):
    out = tmp_path / "run"
    assert not run_in_use(out) and not run_in_use(tmp_path)
    folder = RunFolder.start(out, _manifest(), resume=False)
    assert run_in_use(out)  # also from this very process, as the window's own run
    with pytest.raises(RunFolderError, match="in use by a run of this Pluk process"):
        RunFolder.start(out, _manifest(), resume=True)
    folder.finish("finished")
    assert not run_in_use(out)
    again = RunFolder.start(out, _manifest(), resume=True)
    again.finish("finished")
    assert os.listdir(out) and not run_in_use(out)


def test_a_refused_start_gives_the_folder_back(tmp_path):
    out = tmp_path / "run"
    RunFolder.start(out, _manifest(), resume=False).finish("finished")
    with pytest.raises(RunFolderError, match="already holds a run"):
        RunFolder.start(out, _manifest(), resume=False)
    assert not run_in_use(out)


def test_a_probe_that_meets_another_probe_does_not_read_as_a_run(tmp_path):
    # The history panel probes each run's lock on its own thread while the window probes the
    # open run: a moment's hold by one probe is not a run holding the folder.
    import threading

    from filelock import FileLock

    from pluk.core.runs.lock import LOCK_FILE

    other = FileLock(str(tmp_path / LOCK_FILE), thread_local=False)
    other.acquire()
    threading.Timer(0.05, other.release).start()
    assert not run_in_use(tmp_path)
    other.acquire()  # held for good, as a run holds it
    try:
        assert run_in_use(tmp_path)
    finally:
        other.release()
