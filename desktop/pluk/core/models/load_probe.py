"""Owns one question about a model file: does loading it crash the process?

llama.cpp answers some damaged or exotic files with an exception, and others with a GGML_ASSERT
that aborts the whole process (the CLI dies without a word, the window vanishes, the run's
manifest stays "running"). gguf_info refuses what a reading of the file can foresee; for the
rest the file is loaded once in a child process (multiprocessing "spawn": the same in a source
checkout and a frozen bundle, whose entry point calls freeze_support). A child that dies of a
signal means the file is refused, with the assert llama.cpp printed as the reason.

The answer is cached per file sha256 and llama-cpp-python version (a copy of the file, such as
the models folder's, is not probed again), so it is paid once per file, not per run.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
import signal
import tempfile
from pathlib import Path

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


class ProbeResult(BaseModel):
    crashes: bool  # loading it kills the process
    reason: str | None = None  # what llama.cpp printed as it died


def _engine_version() -> str:
    # The module's own version, not the distribution's metadata: a frozen bundle has no
    # metadata for llama_cpp_python, and "unknown" would keep a cached verdict across engines.
    try:
        import llama_cpp
        return llama_cpp.__version__
    except ImportError:
        return "unknown"


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


def _child(model_path: str, log_path: str) -> None:
    """Load the model as the engine does, on the CPU with a tiny context. stderr goes to
    `log_path` so the parent can read the assert; verbose keeps llama-cpp-python from sending
    it to /dev/null during the load."""
    os.environ["GGML_NO_BACKTRACE"] = "1"  # ggml would otherwise start gdb for a backtrace
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 2)
    try:
        from llama_cpp import Llama

        llm = Llama(model_path=model_path, n_ctx=64, n_batch=64, n_gpu_layers=0,
                    vocab_only=False, verbose=True)
        llm.close()
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


def _run_probe(path: Path) -> ProbeResult | None:
    """The child's verdict; None when it could not say (killed, timed out, failed to start)."""
    fd, log_name = tempfile.mkstemp(prefix="pluk-load-probe-", suffix=".log")
    os.close(fd)
    try:
        process = multiprocessing.get_context("spawn").Process(
            target=_child, args=(str(path), log_name), daemon=True)
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
            return ProbeResult(crashes=False)
        if code is not None and code < 0 and -code in _CRASH_SIGNALS:
            text = Path(log_name).read_text(encoding="utf-8", errors="replace")
            return ProbeResult(crashes=True, reason=_reason(text, -code))
        log.warning("the load probe of %s ended with code %s; loading it without one",
                    path.name, code)
        return None
    except OSError as exc:
        log.warning("could not probe %s in a child process: %s", path.name, exc)
        return None
    finally:
        Path(log_name).unlink(missing_ok=True)


def probe_load(path: str | Path, sha256: str | None = None) -> ProbeResult:
    """Whether loading `path` crashes llama.cpp, from the cache or a child process."""
    from pluk.core.models.gguf_info import file_sha256

    path = Path(path)
    key = f"{sha256 or file_sha256(path)}|llama-cpp-python {_engine_version()}"
    cached = _read_cache().get(key)
    if cached is not None:
        try:
            return ProbeResult.model_validate(cached)
        except ValueError:
            pass
    result = _run_probe(path)
    if result is None:
        return ProbeResult(crashes=False)
    _write_cache(key, result)
    return result


def check_loads(path: str | Path, sha256: str | None = None) -> None:
    """ModelError with llama.cpp's reason when loading the model file would crash Pluk."""
    result = probe_load(path, sha256)
    if result.crashes:
        raise ModelError(f"llama.cpp cannot load {Path(path).name}: it crashes on it "
                         f"({result.reason}); the file is damaged, or made for another version "
                         "of llama.cpp")
