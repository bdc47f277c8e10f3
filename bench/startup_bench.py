"""Benchmark (issue 22): `pluk extract`'s fixed start-up on a big vocabulary, and 12 reports end
to end against llama-cpp-python's create_chat_completion with the task's JSON schema.

Fixed start-up: everything a `pluk extract` does before llama.cpp decodes the first token of
the run, less llama.cpp's own model load (the llama_model_load_from_file call), plus any time
the run later waits for llguidance's tokenizer (built on a thread beside the prompt prefix:
the part of it that the prefix does not hide still counts). Measured in this process around
`pluk.cli.main`, with the Python start and imports inside (the clock starts before `pluk` is
imported); a first run warms the caches a second run keeps (sha256, GGUF facts, the load
probe's verdict, the vocabulary table), as any run after the first on a machine has them.

End to end: a child process each, wall clock from start to exit: `pluk extract` (the decoder,
parallel 1, its defaults) and a script that loads the model with llama_cpp.Llama and calls
create_chat_completion per report with Pluk's own messages and `response_format` = the task's
JSON schema (llama-cpp-python turns that into a GBNF grammar), temperature 0, same threads.

    PYTHONPATH=desktop:. .venv/bin/python bench/startup_bench.py [--model gemma3|smollm2|PATH]
        [--reports 12] [--threads 2] [--skip-e2e]
"""

from __future__ import annotations

import time

T0 = time.perf_counter()  # before pluk is imported

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
TASK = "prostate_mri_nl"

_BASELINE = r'''
import json, sys, time
t0 = time.perf_counter()
from llama_cpp import Llama
model, folder, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, sys.argv[4])
from pluk.core.tasks import load_task
from pluk.core.tasks.schema import json_schema
from pluk.core.extraction.prompt import messages_for
from pathlib import Path
task = load_task("%s")
schema = json_schema(task)
llm = Llama(model_path=model, n_ctx=4096, n_threads=threads, n_threads_batch=threads,
            verbose=False, flash_attn=False)
loaded = time.perf_counter()
ok = 0
for path in sorted(Path(folder).glob("*.txt")):
    out = llm.create_chat_completion(messages=messages_for(task, path.read_text()),
        response_format={"type": "json_object", "schema": schema}, temperature=0,
        max_tokens=512)
    try:
        json.loads(out["choices"][0]["message"]["content"]); ok += 1
    except ValueError:
        pass
print(json.dumps({"wall_inside": time.perf_counter() - t0, "load": loaded - t0, "ok": ok}))
''' % TASK


def model_path(name: str) -> Path:
    if name in ("gemma3", "smollm2"):
        sys.path.insert(0, str(REPO))
        from tests.support.real_models import fetch

        return Path(fetch(name))
    return Path(name)


def write_reports(folder: Path, n: int) -> None:
    sys.path.insert(0, str(REPO))
    from tests.support.english_mri import reports

    folder.mkdir(parents=True, exist_ok=True)
    chosen = (reports() * (n // len(reports()) + 1))[:n]
    for i, report in enumerate(chosen):
        (folder / f"r{i:02d}.txt").write_text(report.text, encoding="utf-8")


class Clock:
    """Wraps the engine's native calls to read where the time goes."""

    def __init__(self) -> None:
        self.model_load = 0.0
        self.first_decode_at: float | None = None
        self.tokenizer_after_first_decode = 0.0

    def install(self) -> None:
        import llama_cpp

        from pluk.core.engine import decoder, llg, native

        clock = self
        real_load = llama_cpp.llama_model_load_from_file

        def load(*args):
            started = time.perf_counter()
            try:
                return real_load(*args)
            finally:
                clock.model_load += time.perf_counter() - started

        native.llama_cpp.llama_model_load_from_file = load
        real_decode = native.NativeContext.decode

        def decode(self, batch, abort=None):
            if clock.first_decode_at is None:
                clock.first_decode_at = time.perf_counter()
            return real_decode(self, batch, abort)

        native.NativeContext.decode = decode
        real_build = llg.build_tokenizer

        def build(*args):
            started = time.perf_counter()
            try:
                return real_build(*args)
            finally:
                if clock.first_decode_at is not None:  # built after the run began
                    clock.tokenizer_after_first_decode += time.perf_counter() - started

        decoder.build_tokenizer = build


def startup(model: Path, reports: Path, out: Path, threads: int) -> dict:
    clock = Clock()
    started = T0
    from pluk import cli  # noqa: F401 - its import is part of the start-up

    clock.install()
    code = cli.main(["extract", "--task", TASK, "--input", str(reports), "--model", str(model),
                     "--out", str(out), "--threads", str(threads), "--limit", "1"])
    assert code == 0, code
    fixed = clock.first_decode_at - started - clock.model_load + clock.tokenizer_after_first_decode
    return {"fixed_startup_s": round(fixed, 3), "model_load_s": round(clock.model_load, 3),
            "tokenizer_after_first_decode_s": round(clock.tokenizer_after_first_decode, 3),
            "to_first_decode_s": round(clock.first_decode_at - started, 3)}


def child(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="gemma3")
    parser.add_argument("--reports", type=int, default=12)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--skip-e2e", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    model = model_path(args.model)
    work = Path(tempfile.mkdtemp(prefix="pluk-startup-"))
    env = {**os.environ, "PLUK_HOME": os.environ.get("PLUK_HOME", str(work / "home")),
           "PYTHONPATH": f"{REPO / 'desktop'}{os.pathsep}{REPO}"}
    os.environ["PLUK_HOME"] = env["PLUK_HOME"]
    reports = work / "reports"
    write_reports(reports, args.reports)
    if args.child:  # one measured start-up, caches as the parent left them
        print(json.dumps(startup(model, reports, work / "run", args.threads)))
        return 0
    me = [sys.executable, __file__, "--model", str(model), "--reports", str(args.reports),
          "--threads", str(args.threads), "--child"]
    runs = []
    for label in ("cold caches", "warm caches", "warm caches"):
        done = subprocess.run(me, check=True, env=env, capture_output=True, text=True)
        runs.append({"run": label, **json.loads(done.stdout.strip().splitlines()[-1])})
    result = {"model": model.name, "threads": args.threads, "reports": args.reports,
              "date": str(date.today()), "machine": platform.processor() or platform.machine(),
              "startup": runs}
    if not args.skip_e2e:
        pluk = [sys.executable, "-m", "pluk.cli", "extract", "--task", TASK, "--input",
                str(reports), "--model", str(model), "--out", str(work / "e2e"), "--threads",
                str(args.threads)]
        baseline = [sys.executable, "-c", _BASELINE, str(model), str(reports),
                    str(args.threads), str(REPO / "desktop")]
        walls = {"pluk": [], "llama_cpp_python": []}
        for _ in range(2):
            for name, cmd in (("pluk", pluk), ("llama_cpp_python", baseline)):
                if name == "pluk":
                    subprocess.run(["rm", "-rf", str(work / "e2e")], check=True)
                walls[name].append(round(child(cmd, env), 2))
        best = {k: min(v) for k, v in walls.items()}
        result["end_to_end_s"] = walls
        result["speedup_vs_llama_cpp_python"] = round(best["llama_cpp_python"] / best["pluk"], 2)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
