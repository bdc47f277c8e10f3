"""A full or read-only disk is one clear error, leaves no temp file, and loses nothing: the run
continues with --resume once there is space. The real-disk tests mount a tiny tmpfs (root
only); their twins make the writes fail with OSError(ENOSPC), which is what a full disk raises,
so the behaviour is checked everywhere."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from pluk import cli
from pluk.core.errors import StorageError
from pluk.core.extraction.job import run_job
from pluk.core.options import DecodingOptions, HardwareOptions, RunOptions
from pluk.core.readers.reports import Report
from pluk.core.runs import export
from pluk.core.runs.folder import RunFolder
from pluk.core.tasks import load_task
from tests.support.small_disk import mount_tmpfs, resize_tmpfs

N_REPORTS = 40


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(N_REPORTS):
        (folder / f"r{i:02d}.txt").write_text(f"PSA {i} ng/ml, volume {i + 20} ml.",
                                              encoding="utf-8")
    return folder


def _extract(inputs: Path, model: Path, out: Path, *extra: str) -> int:
    return cli.main(["extract", "--task", "prostate_mri_nl", "--input", str(inputs), "--model",
                     str(model), "--out", str(out), "--threads", "1", *extra])


def _one_error_line(err: str) -> str:
    errors = [line for line in err.splitlines() if line.startswith("pluk: error:")]
    assert len(errors) == 1 and "Traceback" not in err, err
    return errors[0]


def _temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp") or ".part" in p.name]


def _check_resumed(inputs: Path, model: Path, out: Path) -> None:
    assert _extract(inputs, model, out, "--resume") == 0
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == N_REPORTS
    assert len({json.loads(line)["id"] for line in lines}) == N_REPORTS
    assert RunFolder(out).read_manifest().status == "finished"
    assert (out / "results.csv").is_file() and not _temp_files(out)


def test_a_run_on_a_real_full_disk_stops_with_one_error_and_resumes(tmp_path, tiny_model,
                                                                     capsys):
    inputs = _inputs(tmp_path)
    with mount_tmpfs(tmp_path / "disk", 24) as disk:
        out = disk / "run"
        assert _extract(inputs, tiny_model, out) == 2
        error = _one_error_line(capsys.readouterr().err)
        assert error.startswith("pluk: error: the disk is full: cannot write")
        assert "--resume" in error
        assert not _temp_files(out)
        assert 0 < len(RunFolder(out).records()) < N_REPORTS
        resize_tmpfs(disk, 4096)  # space freed
        _check_resumed(inputs, tiny_model, out)


class _FullDisk:
    """Writes of the run folder fail as on a full disk once `full` is set: a new file is
    created empty and its write fails, a flush to disk fails."""

    def __init__(self, monkeypatch, folder: Path):
        self.full = False
        write_text, fsync = Path.write_text, os.fsync

        def full_write_text(path: Path, *args, **kwargs):
            if self.full and folder in path.parents:
                path.open("w").close()
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
            return write_text(path, *args, **kwargs)

        def full_fsync(fd):
            if self.full:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return fsync(fd)

        monkeypatch.setattr(Path, "write_text", full_write_text)
        monkeypatch.setattr(os, "fsync", full_fsync)


def test_a_run_whose_disk_fills_stops_with_one_error_and_resumes(tmp_path, tiny_model, capsys,
                                                                  monkeypatch):
    """The twin of the real full disk, for machines that cannot mount one."""
    inputs, out = _inputs(tmp_path), tmp_path / "run"
    disk = _FullDisk(monkeypatch, tmp_path)
    real_append = RunFolder.append

    def append(folder, record):
        if len(folder.records()) == 5:
            disk.full = True
        real_append(folder, record)

    monkeypatch.setattr(RunFolder, "append", append)
    assert _extract(inputs, tiny_model, out) == 2
    error = _one_error_line(capsys.readouterr().err)
    assert error.startswith("pluk: error: the disk is full: cannot write")
    assert not _temp_files(out)
    assert len(RunFolder(out).records()) == 5
    disk.full = False
    monkeypatch.setattr(RunFolder, "append", real_append)
    _check_resumed(inputs, tiny_model, out)


def test_an_export_that_fails_makes_the_run_failed(tmp_path, tiny_model, monkeypatch):
    def full(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(export, "write_xlsx", full)
    reports = [Report.from_text(id="a", source="mem", format="txt", text="PSA 4.")]
    with pytest.raises(StorageError, match="the disk is full: cannot write the exports"):
        run_job(load_task("prostate_mri_nl"), reports, tiny_model, tmp_path / "run",
                RunOptions(hardware=HardwareOptions(n_threads=1),
                           decoding=DecodingOptions(probabilities=False)))
    manifest = RunFolder(tmp_path / "run").read_manifest()
    assert manifest.status == "failed" and manifest.counts["total"] == 1


def test_an_export_that_succeeds_is_complete_before_the_run_says_finished(tmp_path, tiny_model,
                                                                        monkeypatch):
    seen: list[str] = []
    real_finish = RunFolder.finish

    def finish(folder, status):
        seen.append(str(sorted(p.name for p in folder.path.glob("results.*"))))
        return real_finish(folder, status)

    monkeypatch.setattr(RunFolder, "finish", finish)
    reports = [Report.from_text(id="a", source="mem", format="txt", text="PSA 4.")]
    result = run_job(load_task("prostate_mri_nl"), reports, tiny_model, tmp_path / "run",
                     RunOptions(hardware=HardwareOptions(n_threads=1),
                                decoding=DecodingOptions(probabilities=False)))
    assert result.status == "finished"
    assert seen == [str(["results.csv", "results.json", "results.xlsx"])]


def test_importing_a_model_onto_a_real_full_disk_is_one_clear_error(tmp_path, tiny_model,
                                                                     capsys, monkeypatch):
    with mount_tmpfs(tmp_path / "home", 64) as home:
        monkeypatch.setenv("PLUK_HOME", str(home))
        assert cli.main(["models", "import", str(tiny_model)]) == 2
        error = _one_error_line(capsys.readouterr().err)
        assert error.startswith("pluk: error: the disk is full: cannot copy tiny.gguf into "
                                "the models folder")
        assert "--in-place" in error
        leftovers = [p for p in (home / "models").rglob("*") if p.is_file()]
        assert not leftovers


def test_importing_a_model_when_the_disk_fills_is_one_clear_error(tmp_path, tiny_model, capsys,
                                                                   monkeypatch):
    """The twin of the real full disk: the copy's writes fail with ENOSPC."""
    from pluk.core.models import transfer

    monkeypatch.setenv("PLUK_HOME", str(tmp_path / "home"))
    real_fsync = os.fsync

    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(transfer.os, "fsync", full)
    assert cli.main(["models", "import", str(tiny_model)]) == 2
    monkeypatch.setattr(transfer.os, "fsync", real_fsync)
    error = _one_error_line(capsys.readouterr().err)
    assert error.startswith("pluk: error: the disk is full: cannot copy tiny.gguf")
    assert not [p for p in (tmp_path / "home").rglob("*.part")]


def _finished_run(tmp_path: Path, model: Path) -> Path:
    reports = [Report.from_text(id="a", source="mem", format="txt", text="PSA 4.")]
    run_job(load_task("prostate_mri_nl"), reports, model, tmp_path / "run",
            RunOptions(hardware=HardwareOptions(n_threads=1),
                       decoding=DecodingOptions(probabilities=False)))
    return tmp_path / "run"


def test_exporting_into_a_read_only_folder_is_one_clear_error(tmp_path, tiny_model, capsys):
    run = _finished_run(tmp_path, tiny_model)
    with mount_tmpfs(tmp_path / "ro", 64, read_only=True) as ro:
        for fmt in ("csv", "xlsx", "html"):
            target = ro / f"out.{fmt}"
            assert cli.main(["export", str(run), "--format", fmt, "--out", str(target)]) == 2
            error = _one_error_line(capsys.readouterr().err)
            assert error == (f"pluk: error: cannot write {target}: the disk or folder is "
                             "read-only")


def test_exporting_into_a_folder_that_refuses_writes_is_one_clear_error(tmp_path, tiny_model,
                                                                        capsys, monkeypatch):
    """The twin of the read-only disk: the export's writes fail with EROFS."""
    import tempfile

    run = _finished_run(tmp_path, tiny_model)
    target = tmp_path / "out.csv"

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(target.parent))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    assert cli.main(["export", str(run), "--format", "csv", "--out", str(target)]) == 2
    error = _one_error_line(capsys.readouterr().err)
    assert error == f"pluk: error: cannot write {target}: the disk or folder is read-only"


def test_a_cache_that_cannot_be_written_costs_nothing_but_time(tmp_path, tiny_model,
                                                               monkeypatch):
    """The sha256 and load-probe caches live on the user's disk, which may be the full one."""
    from pluk.core.models import load_probe
    from pluk.core.models.gguf_info import _cache_file, file_sha256

    monkeypatch.setenv("PLUK_HOME", str(tmp_path / "home"))
    _FullDisk(monkeypatch, tmp_path).full = True
    copy = tmp_path / "model.gguf"
    copy.write_bytes(tiny_model.read_bytes())
    assert len(file_sha256(copy)) == 64
    assert not load_probe.probe_load(copy).crashes
    for cache in (_cache_file(), load_probe._cache_file()):
        assert not [p for p in cache.parent.iterdir() if p.suffix == ".tmp"]
