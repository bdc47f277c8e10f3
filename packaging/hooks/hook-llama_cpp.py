"""PyInstaller hook for llama_cpp (overrides the contrib hook, which collects every file in
llama_cpp/lib: wheels cannot hold symlinks, so each library is there three times).

llama_cpp loads lib/libllama.so (llama.dll, libllama.dylib) with ctypes, so PyInstaller's import
analysis never sees it. We declare exactly the files it loads, under the same relative folder
(llama_cpp/lib) so its loader finds them; the libraries find each other through their RUNPATH
$ORIGIN by SONAME (libggml.so.0, ...). libmtmd (multimodal) is not used by Pluk and left out.
"""

import sys
from pathlib import Path

from PyInstaller.utils.hooks import get_package_paths

_, _pkg = get_package_paths("llama_cpp")
_lib = Path(_pkg) / "lib"

if sys.platform == "win32":
    _names = ["llama.dll", "ggml.dll", "ggml-base.dll", "ggml-cpu.dll"]
    # GPU variants: every other ggml backend the wheel was built with.
    _names += [p.name for p in _lib.glob("ggml-*.dll") if p.name not in _names]
elif sys.platform == "darwin":
    _names = [p.name for p in _lib.glob("*.dylib") if "mtmd" not in p.name]
else:
    # The name ctypes opens, and the SONAMEs the libraries ask for; libggml.so.X.Y.Z only
    # carries the ggml version that pluk.core.engine.native.engine_versions reports (47 KB).
    _names = ["libllama.so", "libggml.so.0", "libggml-base.so.0", "libggml-cpu.so.0"]
    _names += sorted(p.name for p in _lib.glob("libggml.so.*.*"))[-1:]
    # GPU variants (CUDA, Vulkan): their backend libraries, by SONAME.
    _names += sorted(p.name for p in _lib.glob("libggml-*.so.0")
                     if p.name not in _names)

binaries = [(str(_lib / n), "llama_cpp/lib") for n in _names if (_lib / n).exists()]
missing = [n for n in _names if not (_lib / n).exists()]
if missing:
    raise SystemExit(f"hook-llama_cpp: missing libraries in {_lib}: {missing}")

# Modules Pluk never imports that would pull in servers or multimodal code.
excludedimports = ["llama_cpp.server", "llama_cpp.mtmd_cpp"]
