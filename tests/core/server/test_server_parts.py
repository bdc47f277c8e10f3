"""The server engine's parts without a model: option probabilities from logprobs, the HTTP
helpers (credentials, Retry-After, the API key, TLS), the options and flags, and how each kind
of server is recognised and asked (fake servers that answer as llama-server and vLLM do)."""

from __future__ import annotations

import math
import shutil
import ssl
import subprocess

import httpx2 as httpx
import pytest

from pluk import cli
from pluk.commands.run_flags import add_run_flags, run_options
from pluk.core.engine.protocol import DecisionSpec, ExtractRequest, GrammarSpec
from pluk.core.engine.server import ServerEngine
from pluk.core.engine.server_http import (ServerError, api_key, backoff, check_server, origin,
                                          retry_after, strip_credentials)
from pluk.core.engine.server_logprobs import NO_LOGPROBS, decision_probabilities
from pluk.core.errors import PlukError
from pluk.core.options import RunOptions, ServerOptions
from pluk.core.settings import Settings
from tests.support.fake_openai import LLAMA_SERVER, VLLM, json_server

# -- option probabilities ------------------------------------------------------------------------


def _entry(token: str, p: float, alternatives: dict[str, float]) -> dict:
    return {"token": token, "logprob": math.log(p), "bytes": None,
            "top_logprobs": [{"token": t, "logprob": math.log(q), "bytes": None}
                             for t, q in alternatives.items()]}


CONTENT = '{"epe": true, "pirads": "4"}'
EPE = DecisionSpec(key="epe", options={"true": ["true"], "false": ["false"], "null": ["null"]})
PIRADS = DecisionSpec(key="pirads", options={"3": ['"3"', "3"], "4": ['"4"', "4"],
                                             "null": ["null"]})


def _logprobs() -> list[dict]:
    plain = ['{"', "epe", '":']
    entries = [_entry(t, 0.9, {}) for t in plain]
    entries.append(_entry(" true", 0.6, {" true": 0.6, " false": 0.3, " null": 0.05,
                                         ' "': 0.05}))
    entries += [_entry(t, 0.9, {}) for t in [",", ' "', "pir", "ads", '":']]
    # ' "' begins both quoted options: the model's own choice is followed to the next token.
    entries.append(_entry(' "', 0.7, {' "': 0.7, " 4": 0.2, " null": 0.1}))
    entries.append(_entry("4", 0.75, {"4": 0.75, "3": 0.25}))
    entries.append(_entry('"}', 0.9, {}))
    assert "".join(e["token"] for e in entries) == CONTENT
    return entries


def test_decisions_are_read_where_the_value_starts_and_renormalised():
    scored, warnings = decision_probabilities(CONTENT, _logprobs(), [EPE, PIRADS])
    assert warnings == []
    assert scored["epe"] == pytest.approx({"true": 0.6 / 0.95, "false": 0.3 / 0.95,
                                           "null": 0.05 / 0.95})
    # "4": written bare (0.2) or quoted (0.7 * 0.75); "3" only quoted (0.7 * 0.25).
    assert scored["pirads"] == pytest.approx({"3": 0.175, "4": 0.725, "null": 0.1})


def test_token_bytes_are_used_where_the_server_gives_them():
    entries = _logprobs()
    for entry in entries:
        entry["bytes"] = list(entry["token"].encode())
        entry["token"] = "?"  # a server that mangles the text but gives the bytes
        for alt in entry["top_logprobs"]:
            alt["bytes"], alt["token"] = list(alt["token"].encode()), "?"
    assert decision_probabilities(CONTENT, entries, [EPE])[0]["epe"]["true"] == pytest.approx(
        0.6 / 0.95)


def test_without_logprobs_the_probabilities_are_missing_and_a_warning_says_why():
    assert decision_probabilities(CONTENT, None, [EPE]) == ({}, [NO_LOGPROBS])
    assert decision_probabilities(CONTENT, None, []) == ({}, [])
    broken = _logprobs()[:2]  # tokens that stop before the decision
    scored, warnings = decision_probabilities(CONTENT, broken, [EPE])
    assert scored == {} and "epe" in warnings[0]


# -- HTTP helpers --------------------------------------------------------------------------------

def test_credentials_are_stripped_and_the_origin_is_the_keyring_user():
    url = "https://user:s3cret@llm.example.org:8443/base"
    assert strip_credentials(url) == "https://llm.example.org:8443/base"
    assert "s3cret" not in origin(url)
    assert origin("http://127.0.0.1") == "http://127.0.0.1:80"


def test_retry_after_and_backoff():
    assert retry_after(httpx.Response(503, headers={"Retry-After": "2"})) == 2.0
    assert retry_after(httpx.Response(503, headers={"Retry-After": "99999"})) == 120.0
    assert retry_after(httpx.Response(503)) is None
    assert [backoff(n) for n in range(4)] == [0.5, 1.0, 2.0, 4.0] and backoff(20) == 30.0


def test_the_api_key_comes_from_the_environment_or_the_keyring(monkeypatch):
    import keyring
    from keyring.backend import KeyringBackend

    options = ServerOptions(url="http://127.0.0.1:9", api_key_env="PLUK_NO_SUCH_KEY")
    monkeypatch.delenv("PLUK_NO_SUCH_KEY", raising=False)
    with pytest.raises(PlukError, match="PLUK_NO_SUCH_KEY"):
        api_key(options)
    monkeypatch.setenv("PLUK_NO_SUCH_KEY", "abc")
    assert api_key(options) == "abc"

    class Store(KeyringBackend):
        priority = 1

        def get_password(self, service, username):
            return {("pluk", "http://127.0.0.1:9"): "from-keyring"}.get((service, username))

        def set_password(self, service, username, password):
            raise NotImplementedError

        def delete_password(self, service, username):
            raise NotImplementedError

    previous = keyring.get_keyring()
    keyring.set_keyring(Store())
    try:
        assert api_key(ServerOptions(url="http://127.0.0.1:9",
                                     api_key_keyring=True)) == "from-keyring"
        with pytest.raises(PlukError, match="python -m keyring set pluk http://127.0.0.1:10"):
            api_key(ServerOptions(url="http://127.0.0.1:10", api_key_keyring=True))
    finally:
        keyring.set_keyring(previous)
    assert api_key(ServerOptions(url="http://127.0.0.1:9")) is None


# -- options, settings and flags -----------------------------------------------------------------

def test_server_options_take_a_base_url_and_refuse_what_is_not_one():
    assert ServerOptions(url="http://host:8080/v1/").url == "http://host:8080"
    for bad in ("host:8080", "ftp://host", "http://"):
        with pytest.raises(ValueError, match="http:// or https://"):
            ServerOptions(url=bad)
    options = RunOptions(server=ServerOptions(url="https://llm:1", concurrency=3))
    assert RunOptions.from_saved(options.model_dump(mode="json")) == options
    assert RunOptions.from_saved({"ctx_cap": 4096}).server is None  # the flat v1 shape still
    settings = Settings(run=options)
    assert Settings.model_validate_json(settings.model_dump_json()).run.server.concurrency == 3


def _flags(*argv: str):
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int)
    add_run_flags(parser)
    return parser.parse_args(list(argv))


def test_the_run_flags_build_the_server_options():
    options = run_options(_flags("--server", "https://llm:8443", "--server-model", "m",
                                 "--concurrency", "8", "--server-timeout", "60", "--retries",
                                 "5", "--ca-bundle", "ca.pem", "--api-key-env", "KEY"))
    assert options.server == ServerOptions(url="https://llm:8443", model="m", concurrency=8,
                                           timeout_s=60, retries=5, ca_bundle="ca.pem",
                                           api_key_env="KEY")
    assert run_options(_flags()).server is None
    with pytest.raises(PlukError, match="--concurrency: Input should be greater"):
        run_options(_flags("--server", "http://a", "--concurrency", "0"))
    with pytest.raises(PlukError, match="need --server"):
        run_options(_flags("--concurrency", "2"))


def test_extract_takes_a_model_or_a_server_but_not_both(tmp_path, capsys):
    base = ["extract", "--task", "prostate_mri_nl", "--input", str(tmp_path), "--out",
            str(tmp_path / "run")]
    assert cli.main(base) == 2
    assert cli.main([*base, "--model", "m.gguf", "--server", "http://127.0.0.1:9"]) == 2
    assert "one of the two" in capsys.readouterr().err


# -- kinds of servers ----------------------------------------------------------------------------

def _request() -> ExtractRequest:
    return ExtractRequest(id="0", tokens=[], grammar=GrammarSpec(gbnf='root ::= "{}"'),
                          max_tokens=100000, messages=[{"role": "user", "content": "x"}],
                          schema={"type": "object"},
                          decisions=[DecisionSpec(key="a", options={"true": ["true"],
                                                                    "false": ["false"]})])


def test_llama_server_is_asked_for_its_slots_and_sent_pluks_own_grammar():
    with json_server(LLAMA_SERVER) as (url, bodies):
        engine = ServerEngine(ServerOptions(url=url))
        info = engine.connect()
        assert (info.variant, info.slots, info.n_ctx, info.version) == (
            "llama-server", 8, 8192, "b6000-abc")
        assert engine.concurrency == 8 and engine.max_tokens(100000) == 8192
        results = list(engine.extract(engine.prepare([]), [_request()]))
    body = bodies[0]
    assert body["grammar"] == 'root ::= "{}"' and "response_format" not in body
    assert (body["top_k"], body["min_p"], body["repeat_penalty"]) == (0, 0.0, 1.0)
    assert body["logprobs"] is True and body["top_logprobs"] == 20
    assert results[0].text == '{"a": true}' and results[0].warnings == [NO_LOGPROBS]
    assert engine.facts().parallel == 8


def test_vllm_gets_the_json_schema_as_structured_output():
    with json_server(VLLM) as (url, bodies):
        engine = ServerEngine(ServerOptions(url=url))
        info = engine.connect()
        assert (info.variant, info.n_ctx, info.version) == ("vllm", 16384, "0.9.1")
        assert engine.concurrency == 4  # no slot count: the default
        list(engine.extract(engine.prepare([]), [_request()]))
    assert bodies[0]["response_format"] == {"type": "json_schema", "json_schema": {
        "name": "pluk_answer", "schema": {"type": "object"}, "strict": True}}
    assert "grammar" not in bodies[0] and "repeat_penalty" not in bodies[0]


def test_an_unknown_model_name_lists_what_the_server_serves():
    with json_server(VLLM) as (url, _bodies):
        with pytest.raises(ServerError, match="Llama-3.1-8B-Instruct"):
            check_server(ServerOptions(url=url, model="gpt-4"))


def test_a_server_that_cannot_be_reached_is_one_clear_error():
    from tests.support.llama_server import free_port

    with pytest.raises(ServerError, match="cannot be reached .* after 2 tries"):
        check_server(ServerOptions(url=f"http://127.0.0.1:{free_port()}", retries=1))


# -- TLS -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem"),
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return folder / "cert.pem", folder / "key.pem"


def test_tls_is_verified_against_the_named_ca_bundle_or_refused(certificate):
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with json_server(VLLM, context) as (url, _bodies):
        with pytest.raises(ServerError, match="--ca-bundle"):
            check_server(ServerOptions(url=url))  # not in the system's store
        info = check_server(ServerOptions(url=url, ca_bundle=str(cert)))
    assert info.variant == "vllm" and info.url.startswith("https://")
