"""PyInstaller hook for llama_cpp (overrides the contrib hook, which collects every file in
llama_cpp/lib: wheels cannot hold symlinks, so each versioned library is there three times).

llama_cpp loads lib/libllama.so (llama.dll, libllama.dylib) with ctypes, so PyInstaller's import
analysis never sees it. We declare exactly the files it loads, under the same relative folder
(llama_cpp/lib) so its loader finds them; the libraries find each other through their RUNPATH
$ORIGIN by SONAME (libggml.so.0, ...). libmtmd (multimodal) is not used by Pluk and left out.

The installers' engine (packaging/build_engine.sh) is built with GGML_BACKEND_DL +
GGML_CPU_ALL_VARIANTS: the CPU backend is one module per x86 level (libggml-cpu-x64.so,
libggml-cpu-haswell.so, ..., Windows ggml-cpu-*.dll, macOS libggml-cpu-*.so) and GPU backends
are modules too (libggml-cuda.so, libggml-vulkan.so). Modules have no SONAME and no versioned
copies; Pluk (pluk.core.models.backends) opens them from llama_cpp/lib at start and loads the
best CPU variant, so every one of them is collected, except the AMX variant, which is never
shipped (llama.cpp issue #20824; packaging/engine_wheel.py drops it from the wheel already).
A wheel without GGML_BACKEND_DL (a source build) has one libggml-cpu.so.0 instead.
"""

import re
import sys
from pathlib import Path

from PyInstaller.utils.hooks import get_package_paths

# The same list as packaging/engine_wheel.py and pluk.core.models.backends.
AMX_VARIANTS = ("sapphirerapids",)
_VARIANT = re.compile(r"^(?:lib)?ggml-cpu-([A-Za-z0-9_.]+?)\.(?:so|dll|dylib)$")


def _not_amx(name):
    match = _VARIANT.match(name)
    return not (match and match.group(1) in AMX_VARIANTS)


_, _pkg = get_package_paths("llama_cpp")
_lib = Path(_pkg) / "lib"

if sys.platform == "win32":
    _names = ["llama.dll", "ggml.dll", "ggml-base.dll"]
    # ggml-cpu.dll (one CPU backend), or the CPU variants and the GPU backends (ggml-cpu-*.dll,
    # ggml-cuda.dll, ggml-vulkan.dll): every other ggml library the wheel was built with.
    _names += sorted(p.name for p in _lib.glob("ggml-*.dll") if p.name not in _names)
    _cpu = [n for n in _names if n == "ggml-cpu.dll" or _VARIANT.match(n)]
elif sys.platform == "darwin":
    _names = sorted(p.name for p in _lib.glob("*.dylib") if "mtmd" not in p.name)
    # GGML_BACKEND_DL modules (CMake names MODULE libraries *.so on macOS too).
    _names += sorted(p.name for p in _lib.glob("libggml-*.so"))
    _cpu = [n for n in _names if n.startswith("libggml-cpu")]  # .dylib, or the variants
else:
    # The name ctypes opens, and the SONAMEs the libraries ask for; libggml.so.X.Y.Z only
    # carries the ggml version that pluk.core.engine.native.engine_versions reports (47 KB).
    _names = ["libllama.so", "libggml.so.0", "libggml-base.so.0"]
    _names += sorted(p.name for p in _lib.glob("libggml.so.*.*"))[-1:]
    # Backends linked in (no GGML_BACKEND_DL): libggml-cpu.so.0 and GPU libraries, by SONAME.
    _names += sorted(p.name for p in _lib.glob("libggml-*.so.0") if p.name not in _names)
    # GGML_BACKEND_DL modules: a libggml-*.so without a .so.0 beside it (CPU variants, GPU
    # backends); the .so of a versioned library is only its third copy.
    _names += sorted(p.name for p in _lib.glob("libggml-*.so")
                     if not (_lib / (p.name + ".0")).exists())
    _cpu = [n for n in _names if n == "libggml-cpu.so.0" or _VARIANT.match(n)]

_names = [n for n in _names if _not_amx(n)]
_cpu = [n for n in _cpu if _not_amx(n)]
binaries = [(str(_lib / n), "llama_cpp/lib") for n in _names if (_lib / n).exists()]
missing = [n for n in _names if not (_lib / n).exists()]
if not _cpu:
    missing.append("a CPU backend (libggml-cpu.so.0, or libggml-cpu-*.so variants)")
if missing:
    raise SystemExit(f"hook-llama_cpp: missing libraries in {_lib}: {missing}")

# Modules Pluk never imports that would pull in servers or multimodal code.
excludedimports = ["llama_cpp.server", "llama_cpp.mtmd_cpp"]
