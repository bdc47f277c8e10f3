"""Benchmark: reports per minute through the server engine (engine/server.py) against a local
OpenAI-compatible server at concurrency 1, 2 and 4.

By default it starts llama-cpp-python's server (`python -m llama_cpp.server`, the dev extra) on
127.0.0.1 with the given model. That server (0.3.36) has no parallel slots: one global lock
answers one request at a time, so concurrency there only overlaps HTTP and parsing with the
next request's wait; the numbers show what the client adds, not parallel decoding. Point
`--url` at a llama-server started with `-np 4` (or vLLM) to measure parallel slots:

    PYTHONPATH=. .venv/bin/python bench/server_bench.py --model M.gguf --reports 16
    PYTHONPATH=. .venv/bin/python bench/server_bench.py --url http://127.0.0.1:8080 --reports 32

Each concurrency runs the same reports into a fresh run folder through run_job (as
`pluk extract --server` does) and prints one JSON line: concurrency, reports, seconds,
reports per minute, and the records' statuses.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "desktop"))


def _reports(n: int):
    from pluk.core.readers.reports import Report
    from tests.support.english_mri import reports

    base = reports()
    return [Report.from_text(id=f"r{i:03d}", source="bench", format="txt",
                             text=base[i % len(base)].text) for i in range(n)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a GGUF for llama-cpp-python's server")
    parser.add_argument("--url", help="an already running server instead of --model")
    parser.add_argument("--reports", type=int, default=16)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--n-ctx", type=int, default=4096)
    parser.add_argument("--no-probabilities", action="store_true",
                        help="send no logprobs request (llama-cpp-python sorts the whole "
                             "vocabulary per token in Python for them)")
    args = parser.parse_args()
    if bool(args.model) == bool(args.url):
        parser.error("give --model or --url")

    from pluk.core.extraction.job import run_job
    from pluk.core.options import DecodingOptions, RunOptions, ServerOptions
    from pluk.core.tasks import load_task
    from tests.support.llama_server import start_server

    work = Path(tempfile.mkdtemp(prefix="pluk-server-bench-"))
    server = None
    if args.model:
        server = start_server(args.model, work / "server.log", n_ctx=args.n_ctx)
    url = args.url or server.url
    task = load_task("prostate_mri_nl")
    reports = _reports(args.reports)
    try:
        # One report first, so the server's first prompt (no cached prefix yet) is not timed.
        warm = RunOptions(server=ServerOptions(url=url))
        run_job(task, reports[:1], None, work / "warm", warm)
        for n in args.concurrency:
            options = RunOptions(server=ServerOptions(url=url, concurrency=n),
                                 decoding=DecodingOptions(
                                     probabilities=not args.no_probabilities))
            started = time.perf_counter()
            result = run_job(task, reports, None, work / f"c{n}", options)
            seconds = time.perf_counter() - started
            print(json.dumps({"concurrency": n, "reports": len(reports),
                              "seconds": round(seconds, 2),
                              "reports_per_minute": round(60 * len(reports) / seconds, 1),
                              "counts": result.counts}), flush=True)
    finally:
        if server is not None:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
