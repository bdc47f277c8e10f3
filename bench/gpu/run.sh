#!/usr/bin/env bash
# On the GPU machine (no network), from the repository root, after bench/gpu/prepare.sh put
# bench/gpu/carry/ in place: build llama-cpp-python 0.3.36 for CUDA from the trimmed sdist
# (about 4 minutes on 16 cores), then run bench/gpu/gpu_bench.py. JSON lines go to $OUT.
#   SHAPE=14b|1.5b  CUDA_ARCH=90-real (H100/H200)  OUT=gpu_bench.jsonl  bash bench/gpu/run.sh
set -euo pipefail
carry="bench/gpu/carry"
venv="${VENV:-/tmp/pluk-gpu-venv}"
"${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/pip" install --no-index --no-deps "$carry"/wheels/*.whl
# CPU=1: a CPU build (to check the carried files on a machine without a GPU).
if [ "${CPU:-0}" = 1 ]; then
    cmake_args="-DGGML_NATIVE=OFF"; extra="--cpu"
else
    cmake_args="-DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=${CUDA_ARCH:-90-real} -DGGML_NATIVE=OFF"
    extra=""
fi
CMAKE_ARGS="$cmake_args" \
    "$venv/bin/pip" install --no-index --no-deps --no-build-isolation \
    "$carry"/llama_cpp_python-0.3.36.tar.gz
PYTHONPATH=desktop:. "$venv/bin/python" bench/gpu/gpu_bench.py --shape "${SHAPE:-14b}" \
    --out "${OUT:-gpu_bench.jsonl}" $extra
