"""`pluk self-test` and its network guard (pluk.core.diagnostics.self_test, pluk.commands.self_test)."""

from __future__ import annotations

import argparse
import os
import socket
import threading
from pathlib import Path

import pytest

from pluk.commands import self_test as command
from pluk.core.diagnostics import self_test

_OFFLINE_VARS = ("HF_HUB_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "HF_HUB_DISABLE_UPDATE_CHECK")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Own PLUK_HOME; the self-test switches huggingface_hub offline: undo that afterwards."""
    monkeypatch.setenv("PLUK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PLUK_BUNDLED_MODELS", raising=False)
    for var in _OFFLINE_VARS:
        if var in os.environ:
            monkeypatch.setenv(var, os.environ[var])
        else:
            monkeypatch.delenv(var, raising=False)
    try:
        import huggingface_hub.constants as constants
    except ImportError:
        return
    for name in _OFFLINE_VARS:
        if hasattr(constants, name):
            monkeypatch.setattr(constants, name, getattr(constants, name))


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_self_test_passes_from_a_source_checkout(capsys):
    assert _cli(["self-test"]) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert lines[0] == "Pluk self-test" and lines[-1] == "OK"
    for key in ("llama-cpp-python", "llama.cpp", "CPU", "CPU engine", "Engine compiled for",
                "Data root", "User data", "Self-test model", "Extraction", "Engine fallback",
                "Network attempts"):
        assert any(line.strip().startswith(key) for line in lines), key
    assert "built for this test" in out  # no bundled model in a checkout
    network = next(line for line in lines if line.strip().startswith("Network attempts"))
    assert network.split()[-1] == "0"


def test_a_connection_attempt_fails_the_self_test(monkeypatch):
    import pluk.core.tasks as tasks

    real = tasks.list_tasks

    def phoning_home():
        try:
            socket.create_connection(("192.0.2.1", 443), timeout=0.1)
        except OSError:
            pass
        return real()

    monkeypatch.setattr(tasks, "list_tasks", phoning_home)
    result = self_test.run_self_test()
    assert not result.ok
    assert "network" in result.reason and "192.0.2.1" in result.reason
    assert result.render().endswith(f"FAILED: {result.reason}")


def test_a_frozen_app_without_its_model_fails_with_exit_1(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(self_test, "is_frozen", lambda: True)
    monkeypatch.setattr(self_test, "bundled_selftest_model", lambda: tmp_path / "absent.gguf")
    monkeypatch.setattr(self_test.sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setenv("PLUK_DATA_DIR", str(Path(__file__).resolve().parents[2]))
    assert _cli(["self-test"]) == 1
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("FAILED: the bundled self-test model is missing")


def test_a_missing_model_file_is_reported(tmp_path):
    result = self_test.run_self_test(tmp_path / "nope.gguf")
    assert not result.ok and "model file not found" in result.reason


class TestNetworkGuard:
    def test_blocks_and_records_inet_connections(self):
        with self_test.NetworkGuard() as guard:
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection(("192.0.2.1", 80))
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                with pytest.raises(ConnectionRefusedError):
                    s.connect(("192.0.2.2", 80))
                assert s.connect_ex(("192.0.2.3", 80)) != 0
        assert len(guard.attempts) == 3
        assert all("192.0.2." in a for a in guard.attempts)

    def test_restores_the_socket_module(self):
        before = (socket.socket.connect, socket.socket.connect_ex, socket.create_connection)
        with self_test.NetworkGuard():
            assert socket.create_connection is not before[2]
        assert (socket.socket.connect, socket.socket.connect_ex,
                socket.create_connection) == before

    def test_lets_local_unix_sockets_through(self, tmp_path):
        if not hasattr(socket, "AF_UNIX"):
            pytest.skip("no AF_UNIX")
        path = str(tmp_path / "s")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(1)
        accepted = threading.Thread(target=lambda: server.accept()[0].close())
        accepted.start()
        with self_test.NetworkGuard() as guard:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
                client.connect(path)
        accepted.join(5)
        server.close()
        assert guard.attempts == [] and len(guard.local) == 1


def test_the_selftest_model_is_small_and_deterministic(tmp_path):
    a = self_test.build_selftest_model(tmp_path / "a.gguf")
    b = self_test.build_selftest_model(tmp_path / "b.gguf")
    assert a.read_bytes() == b.read_bytes()
    assert a.stat().st_size < 1024 * 1024
