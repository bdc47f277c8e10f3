"""A closed terminal (SIGHUP) stops `pluk extract` as Ctrl-C and SIGTERM do: after the current
step, with a cancelled manifest, its counts and the exports. `pluk export` of a run that did not
finish says so. The runs are real `pluk extract` processes on the tiny random model."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pluk.cli import main
from pluk.core.runs.folder import ModelFacts, RunFolder, RunManifest
from pluk.core.runs.records import Record
from pluk.core.tasks import load_task, task_sha256

REPO = Path(__file__).resolve().parents[1]
N_REPORTS = 300  # far more than a run gets through before it stops: the stop lands mid-run

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP here")


def _inputs(tmp_path: Path, n: int = N_REPORTS) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(n):
        (folder / f"r{i:02d}.txt").write_text(f"MRI prostaat {i}. PSA {i % 9 + 1} ng/ml.",
                                             encoding="utf-8")
    return folder


def _command(inputs: Path, model: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "pluk.cli", "extract", "--task", "prostate_mri_nl",
            "--input", str(inputs), "--model", str(model), "--out", str(out), "--threads", "1"]


def _hangups_on() -> None:
    """Run in the child: SIGHUP back to its default, whatever the suite was started under (a
    suite run under `nohup` passes SIGHUP on ignored, and Pluk rightly keeps an ignored hangup
    ignored, which the nohup test below checks on purpose)."""
    signal.signal(signal.SIGHUP, signal.SIG_DFL)


def _wait_for_a_record(out: Path, process: subprocess.Popen) -> None:
    """A wait for the other process, not a timing assertion: it only bounds a hung test."""
    records = out / "records.jsonl"
    deadline = time.monotonic() + 240
    while not (records.exists() and records.read_text(encoding="utf-8").count("\n") >= 1):
        if process.poll() is not None:
            pytest.fail(f"the run ended before its first record (exit {process.returncode})")
        if time.monotonic() > deadline:
            pytest.fail("gave up waiting for the first record")
        time.sleep(0.02)


def _check_stopped_cleanly(out: Path) -> dict:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "cancelled"
    counts = manifest["counts"]
    assert 1 <= counts["total"] < N_REPORTS, "the hangup must land mid-run"
    assert counts["total"] == len(RunFolder(out).records())
    for name in ("results.csv", "results.json", "results.xlsx"):
        assert (out / name).is_file(), name
    return manifest


def test_a_hangup_stops_the_run_like_sigterm_with_counts_and_exports(tmp_path, tiny_model):
    out = tmp_path / "run"
    process = subprocess.Popen(_command(_inputs(tmp_path), tiny_model, out), cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               preexec_fn=_hangups_on)
    try:
        _wait_for_a_record(out, process)
        process.send_signal(signal.SIGHUP)
        _, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err  # what SIGTERM and Ctrl-C give
    assert "stopping after the current step" in err
    _check_stopped_cleanly(out)


def _in_its_own_terminal() -> None:
    """Run in the child: a new session whose controlling terminal is stdin's pty, so that
    closing the other end hangs it up as closing a terminal window does."""
    import fcntl
    import termios

    _hangups_on()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_closing_the_terminal_stops_the_run_cleanly_although_it_can_no_longer_write(
        tmp_path, tiny_model):
    # After a real hangup every write to the terminal fails (EIO): the "stopping" line, the
    # progress bar and the summary must not turn the clean stop into a traceback.
    pty = pytest.importorskip("pty")
    out = tmp_path / "run"
    master, slave = pty.openpty()
    try:
        process = subprocess.Popen(
            _command(_inputs(tmp_path), tiny_model, out), cwd=REPO, stdin=slave,
            stdout=slave, stderr=slave, start_new_session=True,
            preexec_fn=_in_its_own_terminal)
    finally:
        os.close(slave)
    try:
        _wait_for_a_record(out, process)
        os.close(master)  # the terminal window closes: the kernel sends SIGHUP
        master = -1
        process.wait(timeout=300)
    finally:
        if master >= 0:
            os.close(master)
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    _check_stopped_cleanly(out)


def test_a_run_under_nohup_keeps_running_when_the_terminal_closes(tmp_path, tiny_model):
    out = tmp_path / "run"
    n = 8
    process = subprocess.Popen(
        _command(_inputs(tmp_path, n), tiny_model, out), cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))  # as nohup does
    try:
        _wait_for_a_record(out, process)
        process.send_signal(signal.SIGHUP)
        _, err = process.communicate(timeout=300)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "finished" and manifest["counts"]["total"] == n


# -- `pluk export` of a run that did not finish -------------------------------------------------

def _run_folder(out: Path, n_records: int, status: str) -> None:
    task = load_task("prostate_mri_nl")
    manifest = RunManifest(model=ModelFacts(path="m.gguf", sha256="0" * 64, size_bytes=1),
                           task=task.model_dump(mode="json"), task_sha256=task_sha256(task))
    folder = RunFolder.start(out, manifest, resume=False)
    for i in range(n_records):
        folder.append(Record(id=f"r{i}", source=f"r{i}.txt", sha256=f"{i:064d}",
                             status="ok", fields={"psa": 9.7}))
    folder.finish("cancelled" if status == "running" else status)
    if status == "running":  # what a killed process leaves: no final status, no counts
        path = out / "manifest.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data.update(status="running", counts={}, ended_at=None)
        path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize("status", ["running", "cancelled", "failed"])
def test_exporting_a_run_that_did_not_finish_says_so_and_still_writes(tmp_path, capsys,
                                                                      status):
    out = tmp_path / "run"
    _run_folder(out, 3, status)
    target = tmp_path / "export.csv"
    assert main(["export", str(out), "--out", str(target)]) == 0
    err = capsys.readouterr().err
    assert target.is_file()
    assert f"the run is incomplete (status {status}" in err, err
    assert "3 reports" in err and "--resume" in err
    if status == "running":
        assert "its process ended before it finished" in err


def test_exporting_a_finished_run_gives_no_warning(tmp_path, capsys):
    out = tmp_path / "run"
    _run_folder(out, 2, "finished")
    assert main(["export", str(out), "--out", str(tmp_path / "export.json")]) == 0
    assert "incomplete" not in capsys.readouterr().err


def test_exporting_a_run_another_process_still_runs_says_it_is_running(tmp_path, tiny_model,
                                                                       capsys):
    out = tmp_path / "run"
    process = subprocess.Popen(_command(_inputs(tmp_path), tiny_model, out), cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_a_record(out, process)
        process.send_signal(signal.SIGSTOP)  # frozen while it holds the run: no race with it
        try:
            assert main(["export", str(out), "--out", str(tmp_path / "now.csv")]) == 0
        finally:
            process.send_signal(signal.SIGCONT)
    finally:
        process.kill()
        process.wait()
    err = capsys.readouterr().err
    assert "the run is incomplete (status running" in err and "still running" in err, err
