"""A hostile or broken server cannot take a run down (issue 29, items 8, 9, 13, 17, 22): an
answer larger than its token budget allows (sized, unsized, a gzip bomb, an extra 10 MB key)
is read no further than that bound and is an error record saying so; a server that trickles
its answer is stopped at --time-limit (the request's whole life) and at --server-timeout (each
try's whole life); a malformed chat completion, a huge integer, deep nesting and duplicate
keys are each their report's error record, never a traceback; a /props of the wrong shape is
left out; an impossible port is refused in one sentence before the run."""

from __future__ import annotations

import gzip
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from pluk import cli
from pluk.core.engine.server_http import check_server
from pluk.core.errors import PlukError
from pluk.core.options import ServerOptions
from tests.support.fake_openai import LLAMA_SERVER, VLLM, serve

TASK = "prostate_mri_nl"
GOOD = {"psa": 3.5, "prostate_volume": 40.0, "psa_density": None, "highest_pirads": "3",
        "suspicious_lesion_count": 1, "extraprostatic_extension": False}
MB = 1 << 20


def completion(content: object = None, **extra: object) -> dict:
    content = json.dumps(GOOD) if content is None else content
    return {"choices": [{"message": {"content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 4}, **extra}


@contextmanager
def hostile_server(post, routes: dict | None = None):
    """GET answers routes[path] (vLLM's discovery by default); POST calls post(handler, case)
    with the case named in the report ("CASE:<name>"), which writes the whole response."""
    routes = VLLM if routes is None else routes
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        stopping = stop

        def log_message(self, *args):
            pass

        def raw(self, data: bytes, *, status: int = 200, length: bool = True,
                headers: dict | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            if length:
                self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(data)
            except OSError:  # the client stopped reading, as it should
                pass

        def do_GET(self):
            if self.path in routes:
                self.raw(json.dumps(routes[self.path]).encode())
            else:
                self.raw(b'{"detail": "Not Found"}', status=404)

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            case = body.split("CASE:", 1)[1].split()[0] if "CASE:" in body else ""
            post(self, case)

    try:
        with serve(Handler) as url:
            yield url
    finally:
        stop.set()


def run(tmp_path: Path, url: str, cases: list[str], *flags: str, capsys) -> tuple[int, dict, str]:
    """`pluk extract` of one report per case against `url`: the exit code, the records by
    case, and what the terminal showed."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    for case in cases:
        (inputs / f"{case}.txt").write_text(f"CASE:{case} PSA 3,5 ng/ml. PI-RADS 3.")
    out = tmp_path / "run"
    code = cli.main(["extract", "--task", TASK, "--input", str(inputs), "--out", str(out),
                     "--server", url, "--retries", "0", *flags])
    captured = capsys.readouterr()
    lines = out / "records.jsonl"
    records = {}
    for line in lines.read_text().splitlines() if lines.exists() else []:
        record = json.loads(line)
        records[record["id"].removesuffix(".txt")] = record
    return code, records, captured.out + captured.err


# -- item 8 and 22: an answer is read no further than its token budget allows ---------------------

def _big_answer(handler, case: str) -> None:
    if case == "sized":  # Content-Length says 6 MB
        handler.raw(json.dumps(completion("x" * (6 * MB))).encode())
    elif case == "unsized":  # no Content-Length: the body ends when the connection closes
        handler.raw(json.dumps(completion("y" * (6 * MB))).encode(), length=False)
    elif case == "gzip":  # 40 MB of answer in some 40 KB
        data = gzip.compress(json.dumps(completion("z" * (40 * MB))).encode(), 6)
        assert len(data) < MB
        handler.raw(data, headers={"Content-Encoding": "gzip"})
    elif case == "extra_key":  # item 22: an extra key of 10 MB in the answer itself
        handler.raw(json.dumps(completion(json.dumps({**GOOD, "junk": "j" * (10 * MB)})))
                    .encode())
    else:
        handler.raw(json.dumps(completion()).encode())


def test_an_answer_larger_than_its_budget_allows_is_an_error_record_and_not_stored(
        tmp_path, capsys):
    # The server's context of 64 tokens makes each answer's budget 64 tokens: a small bound.
    routes = json.loads(json.dumps(LLAMA_SERVER))
    routes["/props"]["default_generation_settings"]["n_ctx"] = 64
    cases = ["sized", "unsized", "gzip", "extra_key", "good"]
    with hostile_server(_big_answer, routes) as url:
        code, records, terminal = run(tmp_path, url, cases, capsys=capsys)
    assert code == 0 and "Traceback" not in terminal, terminal
    assert set(records) == set(cases), terminal
    assert records["good"]["status"] == "ok", records["good"]
    for case in cases[:-1]:
        record = records[case]
        assert record["status"] == "error", (case, record["status"], record["error"])
        assert "larger than" in record["error"] and "max_tokens" in record["error"], record
    # Nothing of the answers was stored: every run file stays small.
    for path in (tmp_path / "run").iterdir():
        assert path.stat().st_size < 200_000, path.name


# -- item 9: a trickle is stopped at the time limit -----------------------------------------------

def _trickle(handler, case: str) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    try:
        while not handler.stopping.wait(0.2):  # one byte every 0.2 s, never the whole answer
            handler.wfile.write(b" ")
            handler.wfile.flush()
    except OSError:
        pass


@pytest.mark.timeout(120)
@pytest.mark.parametrize("flags, reason", [
    (("--time-limit", "2", "--server-timeout", "60"), "2-second time limit"),
    (("--time-limit", "0", "--server-timeout", "2"), "no answer within 2 s"),
])
def test_a_server_that_trickles_is_stopped_at_the_time_limit(flags, reason, tmp_path, capsys):
    with hostile_server(_trickle) as url:
        code, records, terminal = run(tmp_path, url, ["slow"], *flags, capsys=capsys)
    assert code == 0 and "Traceback" not in terminal, terminal
    assert records["slow"]["status"] == "error" and reason in records["slow"]["error"], records


# -- items 13 and 22: a malformed answer is its report's error record -----------------------------

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_ANSWER = "[" * 20_000 + "]" * 20_000  # within what the answer's max_tokens could write
DIGITS = "7" * 5000
BARE = json.dumps({"choices": completion()["choices"]})  # no usage
MALFORMED = {
    # case: (the body, a phrase of the record's reason)
    "choices_str": ('{"choices": ["x"]}', "not a chat completion"),
    "choices_empty": ('{"choices": []}', "not a chat completion"),
    "choices_missing": ('{"id": "x"}', "not a chat completion"),
    "not_object": ("[1, 2, 3]", "not a chat completion"),
    "not_json": ("<html>hello</html>", "not JSON"),
    "message_str": ('{"choices": [{"message": "x"}]}', "not a chat completion"),
    "content_number": (json.dumps(completion(5)), "not a chat completion"),
    "content_dict": (json.dumps(completion({"psa": 1})), "not a chat completion"),
    "usage_many": (json.dumps({**completion(), "usage": {"prompt_tokens": "many"}}),
                   "not a chat completion"),
    "usage_inf": (BARE[:-1] + ', "usage": {"completion_tokens": 1e999}}',
                  "not a chat completion"),
    "usage_list": (json.dumps({**completion(), "usage": {"completion_tokens": [1, 2]}}),
                   "not a chat completion"),
    "usage_digits": (BARE[:-1] + f', "usage": {{"prompt_tokens": {DIGITS}}}}}', "digits"),
    "usage_over_budget": (json.dumps({**completion(), "usage": {"completion_tokens": 10**6}}),
                          "max_tokens"),
    "cached_dict": (json.dumps({**completion(), "timings": {"cache_n": {"a": 1}}}),
                    "not a chat completion"),
    "deep_body": (json.dumps(completion())[:-1] + f', "x": {DEEP}}}', "nests deeper"),
    "deep_answer": (json.dumps(completion(DEEP_ANSWER)), "nests deeper"),
    "digits_answer": (json.dumps(completion('{"psa": ' + DIGITS + "}")), "digits"),
    "duplicate_answer": (json.dumps(completion(
        '{"psa": 1.5, "psa": 2.5, "prostate_volume": 40.0, "psa_density": null, '
        '"highest_pirads": "3", "suspicious_lesion_count": 1, '
        '"extraprostatic_extension": false}')), "the key 'psa' twice"),
    "duplicate_body": ('{"choices": [{"message": {"content": "{}"}}], "choices": []}',
                       "the key 'choices' twice"),
    "logprobs_junk": (json.dumps({"choices": [{"message": {"content": json.dumps(GOOD)},
                                               "logprobs": {"content": ["x", 5]}}]}), None),
}


def _malformed(handler, case: str) -> None:
    handler.raw(MALFORMED[case][0].encode())


@pytest.mark.timeout(300)
def test_a_malformed_answer_is_an_error_record_never_a_traceback(tmp_path, capsys):
    with hostile_server(_malformed) as url:
        code, records, terminal = run(tmp_path, url, list(MALFORMED), capsys=capsys)
    assert code == 0 and "Traceback" not in terminal, terminal
    assert set(records) == set(MALFORMED), terminal
    wrong = {}
    for case, (_, reason) in MALFORMED.items():
        record = records[case]
        if reason is None:  # logprobs of the wrong shape: the values stand, with a warning
            if record["status"] != "ok" or not record["warnings"]:
                wrong[case] = (record["status"], record["error"], record["warnings"])
        elif record["status"] != "error" or reason not in (record["error"] or ""):
            wrong[case] = (record["status"], record["error"])
    assert wrong == {}


def _error_body(handler, case: str) -> None:
    """An error response with a body of the same sorts."""
    body = {"deep": DEEP, "digits": DIGITS, "big": "e" * (8 * MB)}[case]
    handler.raw(f'{{"error": {{"message": {body}}}}}'.encode()
                if case != "big" else json.dumps({"error": {"message": body}}).encode(),
                status=500)


@pytest.mark.timeout(120)
def test_an_error_response_of_any_shape_is_its_reports_error_record(tmp_path, capsys):
    with hostile_server(_error_body) as url:
        code, records, terminal = run(tmp_path, url, ["deep", "digits", "big"], capsys=capsys)
    assert code == 0 and "Traceback" not in terminal, terminal
    assert {case: r["status"] for case, r in records.items()} == {
        "deep": "error", "digits": "error", "big": "error"}
    assert all("HTTP 500" in r["error"] and len(r["error"]) < 1000 for r in records.values())


# -- item 13: /props of the wrong shape -----------------------------------------------------------

@pytest.mark.parametrize("props", [
    {"total_slots": 2, "default_generation_settings": "x", "build_info": 5},
    {"total_slots": "8", "default_generation_settings": {"n_ctx": "many"}, "n_ctx": [1]},
    {"total_slots": True, "default_generation_settings": {"n_ctx": 1e300},
     "build_info": {"a": 1}},
])
def test_props_of_the_wrong_shape_leave_the_facts_out(props, tmp_path, capsys):
    routes = {**LLAMA_SERVER, "/props": props}
    with hostile_server(_malformed, routes) as url:
        info = check_server(ServerOptions(url=url, retries=0))
        assert info.variant == "llama-server" and info.n_ctx is None
        assert info.slots in (None, 2) and info.version is None
        code, records, terminal = run(tmp_path, url, ["choices_str"], capsys=capsys)
    assert code == 0 and "Traceback" not in terminal, terminal
    assert records["choices_str"]["status"] == "error"


# -- item 17: an impossible port ------------------------------------------------------------------

@pytest.mark.parametrize("url", ["http://127.0.0.1:99999", "http://127.0.0.1:0",
                                 "https://user:pw@[::1]:65536/v1", "http://host:abc"])
def test_an_impossible_port_is_refused_in_one_sentence_before_the_run(url, tmp_path, capsys):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text("PSA 3 ng/ml")
    code = cli.main(["extract", "--task", TASK, "--input", str(inputs), "--out",
                     str(tmp_path / "run"), "--server", url])
    captured = capsys.readouterr()
    terminal = captured.out + captured.err
    assert code == 2 and "Traceback" not in terminal, terminal
    assert "port" in terminal and "65535" in terminal and "pw" not in terminal, terminal
    assert len(terminal.strip().splitlines()) == 1, terminal
    assert not (tmp_path / "run").exists()
    with pytest.raises(PlukError, match="port"):
        check_server(ServerOptions(url=url, retries=0))
