#!/usr/bin/env bash
# Builds the llama-cpp-python wheel that Pluk's bundles ship: a portable build, never the
# `-march=native` one pip makes by default (a native build crashes with "Illegal instruction" on
# an older CPU than the build machine's).
#
#   packaging/build_engine.sh [cpu|cuda|vulkan|metal|cpu-noomp] [--python PY] [--print-args]
#
# Prints the path of the wheel on its last line of stdout (--print-args: the CMAKE_ARGS only,
# nothing is built). The wheel is kept in a cache folder keyed by the version, the variant's
# CMAKE_ARGS, this recipe and the Python tag, inside pip's cache folder (`pip cache
# dir`/pluk-engine-wheels, so a CI that keeps pip's cache keeps it too; override with
# PLUK_ENGINE_CACHE), so the compile (13-14 min on 2 cores with every CPU variant, README.md)
# happens once. pip's own wheel cache is bypassed on purpose: it keys a wheel built from the
# sdist by the download URL only, not by CMAKE_ARGS, so it would hand back a native build.
# x86 builds (cpu, cpu-noomp, cuda, vulkan) carry one CPU backend per instruction-set level
# (GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS), of which the engine loads the best at start;
# engine_wheel.py then drops the AMX variant (llama.cpp issue #20824) and checks the wheel.
# Extra CMake options: PLUK_EXTRA_CMAKE_ARGS="...". The variants are documented in README.md.
set -euo pipefail

LLAMA_VERSION=0.3.36
VARIANT=cpu
PY=${PYTHON:-python3}
PRINT_ARGS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --python) PY=$2; shift 2 ;;
    --print-args) PRINT_ARGS=1; shift ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) VARIANT=$1; shift ;;
  esac
done

# The CPU engine: llama.cpp's own build for distributables. GGML_BACKEND_DL makes every backend
# a module loaded at run time and GGML_CPU_ALL_VARIANTS builds the CPU one once per x86 level
# (x64 = any x86-64 CPU, sse42, sandybridge, ivybridge, piledriver, haswell (AVX2), skylakex
# (AVX-512), cannonlake, cascadelake, icelake, cooperlake, zen4, alderlake (AVX-VNNI),
# sapphirerapids (AMX; dropped after the build)); each scores itself against the CPU it runs on.
# ggml installs the variant modules to CMAKE_INSTALL_BINDIR, relative to the wheel's root:
# pointed at llama_cpp/lib they land beside libllama. Their RUNPATH finds libggml-base there.
# ARM64 builds get ggml's ARM variants the same way (Linux aarch64, macOS).
case "$(uname -s)" in
  Darwin) RPATH='@loader_path' ;;
  *)      RPATH='$ORIGIN' ;;
esac
# The NVIDIA GPU generations a CUDA engine is compiled for, from the toolkit's release (`nvcc
# --version`; CUDACXX names the compiler): CUDA 12 builds Pascal (61) to Hopper (90), 12.8 and
# later add Blackwell (100, 120); CUDA 13 no longer compiles for Pascal and Volta (61, 70).
# Without nvcc (--print-args on a machine without the toolkit) the CUDA 12 list.
cuda_architectures() {
  local release
  release=$("${CUDACXX:-nvcc}" --version 2>/dev/null | sed -n 's/.*release \([0-9]*\)\.\([0-9]*\).*/\1 \2/p' | head -n1)
  set -- $release
  if [ "${1:-12}" -ge 13 ]; then echo "75;80;86;89;90;100;120"
  elif [ "${1:-12}" -eq 12 ] && [ "${2:-0}" -ge 8 ]; then echo "61;70;75;80;86;89;90;100;120"
  else echo "61;70;75;80;86;89;90"
  fi
}
CPU_BASE="-DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON -DCMAKE_INSTALL_BINDIR=llama_cpp/lib -DCMAKE_INSTALL_RPATH=$RPATH"
case "$VARIANT" in
  cpu)       ARGS="$CPU_BASE" ;;
  # Windows without the MSVC OpenMP runtime (vcomp140.dll): ggml's own thread pool instead.
  cpu-noomp) ARGS="$CPU_BASE -DGGML_OPENMP=OFF" ;;
  # NVIDIA: needs the CUDA toolkit (nvcc) at build time; the user needs a driver >= the toolkit's.
  # The GPU generations follow the toolkit (cuda_architectures); PLUK_CUDA_ARCHITECTURES overrides.
  cuda)      ARGS="$CPU_BASE -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=${PLUK_CUDA_ARCHITECTURES:-$(cuda_architectures)}" ;;
  # Any Vulkan 1.2 GPU (AMD, Intel, NVIDIA): needs the Vulkan SDK (glslc) at build time.
  vulkan)    ARGS="$CPU_BASE -DGGML_VULKAN=ON" ;;
  # Apple Silicon: Metal, with the shader library embedded in the dylib.
  metal)     ARGS="-DGGML_NATIVE=OFF -DGGML_METAL=ON -DGGML_METAL_EMBED_LIBRARY=ON" ;;
  *) echo "build_engine.sh: unknown variant '$VARIANT'" >&2; exit 2 ;;
esac
ARGS="$ARGS ${PLUK_EXTRA_CMAKE_ARGS:-}"
if [ "$PRINT_ARGS" = 1 ]; then echo "$ARGS"; exit 0; fi
# What build_engine.sh does to the wheel after pip built it (engine_wheel.py finish); a new
# recipe invalidates the cached wheels.
RECIPE=variants-noamx-1
HERE=$(cd "$(dirname "$0")" && pwd)

PYTAG=$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
KEY=$(printf '%s|%s|%s|%s|%s' "$LLAMA_VERSION" "$ARGS" "$PYTAG" "$(uname -sm)" "$RECIPE" \
      | { sha256sum 2>/dev/null || shasum -a 256; } | cut -c1-16)
if [ -z "${PLUK_ENGINE_CACHE:-}" ]; then
  PIP_CACHE=$("$PY" -m pip cache dir 2>/dev/null || true)
  PLUK_ENGINE_CACHE=${PIP_CACHE:-$HOME/.cache/pluk}/pluk-engine-wheels
fi
CACHE=$PLUK_ENGINE_CACHE/$VARIANT-$KEY
WHEEL=$(ls "$CACHE"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -n1 || true)
if [ -n "$WHEEL" ]; then
  echo "build_engine.sh: cached $VARIANT wheel ($ARGS)" >&2
  echo "$WHEEL"
  exit 0
fi

echo "build_engine.sh: compiling llama-cpp-python $LLAMA_VERSION ($VARIANT): CMAKE_ARGS=$ARGS" >&2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
start=$(date +%s)
CMAKE_ARGS="$ARGS" CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc 2>/dev/null || echo 2)} \
  "$PY" -m pip wheel --no-deps --no-cache-dir --no-binary llama-cpp-python \
  -w "$TMP" "llama-cpp-python==$LLAMA_VERSION" >&2
echo "build_engine.sh: compiled in $(( $(date +%s) - start )) s" >&2
# Drop the AMX variant, check that the variants sit in llama_cpp/lib and that no library
# contains an AMX instruction; only a finished wheel reaches the cache.
"$PY" "$HERE/engine_wheel.py" finish "$TMP"/llama_cpp_python-*.whl
mkdir -p "$CACHE"
mv "$TMP"/llama_cpp_python-*.whl "$CACHE"/
printf '%s\n' "$ARGS" > "$CACHE/CMAKE_ARGS"
echo "build_engine.sh: built in $(( $(date +%s) - start )) s" >&2
ls "$CACHE"/llama_cpp_python-"$LLAMA_VERSION"-*.whl | head -n1
