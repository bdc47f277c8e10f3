"""`pluk models ...` and `pluk hardware` through their argparse wiring (cli.py not needed)."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from pluk.commands import models as models_command
from pluk.core.errors import PlukError
from pluk.core.models import store

from .fake_hub import FakeHub


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="pluk")
    models_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_list_json(capsys):
    assert run("models", "list", "--json", "--ctx", "4096") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_ctx"] == 4096 and data["installed"] == []
    default = next(m for m in data["catalogue"] if m["default"])
    assert default["advice"]["verdict"] in {"fits", "tight", "does_not_fit", "unknown"}


def test_import_verify_pack_remove(tiny_gguf, tmp_path, capsys):
    assert run("models", "import", str(tiny_gguf)) == 0
    assert "Installed tiny-model" in capsys.readouterr().out
    assert run("models", "list") == 0
    assert "tiny-model" in capsys.readouterr().out
    assert run("models", "verify") == 0
    assert "ok     tiny-model" in capsys.readouterr().out
    assert run("models", "export-pack", "tiny-model", str(tmp_path / "pack")) == 0
    assert run("models", "remove", "tiny-model") == 0
    assert run("models", "import-pack", str(tmp_path / "pack")) == 0
    assert "matches the pack" in capsys.readouterr().out
    assert run("hardware", "--json") == 0
    assert "tiny-model" in json.loads(capsys.readouterr().out)["installed"]


def test_download_from_repo_reports_progress_on_stderr(gguf_bytes, monkeypatch, capsys):
    with FakeHub() as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
        sha = hub.add("acme/Tiny-GGUF", "tiny.gguf", gguf_bytes)
        assert run("models", "download", "--repo", "acme/Tiny-GGUF", "--file", "tiny.gguf") == 0
    out, err = capsys.readouterr()
    assert f"sha256 {sha}" in out
    assert "downloading" in err and "100.0%" in err
    assert [m.id for m in store.list_installed()] == ["tiny"]


def test_download_needs_an_id_or_repo_and_file():
    with pytest.raises(PlukError, match="catalogue id, or --repo and --file"):
        run("models", "download", "--repo", "acme/x")
    with pytest.raises(PlukError, match="not in the catalogue"):
        run("models", "download", "no-such-model")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is POSIX")
def test_ctrl_c_cancels_download_and_keeps_the_part(gguf_bytes, monkeypatch, pluk_home):
    script = (
        "import argparse, sys\n"
        "from pluk.commands import models\n"
        "from pluk.core.models import download\n"
        "download.CHUNK_SIZE = 64 * 1024\n"
        "p = argparse.ArgumentParser(); models.register(p.add_subparsers())\n"
        "a = p.parse_args(sys.argv[1:]); sys.exit(a.func(a))\n"
    )
    with FakeHub() as hub:
        hub.chunk_delay = 0.05
        hub.add("acme/Tiny-GGUF", "tiny.gguf", gguf_bytes)
        env = {**os.environ, "HF_ENDPOINT": hub.endpoint}
        child = subprocess.Popen(
            [sys.executable, "-c", script, "models", "download", "--repo", "acme/Tiny-GGUF",
             "--file", "tiny.gguf"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        deadline = time.monotonic() + 20
        while not any(r["method"] == "GET" for r in hub.requests):
            assert time.monotonic() < deadline and child.poll() is None
            time.sleep(0.05)
        time.sleep(0.3)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=20)
    assert child.returncode == 130, err
    assert "cancelled" in err and "resume" in err
    parts = list((pluk_home / "data" / "models" / ".staging").glob("*.part"))
    assert len(parts) == 1 and 0 < parts[0].stat().st_size < len(gguf_bytes)
    assert store.list_installed() == []
