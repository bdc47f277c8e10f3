#!/usr/bin/env bash
# Builds the llama-cpp-python wheel that Pluk's bundles ship: a portable build, never the
# `-march=native` one pip makes by default (a native build crashes with "Illegal instruction" on
# an older CPU than the build machine's).
#
#   packaging/build_engine.sh [cpu|cuda|vulkan|metal|cpu-noomp] [--python PY]
#
# Prints the path of the wheel on its last line of stdout. The wheel is kept in a cache folder
# keyed by the version, the variant's CMAKE_ARGS and the Python tag, inside pip's cache folder
# (`pip cache dir`/pluk-engine-wheels, so a CI that keeps pip's cache keeps it too; override with
# PLUK_ENGINE_CACHE), so the ~6-11 min compile (2 cores) happens once. pip's own wheel cache is
# bypassed on purpose: it keys a wheel built from the sdist by the download URL only, not by
# CMAKE_ARGS, so it would hand back the developer's native build.
# Extra CMake options: PLUK_EXTRA_CMAKE_ARGS="...". The variants are documented in README.md.
set -euo pipefail

LLAMA_VERSION=0.3.36
VARIANT=cpu
PY=${PYTHON:-python3}
while [ $# -gt 0 ]; do
  case "$1" in
    --python) PY=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) VARIANT=$1; shift ;;
  esac
done

# The CPU baseline: x86-64 with AVX2/FMA/F16C/BMI2 (Intel Haswell 2013, AMD Excavator/Zen and
# later). ARM64 (Apple Silicon, Linux aarch64) ignores the x86 flags.
CPU_BASE="-DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF"
case "$VARIANT" in
  cpu)       ARGS="$CPU_BASE" ;;
  # Windows without the MSVC OpenMP runtime (vcomp140.dll): ggml's own thread pool instead.
  cpu-noomp) ARGS="$CPU_BASE -DGGML_OPENMP=OFF" ;;
  # NVIDIA: needs the CUDA toolkit (nvcc) at build time; the user needs a driver >= the toolkit's.
  # Architectures: Pascal..Hopper; add 100/120 with CUDA >= 12.8 for Blackwell.
  cuda)      ARGS="$CPU_BASE -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=61;70;75;80;86;89;90" ;;
  # Any Vulkan 1.2 GPU (AMD, Intel, NVIDIA): needs the Vulkan SDK (glslc) at build time.
  vulkan)    ARGS="$CPU_BASE -DGGML_VULKAN=ON" ;;
  # Apple Silicon: Metal, with the shader library embedded in the dylib.
  metal)     ARGS="-DGGML_NATIVE=OFF -DGGML_METAL=ON -DGGML_METAL_EMBED_LIBRARY=ON" ;;
  *) echo "build_engine.sh: unknown variant '$VARIANT'" >&2; exit 2 ;;
esac
ARGS="$ARGS ${PLUK_EXTRA_CMAKE_ARGS:-}"

PYTAG=$("$PY" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
KEY=$(printf '%s|%s|%s|%s' "$LLAMA_VERSION" "$ARGS" "$PYTAG" "$(uname -sm)" | sha256sum | cut -c1-16)
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
mkdir -p "$CACHE"
mv "$TMP"/llama_cpp_python-*.whl "$CACHE"/
printf '%s\n' "$ARGS" > "$CACHE/CMAKE_ARGS"
echo "build_engine.sh: built in $(( $(date +%s) - start )) s" >&2
ls "$CACHE"/llama_cpp_python-"$LLAMA_VERSION"-*.whl | head -n1
