"""The self-test: proves an installed Pluk works on this machine, offline, in a few seconds.

It loads the tiny random-weight self-test model (shipped in bundles as
resources/selftest/pluk-selftest.gguf, built at packaging time; from a source checkout it is
built into a temporary folder), runs one grammar-constrained extraction of a built-in task over
a built-in sample report through the same `run_job` the CLI and GUI use, and checks that nothing
tried to open a network connection meanwhile. The answer's content is meaningless (random
weights); that it is valid, and that every library loaded, is the point.

The network check patches Python's socket layer for the duration (`NetworkGuard`): it records
and refuses every connection attempt to an internet address. Native code that opens sockets
itself (none in llama.cpp's CPU path) is beyond it; CI also runs the self-test under
`unshare -n`, which has no network at all.
"""

from __future__ import annotations

import platform
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pluk import __version__
from pluk.core import paths

SELFTEST_MODEL_NAME = "pluk-selftest.gguf"

# A deliberately small task that still exercises every kind of constraint the grammar handles.
SELFTEST_TASK: dict[str, Any] = {
    "format_version": 1,
    "id": "pluk_self_test",
    "title": "Self-test: a few facts of a radiology report",
    "description": "Read the radiology report and return its modality, whether a lesion is "
                   "described, the size of the largest lesion and whether follow-up is advised.",
    "language": "nl",
    "fields": [
        {"name": "modality", "type": "enum", "values": ["CT", "MRI", "X-ray", "other"],
         "description": "The imaging modality."},
        {"name": "lesion", "type": "bool", "description": "Whether a lesion is described."},
        # No maximum: random weights run away on digits, and a value above a maximum is
        # refused (null with the reason), which would fail this check of the install.
        {"name": "largest_mm", "type": "float", "unit": "mm", "optional": True,
         "minimum": 0, "description": "Largest lesion diameter in mm."},
        {"name": "organ", "type": "string", "max_length": 20, "optional": True,
         "description": "The organ of the largest lesion."},
        {"name": "follow_up", "type": "bool", "description": "Whether follow-up is advised."},
    ],
}

# Invented; no real patient data.
SELFTEST_REPORT = (
    "CT thorax met contrast.\n"
    "Vergeleken met het onderzoek van vorig jaar.\n"
    "Nieuwe nodus in de rechter bovenkwab van 12 mm. Geen pleuravocht. Geen lymfadenopathie.\n"
    "Conclusie: nieuwe longnodus rechts, controle CT over 3 maanden geadviseerd.\n"
)


# -- the network guard ------------------------------------------------------------------------

@dataclass
class NetworkGuard:
    """Records (and refuses) every attempt to connect a socket to a network address while
    active. Local AF_UNIX connections (for example a D-Bus or X11 socket) are recorded as local
    and let through: they never leave the machine."""

    attempts: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)
    _saved: dict[str, Any] = field(default_factory=dict)

    def _check(self, sock: socket.socket | None, address: Any, how: str) -> bool:
        family = getattr(sock, "family", None)
        if family == getattr(socket, "AF_UNIX", object()):
            self.local.append(f"{how} {address!r}")
            return True
        self.attempts.append(f"{how} {address!r}")
        return False

    def __enter__(self) -> "NetworkGuard":
        guard = self
        self._saved = {"connect": socket.socket.connect, "connect_ex": socket.socket.connect_ex,
                       "create_connection": socket.create_connection}
        real_connect, real_connect_ex = self._saved["connect"], self._saved["connect_ex"]

        def connect(sock, address):
            if guard._check(sock, address, "connect"):
                return real_connect(sock, address)
            raise ConnectionRefusedError(f"pluk self-test: network access blocked ({address!r})")

        def connect_ex(sock, address):
            if guard._check(sock, address, "connect_ex"):
                return real_connect_ex(sock, address)
            return 111  # ECONNREFUSED

        def create_connection(address, *args, **kwargs):
            guard._check(None, address, "create_connection")
            raise ConnectionRefusedError(f"pluk self-test: network access blocked ({address!r})")

        socket.socket.connect = connect
        socket.socket.connect_ex = connect_ex
        socket.create_connection = create_connection
        return self

    def __exit__(self, *exc) -> None:
        socket.socket.connect = self._saved["connect"]
        socket.socket.connect_ex = self._saved["connect_ex"]
        socket.create_connection = self._saved["create_connection"]


# -- the self-test model ----------------------------------------------------------------------

def bundled_selftest_model() -> Path:
    return paths.resources_dir() / "selftest" / SELFTEST_MODEL_NAME


def build_selftest_model(path: str | Path) -> Path:
    """Write the self-test model (tiny, random weights, ChatML, deterministic) to `path`.
    The packaging scripts call this; nothing else ships it."""
    from pluk.core.models.random_model import ModelShape, build_random_gguf

    # Q4_0, as the models users run: the F32 model of earlier releases never reached the CPU
    # code that crashes on AMX Xeons (quantized matrix products of batches), so the self-test
    # said OK where every extraction died. Its shapes are multiples of llama.cpp's AMX tiles.
    return build_random_gguf(path, ModelShape(n_embd=64, n_layer=2, n_ff=128,
                                              context_length=2048, quantization="Q4_0",
                                              seed=20240601))


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False) and getattr(sys, "_MEIPASS", None))


# -- the test ---------------------------------------------------------------------------------

class SelfTestFailed(Exception):
    pass


@dataclass
class SelfTestResult:
    ok: bool
    lines: list[tuple[str, str]]
    reason: str | None = None
    network_attempts: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def render(self) -> str:
        width = max((len(k) for k, _ in self.lines), default=0)
        out = ["Pluk self-test"] + [f"  {k.ljust(width)}  {v}" for k, v in self.lines]
        out.append("OK" if self.ok else f"FAILED: {self.reason}")
        return "\n".join(out)


def _size(path: Path) -> str:
    n = path.stat().st_size
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def run_self_test(model_path: str | Path | None = None, *,
                  on_line: Callable[[str, str], None] | None = None) -> SelfTestResult:
    """Run every check; never raises. `on_line(key, value)` sees each report line as it comes,
    so a hang is visible in the CLI."""
    lines: list[tuple[str, str]] = []
    start = time.perf_counter()

    def say(key: str, value: str) -> None:
        lines.append((key, value))
        if on_line:
            on_line(key, value)

    guard = NetworkGuard()
    reason: str | None = None
    try:
        with guard, tempfile.TemporaryDirectory(prefix="pluk-selftest-") as tmp:
            _checks(Path(tmp), model_path, say)
    except SelfTestFailed as exc:
        reason = str(exc)
    except Exception as exc:  # the self-test reports anything, it never crashes
        reason = f"{type(exc).__name__}: {exc}"
    say("Network attempts", str(len(guard.attempts))
        + (f" ({'; '.join(guard.attempts[:3])})" if guard.attempts else ""))
    if reason is None and guard.attempts:
        reason = f"{len(guard.attempts)} network connection attempt(s): {guard.attempts[0]}"
    seconds = time.perf_counter() - start
    say("Time", f"{seconds:.1f} s")
    return SelfTestResult(ok=reason is None, lines=lines, reason=reason,
                          network_attempts=list(guard.attempts), seconds=seconds)


def _checks(tmp: Path, model_path: str | Path | None, say: Callable[[str, str], None]) -> None:
    try:  # the model manager's no-network default, where that module exists
        from pluk.core.models.offline import enforce_offline_env
    except ImportError:
        pass
    else:
        enforce_offline_env()

    say("Pluk", __version__)
    say("Python", f"{platform.python_version()} ({platform.system()} {platform.machine()})")
    say("Running from", f"frozen bundle {sys._MEIPASS}" if is_frozen() else
        f"Python package {Path(__file__).resolve().parent.parent}")

    try:
        from pluk.core.engine.native import engine_versions

        versions = engine_versions()
    except Exception as exc:
        raise SelfTestFailed(f"llama-cpp-python cannot be loaded: {type(exc).__name__}: {exc}")
    say("llama-cpp-python", versions["llama_cpp_python"])
    say("llama.cpp", f"{versions['llama_cpp']} (ggml {versions['ggml']})")
    from pluk.core.models.hardware import detect_cpu

    cpu_model, _cores, cpu_flags = detect_cpu()
    say("CPU", f"{cpu_model or platform.machine()}"
        + (f" ({' '.join(cpu_flags)})" if cpu_flags else ""))
    say("CPU engine", versions["cpu_engine"])
    say("Engine compiled for", versions["system_info"])

    tasks_dir, resources = paths.builtin_tasks_dir(), paths.resources_dir()
    say("Data root", str(tasks_dir.parent))
    from pluk.core.tasks import list_tasks
    from pluk.core.tasks.loader import parse_task

    tasks, problems = list_tasks()
    builtin = [t for p, t in tasks if tasks_dir in p.parents]
    say("Built-in tasks", f"{len(builtin)} in {tasks_dir}"
        + (f", {len(problems)} invalid" if problems else ""))
    if not builtin:
        raise SelfTestFailed(f"no built-in tasks found in {tasks_dir}")
    catalogue = resources / "models.json"
    say("Model catalogue", str(catalogue) if catalogue.is_file() else f"missing ({catalogue})")
    if not catalogue.is_file():
        raise SelfTestFailed(f"the model catalogue is missing: {catalogue}")
    for key, getter in (("User data", paths.user_data_dir), ("User config", paths.user_config_dir),
                        ("User cache", paths.user_cache_dir), ("Logs", paths.user_log_dir),
                        ("Models", paths.models_dir)):
        say(key, str(getter()))
    try:
        from pluk.core.models.bundle import bundled_models_dir

        shipped = bundled_models_dir()
        if shipped is not None:
            say("Bundled models", f"{len(list(shipped.glob('*.gguf')))} in {shipped}")
    except ImportError:
        pass

    if model_path is not None:
        model, origin = Path(model_path), "given"
    elif bundled_selftest_model().is_file():
        model, origin = bundled_selftest_model(), "bundled"
    elif is_frozen():
        raise SelfTestFailed(f"the bundled self-test model is missing: {bundled_selftest_model()}")
    else:
        model, origin = build_selftest_model(tmp / SELFTEST_MODEL_NAME), "built for this test"
    if not model.is_file():
        raise SelfTestFailed(f"model file not found: {model}")
    say("Self-test model", f"{model} ({origin}, {_size(model)})")

    from pluk.core.extraction.job import run_job
    from pluk.core.options import ContextOptions, RunOptions
    from pluk.core.readers import read_inputs

    task = parse_task(SELFTEST_TASK, "pluk.core.diagnostics.self_test")
    sample = tmp / "reports"
    sample.mkdir()
    (sample / "sample_report.txt").write_text(SELFTEST_REPORT, encoding="utf-8")
    reports = read_inputs([str(sample)])
    if len(reports) != 1 or reports[0].error:
        raise SelfTestFailed(f"the sample report could not be read: {reports}")
    t0 = time.perf_counter()
    options = RunOptions(context=ContextOptions(ctx_cap=2048))  # seed and temperature 0
    result = run_job(task, reports, model, tmp / "run", options,
                     inputs=[str(sample)])
    seconds = time.perf_counter() - t0
    counts = ", ".join(f"{v} {k}" for k, v in result.counts.items() if v and k != "total")
    say("Extraction", f"{result.status}, {counts} in {seconds:.1f} s (n_ctx {result.n_ctx})")
    if result.status != "finished" or result.counts.get("ok") != 1:
        raise SelfTestFailed(f"the extraction did not produce one valid record: "
                             f"status {result.status}, counts {result.counts}")
    # The run decoded its prompt in batches of many tokens on a quantized model, as every
    # extraction does; the load probe ran one first and says how the engine had to run it.
    from pluk.core.runs.folder import RunFolder

    facts = RunFolder(Path(result.run_dir)).read_manifest().engine_facts or {}
    say("Engine fallback", facts.get("fallback") or "none (llama.cpp's default way)")
    missing = [e for e in result.exports if not Path(e).is_file()]
    if missing:
        raise SelfTestFailed(f"exports were not written: {missing}")
    say("Exports", ", ".join(Path(e).suffix.lstrip(".") for e in result.exports))
