"""Owns which of llama.cpp's compute backends the engine runs on, and what to say about them.

Two kinds of engine build reach users:
- a source install (the README's `pip install`): one CPU library compiled for the build
  machine (`-march=native`, with the AMX instructions turned off; README, "Why the install is
  as it is"), registered inside libggml itself;
- an installer's engine (packaging/build_engine.sh): `GGML_BACKEND_DL` with
  `GGML_CPU_ALL_VARIANTS`, one CPU library per x86 level (libggml-cpu-haswell.so,
  -icelake, -zen4, ...) that must be loaded at run time. llama.cpp would look for them beside
  the Python executable and in the working folder only, so Pluk loads them itself from
  llama_cpp/lib: every variant says how well it fits this CPU (`ggml_backend_score`, 0 where
  the CPU lacks an instruction it needs) and the best one is loaded (PLUK_CPU_VARIANT names
  another); GPU backend libraries beside them are loaded too.

A variant that uses AMX (llama.cpp's `sapphirerapids`) is never chosen: on current Intel Xeons
its matrix path dies of a general protection fault on the first batch of more than one token
(llama.cpp issue #20824, no fix upstream). Installers do not ship it; this is the second lock.

`ensure_loaded()` runs before anything calls llama_backend_init (engine/native.py, the load
probe's child); `describe()` says which code runs, for `pluk hardware`, the self-test and manifests.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import sys
import threading
from pathlib import Path

from pydantic import BaseModel

log = logging.getLogger(__name__)

# llama.cpp's CPU variants that run the AMX path (ggml/src/CMakeLists.txt).
AMX_VARIANTS = frozenset({"sapphirerapids"})
# Names the CPU variant to load instead of the best one (support, benchmarks): one this CPU can
# run, or an error.
VARIANT_ENV = "PLUK_CPU_VARIANT"
_lock = threading.Lock()
_loaded: "EngineVariant | None" = None


class EngineVariant(BaseModel):
    """Which CPU code the engine runs and how it was chosen."""

    build: str  # "native" (one CPU library in libggml) or "variants" (loaded at run time)
    cpu_variant: str | None = None  # the loaded variant's name ("zen4"), variants builds only
    variants_available: list[str] = []  # every CPU variant the build ships
    skipped: list[str] = []  # variants passed over, with why ("sapphirerapids (AMX)")
    gpu_backends: list[str] = []  # GPU backends loaded with at least one device (variants builds)
    # GPU backends the engine ships that cannot run here, with why ("cuda: no NVIDIA driver
    # (libcuda.so.1: cannot open ...)"): the engine then runs on the CPU and says so.
    gpu_unusable: list[str] = []
    features: str = ""  # the CPU features the running CPU code was compiled for (llama.cpp's)
    amx_compiled: bool = False  # the running CPU code contains llama.cpp's AMX path
    forced: bool = False  # chosen by PLUK_CPU_VARIANT, not by score

    def summary(self) -> str:
        """One line: "cpu-zen4 (best of 11 CPU variants for this CPU)", "native build"."""
        if self.build == "variants":
            name = f"cpu-{self.cpu_variant}" if self.cpu_variant else "no CPU variant"
            how = (f"chosen by {VARIANT_ENV}" if self.forced else
                   f"best of {len(self.variants_available)} CPU variants for this CPU")
            text = f"{name} ({how})"
        else:
            text = "native build (compiled for the machine it was built on)"
        if self.gpu_backends:
            text += f"; GPU: {', '.join(self.gpu_backends)}"
        elif self.gpu_unusable:
            text += f"; no usable GPU ({'; '.join(self.gpu_unusable)}): running on the CPU"
        text += "; AMX path: " + ("compiled in" if self.amx_compiled else "off")
        return text


def lib_dir() -> Path:
    import llama_cpp

    return Path(llama_cpp.__file__).parent / "lib"


def _prefix_suffix() -> tuple[str, str]:
    if sys.platform == "win32":
        return "", ".dll"
    return "lib", ".so"  # ggml names its backend modules .so on macOS too


def cpu_variant_files(folder: Path | None = None) -> dict[str, Path]:
    """The CPU variant libraries of a variants build, by variant name ({} for a native one)."""
    folder = folder or lib_dir()
    prefix, suffix = _prefix_suffix()
    pattern = re.compile(rf"^{re.escape(prefix)}ggml-cpu-(.+){re.escape(suffix)}$")
    found = {}
    for path in sorted(folder.glob(f"{prefix}ggml-cpu-*{suffix}")):
        match = pattern.match(path.name)
        if match:
            found[match.group(1)] = path
    return found


def gpu_backend_files(folder: Path | None = None) -> dict[str, Path]:
    """GPU backend modules beside the CPU variants (a variants build with CUDA or Vulkan)."""
    folder = folder or lib_dir()
    prefix, suffix = _prefix_suffix()
    found = {}
    for name in ("cuda", "vulkan", "metal", "hip", "sycl", "musa", "opencl"):
        path = folder / f"{prefix}ggml-{name}{suffix}"
        if path.is_file():
            found[name] = path
    return found


def _ggml():
    """The libggml that libllama uses. A wheel holds copies, not links (libggml.so and
    libggml.so.0 are two files): opening another copy than libllama's would load a second
    ggml with a registry of its own, and llama.cpp would see no backend. So it is opened by
    the name libllama asked for, which the loader hands back already loaded."""
    import llama_cpp  # noqa: F401 - loads libllama and, through it, its libggml

    if sys.platform == "win32":
        lib = ctypes.CDLL(str(lib_dir() / "ggml.dll"))
    elif sys.platform == "darwin":
        found = [p for p in (lib_dir() / "libggml.0.dylib", lib_dir() / "libggml.dylib")
                 if p.exists()]
        lib = ctypes.CDLL(str(found[0]))
    else:
        lib = ctypes.CDLL("libggml.so.0")
    lib.ggml_backend_reg_count.restype = ctypes.c_size_t
    lib.ggml_backend_reg_count.argtypes = []
    lib.ggml_backend_load.restype = ctypes.c_void_p
    lib.ggml_backend_load.argtypes = [ctypes.c_char_p]
    lib.ggml_backend_reg_dev_count.restype = ctypes.c_size_t
    lib.ggml_backend_reg_dev_count.argtypes = [ctypes.c_void_p]
    return lib


# The driver each GPU backend needs, for the sentence saying why it cannot run.
_GPU_DRIVER = {"cuda": "NVIDIA driver", "vulkan": "Vulkan driver", "hip": "ROCm driver",
               "sycl": "oneAPI runtime", "musa": "MUSA driver", "opencl": "OpenCL driver",
               "metal": "Metal device"}
# The driver's own library, which the user's driver installs and no bundle carries.
_DRIVER_LIBRARY = {"cuda": {"linux": "libcuda.so.1", "win32": "nvcuda.dll"},
                   "vulkan": {"linux": "libvulkan.so.1", "win32": "vulkan-1.dll"}}


def _driver_library(name: str) -> str | None:
    return _DRIVER_LIBRARY.get(name, {}).get("win32" if sys.platform == "win32" else "linux")


def _open(name: str) -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(name)
    except OSError:
        return None


def _cuda_version(number: int) -> str:
    """CUDA's version numbers: 12040 -> '12.4'."""
    return f"{number // 1000}.{number % 1000 // 10}"


def _loaded_cudart(folder: Path) -> str | None:
    """The CUDA runtime the loaded CUDA module uses: on Linux the one the dynamic loader mapped
    (a bundle keeps it at its root, a source install finds the system's), else the one beside
    the module (Windows bundles put it there)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            for line in maps:
                path = line.rsplit(" ", 1)[-1].strip()
                if re.search(r"/libcudart\.so\.\d+$", path):
                    return path
    except OSError:
        pass
    found = sorted(folder.glob("cudart64_*.dll" if sys.platform == "win32" else "libcudart.so.*"))
    return str(found[-1]) if found else None


def cuda_driver_too_old(folder: Path) -> str | None:
    """'the NVIDIA driver supports CUDA 12.4, this engine needs CUDA 13.0' when the installed
    driver is older than the CUDA runtime the engine carries in FOLDER (cudart then finds no
    GPU, though there is one); None when both are known and fit, or either is unknown."""
    driver = _open(_driver_library("cuda") or "")
    runtime = _open(_loaded_cudart(folder) or "")
    if driver is None or runtime is None:
        return None
    versions = []
    for lib, function in ((driver, "cuDriverGetVersion"), (runtime, "cudaRuntimeGetVersion")):
        value = ctypes.c_int(0)
        try:
            call = getattr(lib, function)
        except AttributeError:
            return None
        call.argtypes = [ctypes.POINTER(ctypes.c_int)]
        call.restype = ctypes.c_int
        if call(ctypes.byref(value)) != 0 or value.value <= 0:
            return None
        versions.append(value.value)
    if versions[0] >= versions[1]:
        return None
    return (f"the NVIDIA driver supports CUDA {_cuda_version(versions[0])}, this engine needs "
            f"CUDA {_cuda_version(versions[1])}: update the driver")


def loader_message(exc: OSError) -> str:
    """The dynamic loader's own reason. In a frozen app PyInstaller's ctypes replaces it with
    its guess ("Most likely this dynlib/dll was not found when the application was frozen"),
    which would blame the installer for a missing driver; the loader's reason is its cause."""
    cause = exc.__cause__
    return str(cause if isinstance(cause, OSError) else exc)


def load_gpu_backend(lib, name: str, path: Path) -> str | None:
    """Loads one GPU backend module; None when it runs here, else why it cannot (the engine
    then runs on the CPU). A module whose driver library is absent does not load at all (the
    dynamic loader refuses it: no signal); one whose driver finds no GPU registers no device.
    Why, in the user's terms: no driver, a driver too old for the engine's CUDA, no GPU, or a
    library of the engine's own missing (a damaged install: the loader names it)."""
    driver = _GPU_DRIVER.get(name, "driver")
    reg = lib.ggml_backend_load(str(path).encode("utf-8"))
    if not reg:
        try:  # ggml only logs why; the dynamic loader's own message names the missing library
            ctypes.CDLL(str(path))
        except OSError as exc:
            why = loader_message(exc).replace(str(path.parent) + os.sep, "")
            own = _driver_library(name)
            if own is not None:
                try:
                    ctypes.CDLL(own)
                except OSError as missing:
                    return f"{name}: no {driver} found ({loader_message(missing)})"
                return (f"{name}: the engine's {name.upper()} libraries did not load ({why}): "
                        "reinstall Pluk")
            return f"{name}: no {driver} found ({why})"
        return f"{name}: the backend did not start (PLUK_DEBUG=1 shows llama.cpp's reason)"
    if lib.ggml_backend_reg_dev_count(reg) == 0:
        if name == "cuda":
            too_old = cuda_driver_too_old(path.parent)
            if too_old:
                return f"{name}: {too_old}"
        return f"{name}: the {driver} found no GPU"
    return None


def variant_score(path: Path) -> int:
    """What a CPU variant says of this CPU (0: it cannot run here), as llama.cpp's own loader
    asks it: open the library, call its ggml_backend_score."""
    try:
        lib = ctypes.CDLL(str(path))
    except OSError as exc:
        log.warning("cannot open the CPU variant %s: %s", path.name, exc)
        return 0
    try:
        score = lib.ggml_backend_score
    except AttributeError:
        return 0
    score.restype = ctypes.c_int
    score.argtypes = []
    return int(score())


def choose_variant(scores: dict[str, int], *, allow_amx: bool = False
                   ) -> tuple[str | None, list[str]]:
    """The best-scoring variant this CPU can run, and the ones passed over with why."""
    skipped = []
    best, best_score = None, 0
    for name, score in scores.items():
        if name in AMX_VARIANTS and not allow_amx:
            if score > 0:
                skipped.append(f"{name} (AMX)")
            continue
        if score > best_score:
            best, best_score = name, score
    return best, skipped


def _forced(name: str, scores: dict[str, int]) -> dict[str, int]:
    """Only the variant PLUK_CPU_VARIANT names, if this CPU can run it."""
    if name not in scores:
        raise OSError(f"{VARIANT_ENV}={name}: the engine has no such CPU variant "
                      f"(it has {', '.join(sorted(scores))})")
    if scores[name] <= 0:
        raise OSError(f"{VARIANT_ENV}={name}: this CPU cannot run that variant (it lacks an "
                      "instruction it needs)")
    return {name: scores[name]}


def _features() -> str:
    import llama_cpp

    return llama_cpp.llama_print_system_info().decode("utf-8", errors="replace").strip()


def _amx_compiled(features: str) -> bool:
    return bool(re.search(r"\bAMX_INT8\s*=\s*1", features))


def ensure_loaded(*, allow_amx: bool = False) -> EngineVariant:
    """Load the engine's backends once per process (a no-op for a native build) and say which
    code runs. Call it before llama_backend_init."""
    global _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        variants = cpu_variant_files()
        if not variants:
            features = _features()
            _loaded = EngineVariant(build="native", features=features,
                                    amx_compiled=_amx_compiled(features))
            return _loaded
        lib = _ggml()
        gpus: list[str] = []
        unusable: list[str] = []
        chosen, skipped = None, []
        if lib.ggml_backend_reg_count() == 0:
            scores = {name: variant_score(path) for name, path in variants.items()}
            forced = os.environ.get(VARIANT_ENV)
            if forced:
                scores = _forced(forced, scores)
                allow_amx = True  # named by hand: the user's choice
            chosen, skipped = choose_variant(scores, allow_amx=allow_amx)
            if chosen is None:
                raise OSError("none of the engine's CPU libraries can run on this CPU "
                              f"({', '.join(variants)}); it needs at least SSE2")
            if not lib.ggml_backend_load(str(variants[chosen]).encode("utf-8")):
                raise OSError(f"llama.cpp could not load its CPU library {variants[chosen].name}")
            for name, path in gpu_backend_files().items():
                # A GPU library without its driver or GPU: the CPU runs, and says so.
                why = load_gpu_backend(lib, name, path)
                if why is None:
                    gpus.append(name)
                else:
                    unusable.append(why)
                    log.info("GPU backend not used: %s", why)
        features = _features()
        _loaded = EngineVariant(build="variants", cpu_variant=chosen,
                                forced=bool(chosen and os.environ.get(VARIANT_ENV)),
                                variants_available=sorted(variants), skipped=skipped,
                                gpu_backends=gpus, gpu_unusable=unusable,
                                features=features,
                                amx_compiled=_amx_compiled(features))
        return _loaded


def describe() -> EngineVariant:
    """The engine's backends (loading them if nothing has yet)."""
    return ensure_loaded()
