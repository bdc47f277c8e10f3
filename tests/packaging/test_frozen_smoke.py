"""packaging/frozen_smoke.py, the Windows and macOS release jobs' smoke test, run here against
the source checkout's app behind a launcher script laid out like a frozen bundle (pluk beside
_internal/resources/selftest/pluk-selftest.gguf): its self-test, extract and checks pass, and
its checks fail on a self-test that did not end with OK or names no CPU variant."""

from __future__ import annotations

import importlib.util
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _smoke():
    spec = importlib.util.spec_from_file_location("pluk_frozen_smoke",
                                                  ROOT / "packaging" / "frozen_smoke.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(sys.platform == "win32", reason="the launcher is a shell script")
def test_the_smoke_test_passes_on_a_working_app(tmp_path):
    from pluk.core.diagnostics.self_test import build_selftest_model

    bundle = tmp_path / "pluk"
    build_selftest_model(bundle / "_internal" / "resources" / "selftest" / "pluk-selftest.gguf")
    app = bundle / "pluk"
    app.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'import sys; from pluk.cli import main; "
                   "sys.exit(main(sys.argv[1:]))' \"$@\"\n")
    app.chmod(app.stat().st_mode | stat.S_IXUSR)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "desktop"))
    # The source checkout's engine is a native build: "metal" asks for no CPU variant line.
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "frozen_smoke.py"), str(app),
                           "--engine", "metal", "--source-checkout", "--wrap", "env", "PLUK_SMOKE_WRAPPED=1"],
                          capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "frozen_smoke: all passed" in done.stdout
    assert "env PLUK_SMOKE_WRAPPED=1 pluk self-test" in done.stdout


def test_the_self_test_checks_fail_where_they_should():
    smoke = _smoke()
    ok = ("  CPU engine  cpu-haswell (best of 13 CPU variants for this CPU); no usable GPU "
          "(cuda: no NVIDIA driver found (nvcuda.dll)): running on the CPU; AMX path: off\n"
          "model: bundled\nOK\n")
    assert "cpu-haswell" in smoke.check_self_test(ok, "cuda")
    with pytest.raises(SystemExit, match="did not end with OK"):
        smoke.check_self_test(ok.replace("OK\n", "FAILED: x\n"), "cuda")
    with pytest.raises(SystemExit, match="names no CPU variant"):
        smoke.check_self_test(ok.replace("cpu-haswell (best of 13", "native (one"), "cpu")
    with pytest.raises(SystemExit, match="says nothing of the cuda backend"):
        smoke.check_self_test(ok.replace("no usable GPU (cuda", "x"), "cuda")
    with pytest.raises(SystemExit, match="AMX path"):
        smoke.check_self_test(ok.replace("AMX path: off", "AMX path: compiled in"), "cpu")
