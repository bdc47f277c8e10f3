"""The server's API key never reaches what Pluk writes or says, even when a gateway echoes the
request's headers back: in an error body (a 500 ends in the report's error record, a 401 stops
the run with a message on the terminal), in the model list the manifest keeps, and in the
answer itself. The key is looked for as `Bearer <key>`, bare and URL-encoded, in every file of
the run folder (results.xlsx unzipped), in the terminal's output and in the log."""

from __future__ import annotations

import json
import logging
import secrets
import zipfile
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from pluk import cli
from pluk.core.engine.server_http import ServerError, check_server
from pluk.core.options import ServerOptions
from tests.support.fake_openai import VLLM, serve

KEY_ENV = "PLUK_TEST_ECHO_KEY"
# '/', '+' and '=' make the URL-encoded forms differ from the bare key.
KEY = "sk-echo/" + secrets.token_hex(12) + "+k="
FORMS = (KEY, quote(KEY, safe=""), quote_plus(KEY))
TASK = "prostate_mri_nl"


@contextmanager
def echo_server(mode: str):
    """vLLM's discovery answers (its model entry echoes the Authorization header), and a chat
    completion that echoes it too, as `mode` says: "500" and "401" in an error body, "answer"
    in the answer's content, and "escaped" there too, the key written in \\u escapes. `mode`
    "401-models" refuses the model list already."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, value: object, *, escaped: bool = False) -> None:
            data = json.dumps(value)
            if escaped:  # the key's characters as \\uXXXX: its bare form is not in the bytes
                data = data.replace(KEY, "".join(f"\\u{ord(c):04x}" for c in KEY))
            data = data.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _echo(self) -> str:
            auth = self.headers.get("Authorization", "")
            return (f"upstream rejected the call; request headers: Authorization: {auth}; "
                    f"key={auth.removeprefix('Bearer ')}; "
                    f"query=?api_key={quote(auth.removeprefix('Bearer '), safe='')}")

        def do_GET(self):
            if mode == "401-models":
                self._send(401, {"error": {"message": self._echo()}})
            elif self.path == "/v1/models":
                listing = json.loads(json.dumps(VLLM["/v1/models"]))
                listing["data"][0]["gateway"] = self._echo()
                self._send(200, listing)
            elif self.path in VLLM:
                self._send(200, VLLM[self.path])
            else:
                self._send(404, {"detail": "Not Found"})

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            if mode in ("500", "401"):
                self._send(int(mode), {"error": {"message": self._echo(),
                                                 "type": "gateway_error"}})
                return
            auth = self.headers.get("Authorization", "")
            content = json.dumps({"psa": auth, "prostate_volume": 40.0, "psa_density": None,
                                  "highest_pirads": "3", "suspicious_lesion_count": 1,
                                  "extraprostatic_extension": False, "note": self._echo()})
            self._send(200, {"choices": [{"message": {"content": content},
                                          "finish_reason": "stop"}],
                             "usage": {"prompt_tokens": 5, "completion_tokens": 4}},
                       escaped=mode == "escaped")

    with serve(Handler) as url:
        yield url


def _leaks(data: bytes) -> list[str]:
    return [form for form in FORMS if form.encode() in data]


def _folder_leaks(out: Path) -> dict[str, list[str]]:
    found = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                for name in book.namelist():
                    if leaks := _leaks(book.read(name)):
                        found[f"{path.name}:{name}"] = leaks
        elif leaks := _leaks(path.read_bytes()):
            found[path.name] = leaks
    return found


@pytest.mark.parametrize("mode", ["500", "401", "answer", "escaped"])
def test_a_key_the_server_echoes_reaches_no_file_message_or_log(mode, tmp_path, monkeypatch,
                                                               capsys, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv(KEY_ENV, KEY)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for i in range(3):
        (inputs / f"r{i}.txt").write_text(f"PSA {i + 1},5 ng/ml. PI-RADS 3. Volume 40 ml.")
    out = tmp_path / "run"
    with echo_server(mode) as url:
        code = cli.main(["extract", "--task", TASK, "--input", str(inputs), "--out", str(out),
                         "--server", url, "--api-key-env", KEY_ENV, "--retries", "0"])
    captured = capsys.readouterr()
    terminal = captured.out + captured.err

    assert _folder_leaks(out) == {}
    assert _leaks(terminal.encode()) == [], terminal
    assert _leaks(caplog.text.encode()) == []
    assert all(not _leaks(str(r.args).encode()) for r in caplog.records)

    # The runs did what such a server makes them do, so the checks above saw the echoes.
    lines = out / "records.jsonl"
    records = ([json.loads(line) for line in lines.read_text().splitlines()]
               if lines.exists() else [])
    manifest = json.loads((out / "manifest.json").read_text())
    assert "[redacted]" in json.dumps(manifest["model"]["metadata"]["server"]["models"])
    if mode == "500":
        assert code == 0 and len(records) == 3
        assert all(r["status"] == "error" and "[redacted]" in r["error"] for r in records)
    elif mode == "401":
        assert code == 2 and "refused the request" in terminal and "[redacted]" in terminal
    else:
        assert code == 0 and len(records) == 3
        assert all("[redacted]" in (r["raw"] or "") for r in records), records
        assert {p.name for p in out.iterdir()} >= {"results.csv", "results.json",
                                                   "results.xlsx"}



def test_the_connection_test_says_why_a_key_is_refused_without_the_key(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    with echo_server("401-models") as url:
        with pytest.raises(ServerError) as caught:
            check_server(ServerOptions(url=url, api_key_env=KEY_ENV, retries=0))
    message = str(caught.value)
    assert "check the API key" in message and "[redacted]" in message
    assert _leaks(message.encode()) == []


def test_the_redactor_takes_every_form_of_the_key_and_leaves_short_keys_alone():
    from pluk.core.engine.redact import Redactor

    redact = Redactor([KEY])
    text = f"Bearer {KEY} / {quote(KEY, safe='')} / {quote_plus(KEY)} / plain"
    assert redact(text) == "Bearer [redacted] / [redacted] / [redacted] / plain"
    assert redact.value({"a": [text, 1, None], KEY: True}) == {
        "a": [redact(text), 1, None], "[redacted]": True}
    assert Redactor(["abc", None, ""])("abc abc") == "abc abc"  # too short to look for
    assert Redactor([])("x") == "x"
