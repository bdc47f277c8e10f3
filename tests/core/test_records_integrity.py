"""Every record that was written is read back (issue 29, item 1). A server logprob that is no
log-probability (+Infinity, NaN, 1e308, 800) gives no option probability for its field and a
warning, never NaN nor an exception; a NaN that reaches a record is left out of it, so the line
still validates; a complete line of records.jsonl that does not validate is reported with its
line number by the reader that exports, the run and --resume use, never skipped nor cut; only
a torn tail (a write a crash cut off: no newline, or a zeroed block) is still redone."""

from __future__ import annotations

import json
import math
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from pluk.core.engine.protocol import DecisionSpec
from pluk.core.engine.server_logprobs import decision_probabilities
from pluk.core.errors import RunFolderError
from pluk.core.extraction.job import run_job
from pluk.core.extraction.run_export import export_run
from pluk.core.options import DecodingOptions, RunOptions, ServerOptions
from pluk.core.readers.reports import Report
from pluk.core.runs.folder import ModelFacts, RunFolder, RunManifest
from pluk.core.runs.records import Record
from pluk.core.tasks.loader import parse_task
from tests.support.fake_openai import LLAMA_SERVER, serve

CONTENT = '{"epe": true}'
EPE = DecisionSpec(key="epe", options={"true": ["true"], "false": ["false"], "null": ["null"]})


def _entry(token: str, logprob: float, alternatives: dict[str, float]) -> dict:
    return {"token": token, "logprob": logprob, "bytes": None,
            "top_logprobs": [{"token": t, "logprob": lp, "bytes": None}
                             for t, lp in alternatives.items()]}


def _logprobs(chosen: float) -> list[dict]:
    """The answer CONTENT token by token; the decision token ' true' has logprob `chosen`."""
    entries = [_entry(t, 0.0, {}) for t in ['{"', "epe", '":']]
    entries.append(_entry(" true", chosen, {" true": chosen, " false": math.log(0.3),
                                            " null": math.log(0.05)}))
    entries.append(_entry("}", 0.0, {}))
    assert "".join(e["token"] for e in entries) == CONTENT
    return entries


# -- (1) logprobs that are no log-probability ----------------------------------------------------

@pytest.mark.parametrize("bad", [math.inf, math.nan, 1e308, 800.0,
                                 pytest.param(10 ** 400, id="int-1e400")])
def test_a_logprob_that_is_no_log_probability_gives_no_probability_and_a_warning(bad):
    scored, warnings = decision_probabilities(CONTENT, _logprobs(bad), [EPE])
    # Renormalising the other options would say 'false' where the model wrote 'true'.
    assert "epe" not in scored
    assert len(warnings) == 1 and "epe" in warnings[0] and "logprob" in warnings[0]


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, 1e308, 800.0])
def test_any_bad_logprob_anywhere_gives_finite_probabilities_or_none(bad):
    entries = _logprobs(math.log(0.6))
    for entry in entries:  # on every token and alternative the answer has
        entry["logprob"] = bad
        for alt in entry["top_logprobs"]:
            alt["logprob"] = bad
        scored, _warnings = decision_probabilities(CONTENT, entries, [EPE])
        for options in scored.values():
            assert all(math.isfinite(p) and 0.0 <= p <= 1.0 for p in options.values())
            assert sum(options.values()) == pytest.approx(1.0)


def test_minus_infinity_is_a_probability_of_zero():
    scored, warnings = decision_probabilities(CONTENT, _logprobs(math.log(0.6))[:3] + [
        _entry(" true", math.log(0.6), {" true": math.log(0.6), " false": -math.inf,
                                        " null": math.log(0.4)}), _entry("}", 0.0, {})], [EPE])
    assert warnings == []
    assert scored["epe"] == pytest.approx({"true": 0.6, "false": 0.0, "null": 0.4})


# -- (2) a record with a would-be NaN probability ------------------------------------------------

def _record(rid: str = "r0", **changes) -> Record:
    return Record(**{"id": rid, "source": "s", "sha256": "x", "status": "ok",
                     "fields": {"epe": True}, **changes})


def test_a_nan_probability_is_left_out_and_the_record_round_trips(tmp_path):
    folder = RunFolder(tmp_path)
    record = _record(probabilities={"epe": {"true": math.nan, "false": 0.25},
                                    "pirads": {"4": math.inf}, "known": {"true": 1.0}})
    # The field's other options are not renormalised without the one that was lost.
    assert record.probabilities == {"known": {"true": 1.0}}
    assert any("epe" in w and "pirads" in w for w in record.warnings)
    folder.append(record)
    folder.append(_record("r1"))
    written = json.loads(folder.records_path.read_bytes().splitlines()[0])
    assert written["probabilities"] == {"known": {"true": 1.0}}
    assert folder.records() == [record, _record("r1")]


def test_a_line_with_a_null_probability_that_older_versions_wrote_is_read(tmp_path):
    folder = RunFolder(tmp_path)
    line = _record().model_dump(mode="json")
    line["probabilities"] = {"epe": {"true": None, "false": 0.4}}
    folder.records_path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    folder.append(_record("r1"))
    (first, second) = folder.records()
    assert first.id == "r0" and first.probabilities == {}
    assert first.warnings and second.id == "r1"


@contextmanager
def _logprob_server(logprob: float):
    """A server that answers as llama-server does, with `logprob` for the decision token
    (JSON's Infinity and NaN, as Python's json writes them)."""
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, value: object) -> None:
            data = json.dumps(value).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._send(LLAMA_SERVER.get(self.path, {}))

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self._send({"choices": [{"message": {"content": CONTENT}, "finish_reason": "stop",
                                     "logprobs": {"content": _logprobs(logprob)}}],
                        "usage": {"prompt_tokens": 5, "completion_tokens": 5}})

    with serve(Handler) as url:
        yield url


TASK_DATA = {"id": "t", "title": "t", "description": "d",
             "fields": [{"name": "epe", "type": "bool"}]}
TASK = parse_task(TASK_DATA, "test")


@pytest.mark.parametrize("logprob", [math.inf, math.nan, 800.0])
def test_a_server_run_with_a_bad_logprob_keeps_and_exports_every_record(tmp_path, logprob):
    out = tmp_path / "run"
    reports = [Report.from_text(id=f"r{i}", source="mem", format="txt", text=f"report {i}")
               for i in range(2)]
    with _logprob_server(logprob) as url:
        options = RunOptions(server=ServerOptions(url=url, retries=0),
                             decoding=DecodingOptions())
        result = run_job(TASK, reports, None, out, options)
    assert result.status == "finished" and result.counts["total"] == 2
    records = RunFolder(out).records()
    assert [r.id for r in records] == ["r0", "r1"]
    for record in records:
        assert record.status == "ok" and record.fields == {"epe": True}
        assert record.probabilities == {} and any("epe" in w for w in record.warnings)
    assert RunFolder(out).read_manifest().status == "finished"
    assert export_run(out, tmp_path / "x.csv", "csv")[1] == 2


# -- (3) a complete line that does not validate --------------------------------------------------

INVALID = [
    b'{"id": "r9", "source": "s", "sha256": "x", "status": "bogus"}\n',  # not a Record
    b'{"id": "r9", "source": "s", "sha256": "x", "status": "ok", "seconds": null}\n',
    b"this is no JSON\n",
]


def _manifest() -> RunManifest:
    return RunManifest(model=ModelFacts(path="/m.gguf", sha256="abc", size_bytes=1),
                       task=TASK_DATA, task_sha256="t1")


def _run_folder(tmp_path: Path, lines: list[bytes]) -> RunFolder:
    """A finished run folder whose records.jsonl holds r0, r1, r2 and then `lines`."""
    folder = RunFolder.start(tmp_path / "run", _manifest(), resume=False)
    for i in range(3):
        folder.append(_record(f"r{i}"))
    folder.finish("cancelled")
    with folder.records_path.open("ab") as fh:
        for line in lines:
            fh.write(line)
    return folder


def _refused_naming(folder: RunFolder, number: int, call) -> None:
    before = folder.records_path.read_bytes()
    with pytest.raises(RunFolderError) as caught:
        call()
    message = str(caught.value)
    assert f"line {number}" in message and "\n" not in message
    assert "does not validate" in message
    assert folder.records_path.read_bytes() == before  # nothing cut


@pytest.mark.parametrize("line", INVALID, ids=["status", "null-seconds", "no-json"])
@pytest.mark.parametrize("where", ["end", "middle", "before a torn tail"])
def test_a_complete_invalid_line_is_reported_never_dropped_nor_cut(tmp_path, line, where):
    after = {"end": [], "middle": [_record("r3").model_dump_json().encode() + b"\n"],
             "before a torn tail": [b'{"id": "r3", "sou']}[where]
    folder = _run_folder(tmp_path, [line, *after])
    _refused_naming(folder, 4, folder.records)
    _refused_naming(folder, 4, lambda: export_run(folder.path, tmp_path / "x.csv", "csv"))
    _refused_naming(folder, 4, lambda: RunFolder.start(folder.path, _manifest(), resume=True))
    assert not (tmp_path / "x.csv").exists()
    assert RunFolder(folder.path).read_manifest().status == "cancelled"  # resume refused


def test_a_last_record_that_lost_only_its_newline_is_kept_and_resume_gives_it_one(tmp_path):
    folder = _run_folder(tmp_path, [_record("r3").model_dump_json().encode()])
    assert [r.id for r in folder.records()] == ["r0", "r1", "r2", "r3"]
    resumed = RunFolder.start(folder.path, _manifest(), resume=True)
    assert folder.records_path.read_bytes().endswith(b"}\n")
    resumed.append(_record("r4"))
    resumed.finish("finished")
    assert [r.id for r in folder.records()] == ["r0", "r1", "r2", "r3", "r4"]


# -- (4) a torn tail is still redone ---------------------------------------------------------

@pytest.mark.parametrize("tail", [
    b'{"id": "r3", "sou',                        # a write cut off by the crash
    b'{"id": "r3", "source": "\xc3',             # inside a UTF-8 character
    b"\x00" * 300,                               # a block that never reached the disk
    b"\x00" * 80 + b"\n" + b"\x00" * 80,
])
def test_a_torn_tail_is_left_out_and_resume_cuts_it(tmp_path, tail):
    folder = _run_folder(tmp_path, [])
    intact = folder.records_path.read_bytes()
    with folder.records_path.open("ab") as fh:
        fh.write(tail)
    assert [r.id for r in folder.records()] == ["r0", "r1", "r2"]
    resumed = RunFolder.start(folder.path, _manifest(), resume=True)
    assert folder.records_path.read_bytes() == intact
    resumed.append(_record("r3"))
    resumed.finish("finished")
    assert [r.id for r in folder.records()] == ["r0", "r1", "r2", "r3"]
