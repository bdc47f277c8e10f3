"""Owns one question about a model file: can this machine's engine load it and compute with it
without the process dying?

llama.cpp answers some damaged or exotic files with an exception, and others with a GGML_ASSERT
that aborts the whole process (the CLI dies without a word, the window vanishes, the run's
manifest stays "running"). Some machines make it die while computing: on current Intel Xeons
llama.cpp's AMX matrix path raises a general protection fault on the first batch of more than
one token (llama.cpp #20824); an engine built for a newer CPU dies of an illegal instruction;
a broken GPU driver kills it. A load alone never shows those.

gguf_info refuses what a reading of the file can foresee. For the rest a child process
(multiprocessing "spawn": the same in a source checkout and a frozen bundle, whose entry point
calls freeze_support) loads the file as the engine would and decodes a batch of eight tokens,
then one more token. If it dies, the next way of running it is tried, each in a fresh child:
- without llama.cpp's extra buffer types (no AMX buffers and no CPU weight repacking: the AMX
  crash's workaround, a little slower);
- with no layers on the GPU (a run that asked for GPU layers).
The first way that works is the verdict, with the fallback it needed and why; the engine loads
the model that way (engine/model.py) and the run's manifest and the window say so. When none
works, the file is refused with what llama.cpp printed as it died, never a silent signal.

The answer is cached per file sha256, engine build and CPU (a copy of the file, such as the
models folder's, is not probed again), so it is paid once per file and machine, not per run.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import multiprocessing
import os
import platform
import re
import signal
import sys
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from pluk.core import paths
from pluk.core.errors import ModelError

log = logging.getLogger(__name__)

# A model maps in seconds; the child's own start (importing llama_cpp) takes about one. A probe
# that outlives this says nothing, and the load goes ahead in-process as it did before probes.
PROBE_TIMEOUT_S = 300.0
_CRASH_SIGNALS = {signal.SIGABRT, signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE}
# The lines llama.cpp writes as it dies; the first one found is the reason.
_FATAL = re.compile(r"GGML_ASSERT|error|failed|terminate", re.IGNORECASE)


Fallback = Literal["no_extra_bufts", "no_gpu_layers"]
# What each fallback means, for the manifest, `pluk hardware` and the window.
FALLBACK_TEXT = {
    "no_extra_bufts": "without llama.cpp's extra buffer types (no AMX, no weight repacking)",
    "no_gpu_layers": "on the CPU only (no layers on the GPU)",
}
# A test seam: the child raises this signal at the named phase, to prove the parent copes.
# "compute" dies only with extra buffer types on (as the AMX crash does), "compute-always"
# and "load" die every time.
FAULT_ENV = "PLUK_TEST_PROBE_FAULT"


class ProbeResult(BaseModel):
    crashes: bool  # no way of running it kept the process alive
    reason: str | None = None  # what llama.cpp printed as it died (the first attempt)
    phase: Literal["load", "compute"] | None = None  # where the first attempt died
    fallback: Fallback | None = None  # the way that worked, when the default did not
    n_gpu_layers: int = 0  # the GPU layers the probe was asked for

    def fallback_text(self) -> str | None:
        if self.fallback is None:
            return None
        return (f"{FALLBACK_TEXT[self.fallback]}: the default crashed while "
                f"{'loading' if self.phase == 'load' else 'computing'} ({self.reason})")


class _Attempt(BaseModel):
    extra_bufts: bool = True
    n_gpu_layers: int = 0
    fallback: Fallback | None = None


def _attempts(n_gpu_layers: int) -> list[_Attempt]:
    ways = [_Attempt(n_gpu_layers=n_gpu_layers),
            _Attempt(extra_bufts=False, n_gpu_layers=n_gpu_layers, fallback="no_extra_bufts")]
    if n_gpu_layers:
        ways.append(_Attempt(extra_bufts=False, n_gpu_layers=0, fallback="no_gpu_layers"))
    return ways


def _engine_version() -> str:
    # The module's own version, not the distribution's metadata: a frozen bundle has no
    # metadata for llama_cpp_python, and "unknown" would keep a cached verdict across engines.
    try:
        import llama_cpp
        return llama_cpp.__version__
    except ImportError:
        return "unknown"


@functools.cache  # one engine and CPU per process: read once, not per model
def _machine_key() -> str:
    """The engine build and CPU a verdict holds for: an AMX crash is this machine's."""
    try:
        from pluk.core.models.backends import describe

        variant = describe()
        engine = f"{variant.build}:{variant.cpu_variant}:{variant.features}"
    except (ImportError, OSError) as exc:
        engine = f"unloadable:{exc}"
    cpu = platform.processor() or platform.machine()
    try:
        from pluk.core.models.hardware import detect_cpu

        model, _cores, features = detect_cpu()
        cpu = f"{model}:{','.join(features or [])}"
    except ImportError:
        pass
    digest = hashlib.sha256(f"{engine}|{cpu}".encode("utf-8")).hexdigest()[:16]
    return f"llama-cpp-python {_engine_version()}|{digest}"


def _cache_file() -> Path:
    return paths.user_cache_dir() / "load-probe-cache.json"


def _read_cache() -> dict[str, dict]:
    try:
        return json.loads(_cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_cache(key: str, result: ProbeResult) -> None:
    """Best effort: a cache that cannot be written (a full disk) costs a probe next time."""
    cache = _read_cache()
    cache[key] = result.model_dump()
    target = _cache_file()
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(cache, indent=0), encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        log.warning("could not write the load probe cache %s: %s", target, exc)


def _fault(phase: str, attempt: dict) -> None:
    fault = os.environ.get(FAULT_ENV, "")
    if (fault == "load" == phase or (fault == "compute-always" and phase == "compute")
            or (fault == "compute" == phase and attempt["extra_bufts"])):
        print(f"pluk test fault: injected crash while {phase}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGSEGV)


def _child(model_path: str, log_path: str, phase_path: str, attempt: dict) -> None:
    """Load the model as the engine does, then decode a batch of 8 tokens and one more.
    stderr goes to `log_path` so the parent can read the assert; `phase_path` says how far it
    got. A Python exception is a clean refusal the engine reports itself later."""
    os.environ["GGML_NO_BACKTRACE"] = "1"  # ggml would otherwise start gdb for a backtrace
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)

    def reached(phase: str) -> None:
        Path(phase_path).write_text(phase, encoding="utf-8")

    try:
        import llama_cpp

        from pluk.core.models.backends import ensure_loaded

        ensure_loaded()
        llama_cpp.llama_backend_init()
        params = llama_cpp.llama_model_default_params()
        params.n_gpu_layers = attempt["n_gpu_layers"]
        params.use_extra_bufts = attempt["extra_bufts"]
        reached("load")
        _fault("load", attempt)
        model = llama_cpp.llama_model_load_from_file(model_path.encode("utf-8"), params)
        if not model:
            return
        reached("compute")
        cparams = llama_cpp.llama_context_default_params()
        cparams.n_ctx = cparams.n_batch = cparams.n_ubatch = 64
        cparams.n_threads = cparams.n_threads_batch = min(4, os.cpu_count() or 1)
        if attempt["n_gpu_layers"] == 0:  # as the decoder runs on the CPU
            cparams.flash_attn_type = llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED
        ctx = llama_cpp.llama_init_from_model(model, cparams)
        if not ctx:
            return
        n_vocab = llama_cpp.llama_vocab_n_tokens(llama_cpp.llama_model_get_vocab(model))
        _fault("compute", attempt)
        for tokens in ([min(i, n_vocab - 1) for i in range(1, 9)], [min(9, n_vocab - 1)]):
            array = (llama_cpp.llama_token * len(tokens))(*tokens)
            if llama_cpp.llama_decode(ctx, llama_cpp.llama_batch_get_one(array, len(tokens))):
                return
            llama_cpp.llama_synchronize(ctx)
        reached("done")
    except BaseException:  # noqa: BLE001 - an exception is a clean refusal the engine reports
        pass


def _reason(log_text: str, signum: int) -> str:
    lines = [line.strip() for line in log_text.splitlines() if line.strip()]
    fatal = [line for line in lines if _FATAL.search(line)]
    line = (fatal or lines or [""])[-1]  # the assert is the last thing llama.cpp says
    # "/tmp/pip-.../llama-model.cpp:1328: GGML_ASSERT(...) failed" -> the assert itself
    line = re.sub(r"^\S+\.(?:cpp|c|h):\d+:\s*", "", line)[:300]
    name = signal.Signals(signum).name
    return f"{line} ({name})" if line else name


class _Died(BaseModel):
    phase: Literal["load", "compute"]
    reason: str


def _run_child(path: Path, attempt: _Attempt) -> _Died | bool | None:
    """True: it ran; _Died: it crashed; None: the child could not say (killed, timed out,
    failed to start)."""
    fd, log_name = tempfile.mkstemp(prefix="pluk-load-probe-", suffix=".log")
    os.close(fd)
    phase_name = log_name.removesuffix(".log") + ".phase"
    try:
        process = multiprocessing.get_context("spawn").Process(
            target=_child, args=(str(path), log_name, phase_name, attempt.model_dump()),
            daemon=True)
        process.start()
        process.join(PROBE_TIMEOUT_S)
        if process.is_alive():
            process.kill()
            process.join()
            log.warning("the load probe of %s took over %.0f s; loading it without one",
                        path.name, PROBE_TIMEOUT_S)
            return None
        code = process.exitcode
        if code == 0:
            return True
        if code is not None and code < 0 and -code in _CRASH_SIGNALS:
            text = Path(log_name).read_text(encoding="utf-8", errors="replace")
            try:
                phase = Path(phase_name).read_text(encoding="utf-8")
            except OSError:
                phase = "load"
            return _Died(phase="compute" if phase in ("compute", "done") else "load",
                         reason=_reason(text, -code))
        log.warning("the load probe of %s ended with code %s; loading it without one",
                    path.name, code)
        return None
    except OSError as exc:
        log.warning("could not probe %s in a child process: %s", path.name, exc)
        return None
    finally:
        Path(log_name).unlink(missing_ok=True)
        Path(phase_name).unlink(missing_ok=True)


def _run_probe(path: Path, n_gpu_layers: int = 0) -> ProbeResult | None:
    """The verdict of the first way of running `path` that works; None when a child could
    not say."""
    first: _Died | None = None
    for attempt in _attempts(n_gpu_layers):
        outcome = _run_child(path, attempt)
        if outcome is None:
            return None
        if outcome is True:
            if first is None:
                return ProbeResult(crashes=False, n_gpu_layers=n_gpu_layers)
            log.warning("%s crashed the engine while %s (%s); it runs %s", path.name,
                        "loading" if first.phase == "load" else "computing", first.reason,
                        FALLBACK_TEXT[attempt.fallback])
            return ProbeResult(crashes=False, reason=first.reason, phase=first.phase,
                               fallback=attempt.fallback, n_gpu_layers=n_gpu_layers)
        first = first or outcome
    return ProbeResult(crashes=True, reason=first.reason, phase=first.phase,
                       n_gpu_layers=n_gpu_layers)


def probe_load(path: str | Path, sha256: str | None = None, *,
               n_gpu_layers: int = 0) -> ProbeResult:
    """Whether (and how) this machine's engine runs `path`, from the cache or child processes.
    A run with GPU layers is probed with them (any count > 0 is one verdict)."""
    from pluk.core.models.gguf_info import file_sha256

    path = Path(path)
    key = _verdict_key(sha256 or file_sha256(path), n_gpu_layers)
    cached = _cached_verdict(key)
    if cached is not None:
        return cached
    result = _run_probe(path, n_gpu_layers)
    if result is None:
        return ProbeResult(crashes=False, n_gpu_layers=n_gpu_layers)
    _write_cache(key, result)
    return result


def known_verdict(sha256: str, *, n_gpu_layers: int = 0) -> ProbeResult | None:
    """The cached verdict for a file of this sha256 on this machine, without probing (None:
    never probed here). For what the window and `pluk hardware` show of an installed model."""
    return _cached_verdict(_verdict_key(sha256, n_gpu_layers))


def _verdict_key(sha256: str, n_gpu_layers: int) -> str:
    return f"{sha256}|{_machine_key()}|{'gpu' if n_gpu_layers else 'cpu'}"


def _cached_verdict(key: str) -> ProbeResult | None:
    cached = _read_cache().get(key)
    try:
        return ProbeResult.model_validate(cached) if cached is not None else None
    except ValueError:  # an entry of another release's shape: probed again
        return None


def check_loads(path: str | Path, sha256: str | None = None, *,
                n_gpu_layers: int = 0) -> ProbeResult:
    """The probe's verdict (with any fallback the engine must take); ModelError with
    llama.cpp's reason when no way of running the model file keeps Pluk alive."""
    result = probe_load(path, sha256, n_gpu_layers=n_gpu_layers)
    if result.crashes:
        name = Path(path).name
        if result.phase == "compute":
            raise ModelError(
                f"llama.cpp crashes when it computes with {name} on this machine "
                f"({result.reason}), also without its extra buffer types"
                + (" and on the CPU only" if n_gpu_layers else "")
                + "; run `pluk self-test` and `pluk hardware` to see the engine in use, and "
                "report it with their output")
        raise ModelError(f"llama.cpp cannot load {name}: it crashes on it "
                         f"({result.reason}); the file is damaged, or made for another version "
                         "of llama.cpp")
    return result
