"""The frozen app's smoke test on Windows and macOS (the release workflow's jobs there); Linux
runs the same checks in linux/ci_smoke.sh.

    BUILD_VENV_PYTHON packaging/frozen_smoke.py APP --engine ENGINE [--wrap CMD ...]

APP is the frozen executable (dist\\windows\\pluk\\pluk.exe, Pluk.app/Contents/MacOS/pluk, or
the installed copy). It runs, each under --wrap (the command that cuts the network: macOS's
sandbox-exec; on Windows a firewall rule blocks the program and --wrap is empty):
  1. `pluk self-test`: ends with OK, used the bundled model, and its engine line names the CPU
     variant loaded (x86 engines), the AMX path off, and for a GPU engine whether the GPU runs
     or the engine fell back to the CPU;
  2. `pluk extract` over a generated folder of mixed reports (txt, md, pdf, docx, rtf, broken
     files) with the bundled self-test model: a finished run, one record per report, exports;
  3. `pluk tasks list` names the built-in tasks.
Run it with the build venv's Python (it has python-docx, which the sample folder needs), from
the repository root. Exit 0 = passed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Engines whose CPU code comes as one module per x86 level (packaging/build_engine.sh).
VARIANT_ENGINES = {"cpu", "cpu-noomp", "cuda", "vulkan"}
GPU_ENGINES = {"cuda", "vulkan"}


def fail(message: str) -> None:
    raise SystemExit(f"frozen_smoke: FAILED: {message}")


def run(wrap: list[str], app: Path, *args: str, home: Path) -> str:
    env_note = f"{' '.join(wrap)} " if wrap else ""
    print(f"== frozen_smoke: {env_note}{app.name} {' '.join(args)}", flush=True)
    env = dict(os.environ, PLUK_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([*wrap, str(app), *args], capture_output=True, text=True,
                          encoding="utf-8", errors="replace", env=env, timeout=1800)
    print(done.stdout + done.stderr, flush=True)
    if done.returncode != 0:
        # A negative code is a signal (POSIX); the engine must never end that way.
        fail(f"{app.name} {args[0]} exited with {done.returncode}")
    return done.stdout


def check_self_test(output: str, engine: str, frozen: bool = True) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines or lines[-1] != "OK":
        fail("the self-test did not end with OK")
    if frozen and "bundled" not in output:
        fail("the self-test did not use the bundled model")
    engine_line = next((line for line in lines if line.startswith("CPU engine")), "")
    if "AMX path: off" not in engine_line:
        fail(f"the AMX path is compiled in, or no engine line: {engine_line!r}")
    if engine in VARIANT_ENGINES and not re.search(
            r"cpu-[A-Za-z0-9_.]+ \((best of [0-9]+ CPU variants|chosen by)", engine_line):
        fail(f"the self-test names no CPU variant: {engine_line!r}")
    if engine in GPU_ENGINES and not re.search(rf"GPU: {engine}|no usable GPU \({engine}",
                                               engine_line):
        fail(f"the self-test says nothing of the {engine} backend: {engine_line!r}")
    return engine_line


def check_run(run_dir: Path, expected: int) -> None:
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    records = [json.loads(line) for line in
               (run_dir / "records.jsonl").read_text(encoding="utf-8").splitlines() if line]
    statuses: dict[str, int] = {}
    for record in records:
        statuses[record["status"]] = statuses.get(record["status"], 0) + 1
    print(f"== frozen_smoke: run {manifest['status']}, {len(records)} records {statuses}")
    if manifest["status"] != "finished":
        fail(f"the run ended {manifest['status']}")
    if len(records) != expected:
        fail(f"{len(records)} records for {expected} reports")
    if statuses.get("ok", 0) < 1 or statuses.get("invalid", 0):
        fail(f"record statuses {statuses}")
    for name in ("results.csv", "results.json", "results.xlsx"):
        if not (run_dir / name).is_file() or (run_dir / name).stat().st_size == 0:
            fail(f"no {name}")


def selftest_model(app: Path) -> Path:
    """The self-test model inside the bundle (PyInstaller's _internal, or the .app's Frameworks
    or Resources, where PyInstaller 6 keeps data files)."""
    for base in (app.parent / "_internal", app.parent.parent / "Resources",
                 app.parent.parent / "Frameworks"):
        model = base / "resources" / "selftest" / "pluk-selftest.gguf"
        if model.is_file():
            return model
    fail(f"no resources/selftest/pluk-selftest.gguf in the bundle of {app}")
    raise AssertionError  # fail() raised


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("app", type=Path)
    parser.add_argument("--engine", required=True)
    parser.add_argument("--source-checkout", action="store_true",
                        help="APP runs the source checkout (this script's own test), whose "
                             "self-test builds its model instead of using a bundled one")
    parser.add_argument("--wrap", nargs=argparse.REMAINDER, default=[],
                        help="the command (and its arguments) to run the app under; last")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from tests.support.report_folder import make_mixed_report_folder

    with tempfile.TemporaryDirectory(prefix="pluk-smoke-") as tmp:
        work = Path(tmp)
        output = run(args.wrap, args.app, "self-test", home=work / "home")
        engine_line = check_self_test(output, args.engine, not args.source_checkout)
        print(f"== frozen_smoke: engine: {engine_line}")
        info = make_mixed_report_folder(work / "reports")
        expected = len(info["good"]) + len(info["bad"])
        run(args.wrap, args.app, "extract", "--task", "radiology_findings_nl", "--input",
            str(work / "reports"), "--model", str(selftest_model(args.app)), "--out",
            str(work / "run"), "--ctx", "4096", home=work / "home")
        check_run(work / "run", expected)
        if "radiology_findings_nl" not in run(args.wrap, args.app, "tasks", "list",
                                              home=work / "home"):
            fail("tasks list does not name radiology_findings_nl")
    print("== frozen_smoke: all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
