"""Runs against a real server: llama-cpp-python's on the tiny model, behind an API key, with a
fault-injecting proxy where a test needs one. Every record validates, the manifest says what
served the run, exports keep the input order, the key never reaches the run folder, the run
connects to its server and nowhere else; dropped connections and 503s are retried, a stall
ends in its report's error record without holding up the others, Stop cancels what is in
flight, and a server that goes away mid-run leaves a run that --resume completes."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path

import pytest

from pluk import cli
from pluk.core.engine.server_http import ServerError
from pluk.core.extraction.job import run_job
from pluk.core.runs.folder import RunFolder
from pluk.core.runs.records import Record
from pluk.core.tasks import load_task, validate_answer
from tests.core.server.conftest import API_KEY, KEY_ENV, reports, server_options
from tests.support.fault_proxy import FaultProxy
from tests.support.network_guard import recorded_network
from tests.support.report_folder import make_mixed_report_folder

TASK = "prostate_mri_nl"


def _run(url: str, out: Path, n: int = 4, **changes):
    resume = changes.pop("resume", False)
    stop = changes.pop("should_stop", None)
    return run_job(load_task(TASK), reports(n), None, out, server_options(url, **changes),
                   resume=resume, should_stop=stop)


def _lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "records.jsonl").read_text().splitlines()]


def _check_valid(record: Record) -> None:
    """A record as the local path would write it: validated values, or an invalid/error
    record that says why."""
    task = load_task(TASK)
    assert record.status in ("ok", "invalid"), record.error
    assert set(record.fields) == {f.name for f in task.fields}
    assert record.raw is not None and record.token_limit is not None
    if record.status == "ok":
        fields, errors = validate_answer(task, json.loads(record.raw), [])
        assert errors == {}


def test_a_server_run_validates_records_names_its_server_and_keeps_the_key_out(
        tiny_server, server_key, tmp_path):
    out = tmp_path / "run"
    with recorded_network() as connections:
        result = _run(tiny_server.url, out, 5)
    assert result.status == "finished" and result.counts["total"] == 5
    records = RunFolder(out).records()
    for record in records:
        _check_valid(record)
        # The tiny vocabulary writes one character a token: every decision is readable.
        assert set(record.probabilities) == {"highest_pirads", "extraprostatic_extension"}
        for options in record.probabilities.values():
            assert sum(options.values()) == pytest.approx(1.0)
    # Exactly the configured server, nothing else (the proxy-free run connects directly).
    assert set(connections) == {("127.0.0.1", tiny_server.port)}

    manifest = RunFolder(out).read_manifest()
    served = manifest.model.metadata["server"]
    assert served["variant"] == "llama-cpp-python" and served["url"] == tiny_server.url
    assert served["model"] == str(tiny_server.model) and manifest.model.sha256.startswith("served:")
    assert manifest.model.metadata["request"]["temperature"] == 0.0
    assert manifest.model.metadata["request"]["constraint"] == "grammar (Pluk's GBNF)"
    assert manifest.options["server"]["api_key_env"] == KEY_ENV
    assert manifest.engine["engine"] == "openai-compatible server (llama-cpp-python)"
    # Written by the one loop's caller, as for a local run: the engine's facts.
    assert manifest.engine_facts["kind"] == "openai-compatible server (llama-cpp-python)"
    for path in out.rglob("*"):
        if path.is_file():
            assert API_KEY.encode() not in path.read_bytes(), path


def test_the_manifest_strips_credentials_from_the_url(tiny_server, server_key, tmp_path):
    url = tiny_server.url.replace("http://", "http://someone:hunter2@")
    _run(url, tmp_path / "run", 1)
    text = (tmp_path / "run" / "manifest.json").read_text()
    assert "hunter2" not in text and tiny_server.url in text


def test_a_wrong_key_stops_the_run_before_anything_is_sent(tiny_server, monkeypatch, tmp_path):
    monkeypatch.setenv(KEY_ENV, "not-the-key")
    with pytest.raises(ServerError, match="API key"):
        _run(tiny_server.url, tmp_path / "run", 1)
    assert not (tmp_path / "run" / "records.jsonl").exists()


def test_dropped_connections_and_503s_are_retried(tiny_server, server_key, tmp_path):
    faults = {0: "drop", 1: "503", 3: "429"}
    with FaultProxy(tiny_server.port, faults.get, retry_after=0) as proxy:
        result = _run(proxy.url, tmp_path / "run", 3, concurrency=1, retries=2)
    assert proxy.faults == ["drop", "503", "429"]  # the first report's two tries, then one
    assert result.counts["total"] == 3 and result.counts["error"] == 0


def test_a_report_whose_retries_run_out_gets_an_error_record_with_the_limit(
        tiny_server, server_key, tmp_path):
    with FaultProxy(tiny_server.port, lambda n: "503" if n < 2 else None,
                    retry_after=0) as proxy:
        result = _run(proxy.url, tmp_path / "run", 3, concurrency=1)
    assert result.status == "finished" and result.counts["error"] == 1
    error = next(r for r in RunFolder(result.run_dir).records() if r.status == "error")
    assert "HTTP 503" in error.error and "gave up after 1 retries" in error.error


def test_a_stalled_report_times_out_without_holding_up_the_others(
        tiny_server, server_key, tmp_path):
    # The timeout is each request's: long enough for a tiny-model answer on a busy machine.
    with FaultProxy(tiny_server.port, lambda n: "stall" if n == 0 else None) as proxy:
        result = _run(proxy.url, tmp_path / "run", 3, concurrency=2, timeout_s=15)
    lines = _lines(tmp_path / "run")
    summary = [(line["id"], line["status"], line["error"]) for line in lines]
    assert len(lines) == 3 and result.counts["error"] == 1, summary
    # The stalled one (the proxy's first request: r0's or r1's, whichever of the two sent at
    # once arrives first) is written last: the two others finished while it waited.
    assert lines[-1]["id"] in ("r0", "r1"), summary
    assert "no answer within 15 s" in lines[-1]["error"], summary
    assert all(line["status"] != "error" for line in lines[:2]), summary
    with (tmp_path / "run" / "results.csv").open(encoding="utf-8-sig") as fh:
        assert [row["id"] for row in csv.DictReader(fh)] == ["r0", "r1", "r2"]


def test_stop_cancels_the_requests_in_flight(tiny_server, server_key, tmp_path):
    stop = threading.Event()
    outcome: dict = {}
    with FaultProxy(tiny_server.port, lambda n: "stall") as proxy:
        worker = threading.Thread(target=lambda: outcome.update(result=_run(
            proxy.url, tmp_path / "run", 4, concurrency=2, should_stop=stop.is_set)))
        worker.start()
        for _ in range(2):  # both requests in flight, held by the proxy
            assert proxy.stalled.acquire(timeout=60)
        stop.set()
        worker.join(timeout=60)
        assert not worker.is_alive()
        for _ in range(600):  # the proxy sees both connections close
            if proxy.left_while_stalled == 2:
                break
            threading.Event().wait(0.05)
    assert proxy.left_while_stalled == 2
    assert outcome["result"].status == "cancelled" and outcome["result"].counts["total"] == 0


def test_a_server_that_goes_away_mid_run_is_completed_by_resume(
        tiny_server, server_key, tmp_path):
    out = tmp_path / "run"
    with FaultProxy(tiny_server.port, lambda n: "down" if n == 3 else None) as proxy:
        with pytest.raises(ServerError, match="cannot be reached"):
            _run(proxy.url, out, 6, concurrency=1)
    assert [line["id"] for line in _lines(out)] == ["r0", "r1", "r2"]
    assert RunFolder(out).read_manifest().status == "failed"
    result = _run(tiny_server.url, out, 6, concurrency=1, resume=True)
    ids = [line["id"] for line in _lines(out)]
    assert sorted(ids) == [f"r{i}" for i in range(6)]  # every report exactly once
    assert result.status == "finished" and result.counts["total"] == 6


def test_pluk_extract_on_a_server_connects_to_it_and_nowhere_else(tiny_server, server_key,
                                                                  tmp_path, capsys):
    """The CLI's offline audit (tests/test_cli.py), for a server run: the one connection
    allowed is to the configured host and port; unreadable files never reach it."""
    expected = make_mixed_report_folder(tmp_path / "reports")
    out = tmp_path / "run"
    with recorded_network() as connections:
        code = cli.main(["extract", "--task", TASK, "--input", str(tmp_path / "reports"),
                         "--out", str(out), "--server", tiny_server.url, "--server-model",
                         str(tiny_server.model), "--concurrency", "2", "--api-key-env",
                         KEY_ENV])
    assert code == 0, capsys.readouterr().err
    assert set(connections) == {("127.0.0.1", tiny_server.port)}
    records = {r.id: r for r in RunFolder(out).records()}
    assert len(records) == 30
    for report_id, record in records.items():
        if report_id in expected["good"]:
            assert record.status in ("ok", "invalid") and record.raw is not None
        else:
            assert record.status == "error" and record.raw is None
    assert RunFolder(out).read_manifest().options["server"]["concurrency"] == 2


def test_pluk_dragon_run_on_a_server(tiny_server, server_key, tmp_path):
    from tests.support.dragon_folds import subset_task_folder

    synthetic = Path(__file__).parents[3].parent / "shared" / "dragon" / "synthetic"
    if not (synthetic / "ground-truth").is_dir():
        pytest.skip(f"the DRAGON example data is not at {synthetic}")
    subset_task_folder(synthetic, "Task101_Example_sl_bin_clf", 0, tmp_path, 3)
    out = tmp_path / "out"
    code = cli.main(["dragon", "run", str(tmp_path / "input"), "--out", str(out),
                     "--server", tiny_server.url, "--api-key-env", KEY_ENV])
    assert code == 0
    folder = next(out.iterdir())
    predictions = json.loads((folder / "nlp-predictions-dataset.json").read_text())
    assert len(predictions) == 3
    manifest = RunFolder(folder / "run").read_manifest()
    assert manifest.model.metadata["server"]["variant"] == "llama-cpp-python"
