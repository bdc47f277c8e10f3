"""An engine that dies while computing never ends a run with a signal (issue 22).

On AMX Xeons llama.cpp's AMX path dies of a general protection fault on the first batch of more
than one token; loading works. This machine cannot show that crash itself (the suite's engine is
built without the AMX path, and the test below checks it), so the crash is injected into the
load probe's child (PLUK_TEST_PROBE_FAULT: the child kills itself with SIGSEGV where llama.cpp
would), and everything around it is real: the child processes, the fallback load with
use_extra_bufts off in llama.cpp, the run, its manifest and the CLI's words."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pluk import cli
from pluk.core.errors import ModelError
from pluk.core.models import backends, load_probe
from pluk.core.models.gguf_info import file_sha256
from pluk.core.models.random_model import ModelShape, build_random_gguf

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def q4_model(tmp_path_factory) -> Path:
    """Quantized, in shapes llama.cpp's AMX and repack paths accept (multiples of 32)."""
    return build_random_gguf(tmp_path_factory.mktemp("probe") / "q4.gguf",
                             ModelShape(n_embd=64, n_ff=128, quantization="Q4_0", seed=7))


def _extract(tmp_path: Path, model: Path, fault: str | None) -> subprocess.CompletedProcess:
    reports = tmp_path / "in"
    reports.mkdir(exist_ok=True)
    (reports / "a.txt").write_text("PSA 5,2 ng/ml. PI-RADS 4.", encoding="utf-8")
    (reports / "b.txt").write_text("PSA 12. Geen extraprostatische uitbreiding.",
                                   encoding="utf-8")
    env = {**os.environ, "PLUK_HOME": os.environ["PLUK_HOME"]}
    env.pop(load_probe.FAULT_ENV, None)
    if fault:
        env[load_probe.FAULT_ENV] = fault
    return subprocess.run(
        [sys.executable, "-m", "pluk.cli", "extract", "--task", "prostate_mri_nl",
         "--input", str(reports), "--model", str(model), "--out", str(tmp_path / "run"),
         "--threads", "1"],
        capture_output=True, text=True, cwd=REPO, timeout=300, env=env)


def test_the_installed_engine_has_no_amx_path():
    """What the README's install and .ci/run build: llama.cpp's CPU code without AMX (or an
    installer's variant other than the AMX one), on any CPU."""
    variant = backends.describe()
    assert not variant.amx_compiled, variant.features
    assert variant.cpu_variant not in backends.AMX_VARIANTS


def test_a_probe_that_computes_runs_a_batch_and_caches_a_clean_verdict(q4_model):
    result = load_probe.probe_load(q4_model)
    assert not result.crashes and result.fallback is None
    assert load_probe.known_verdict(file_sha256(q4_model)) == result


def test_a_crash_while_computing_takes_the_fallback_and_the_run_says_so(tmp_path, q4_model):
    done = _extract(tmp_path, q4_model, "compute")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "finished"
    fallback = manifest["engine_facts"]["fallback"]
    assert fallback.startswith("without llama.cpp's extra buffer types")
    assert "crashed while computing" in fallback and "SIGSEGV" in fallback
    records = (tmp_path / "run" / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(records) == 2
    # The verdict is cached: a second run takes the fallback without a child dying again.
    verdict = load_probe.known_verdict(file_sha256(q4_model))
    assert verdict is not None and verdict.fallback == "no_extra_bufts"


def test_the_fallback_is_named_by_pluk_hardware(tmp_path, q4_model, capsys):
    os.environ[load_probe.FAULT_ENV] = "compute"
    try:
        assert cli.main(["models", "import", str(q4_model)]) == 0
    finally:
        del os.environ[load_probe.FAULT_ENV]
    capsys.readouterr()
    assert cli.main(["hardware"]) == 0
    out = capsys.readouterr().out
    assert "Engine:   native build" in out or "Engine:   cpu-" in out
    assert "AMX path: off" in out
    assert "runs without llama.cpp's extra buffer types" in out


def test_an_engine_that_dies_every_way_is_one_sentence_not_a_signal(tmp_path, q4_model):
    done = _extract(tmp_path, q4_model, "compute-always")
    assert done.returncode == 2, (done.returncode, done.stderr)
    errors = [line for line in done.stderr.splitlines() if line.startswith("pluk: error:")]
    assert len(errors) == 1 and "Traceback" not in done.stderr
    assert "llama.cpp crashes when it computes with q4.gguf on this machine" in errors[0]
    assert "also without its extra buffer types" in errors[0]
    assert not (tmp_path / "run" / "manifest.json").exists()


def test_a_model_that_dies_loading_is_still_refused_as_a_load(tmp_path, q4_model):
    os.environ[load_probe.FAULT_ENV] = "load"
    try:
        with pytest.raises(ModelError, match="llama.cpp cannot load q4.gguf: it crashes"):
            load_probe.check_loads(q4_model)
    finally:
        del os.environ[load_probe.FAULT_ENV]


def test_the_self_test_runs_a_quantized_model_and_names_the_engine(capsys):
    assert cli.main(["self-test"]) == 0
    out = capsys.readouterr().out
    assert "(built for this test" in out and "OK" in out.splitlines()[-1]
    for line in ("CPU engine", "Engine compiled for", "Engine fallback"):
        assert line in out
    from pluk.core.diagnostics.self_test import build_selftest_model
    from pluk.core.models.gguf_info import read_gguf_info

    model = build_selftest_model(Path(os.environ["PLUK_HOME"]) / "st.gguf")
    assert read_gguf_info(model).quantization == "Q4_0"


# -- choosing among an installer's CPU variants ------------------------------------------------

def test_the_best_variant_is_chosen_and_amx_never():
    scores = {"x64": 1, "haswell": 40, "icelake": 90, "sapphirerapids": 200, "zen4": 0}
    assert backends.choose_variant(scores) == ("icelake", ["sapphirerapids (AMX)"])
    assert backends.choose_variant(scores, allow_amx=True)[0] == "sapphirerapids"
    assert backends.choose_variant({"zen4": 0, "sapphirerapids": 0}) == (None, [])


def test_variant_files_are_found_by_name(tmp_path):
    prefix, suffix = ("", ".dll") if sys.platform == "win32" else ("lib", ".so")
    for name in ("ggml-cpu-haswell", "ggml-cpu-zen4", "ggml-cpu-sapphirerapids", "ggml-base",
                 "ggml-cuda"):
        (tmp_path / f"{prefix}{name}{suffix}").write_bytes(b"")
    assert sorted(backends.cpu_variant_files(tmp_path)) == ["haswell", "sapphirerapids", "zen4"]
    assert list(backends.gpu_backend_files(tmp_path)) == ["cuda"]
    assert backends.variant_score(tmp_path / f"{prefix}ggml-cpu-zen4{suffix}") == 0  # not a lib


def test_a_forced_variant_must_exist_and_run_on_this_cpu():
    scores = {"x64": 1, "haswell": 40, "zen4": 0}
    assert backends._forced("haswell", scores) == {"haswell": 40}
    with pytest.raises(OSError, match="no such CPU variant"):
        backends._forced("icelake", scores)
    with pytest.raises(OSError, match="cannot run that variant"):
        backends._forced("zen4", scores)
