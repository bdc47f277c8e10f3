"""Shared set-up for the server engine tests: llama-cpp-python's real server on the suite's
tiny model (session-scoped, behind an API key) and on SmolLM2 (real_model), and the options
that point Pluk at them."""

from __future__ import annotations

import secrets

import pytest

from pluk.core.options import DecodingOptions, RunOptions, ServerOptions
from pluk.core.readers.reports import Report
from tests.support.llama_server import start_server

KEY_ENV = "PLUK_TEST_SERVER_KEY"
API_KEY = "pluk-test-key-" + secrets.token_hex(12)


@pytest.fixture(scope="session")
def tiny_server(tiny_model, tmp_path_factory):
    server = start_server(tiny_model, tmp_path_factory.mktemp("server") / "server.log",
                          api_key=API_KEY)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def smollm2_server(smollm2_model, tmp_path_factory):
    server = start_server(smollm2_model, tmp_path_factory.mktemp("server") / "smollm2.log")
    yield server
    server.stop()


@pytest.fixture
def server_key(monkeypatch) -> str:
    monkeypatch.setenv(KEY_ENV, API_KEY)
    return API_KEY


def server_options(url: str, **changes) -> RunOptions:
    """Run options for a server run: the key from KEY_ENV, one retry (faults are quick)."""
    server = ServerOptions(**{"url": url, "api_key_env": KEY_ENV, "retries": 1, **changes})
    return RunOptions(server=server, decoding=DecodingOptions())


def reports(n: int) -> list[Report]:
    return [Report.from_text(id=f"r{i}", source="mem", format="txt",
                             text=f"PSA {i + 1},5 ng/ml. PI-RADS {i % 5 + 1}. Volume {30 + i} ml.")
            for i in range(n)]
