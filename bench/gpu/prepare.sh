#!/usr/bin/env bash
# Run on a machine with network, before a GPU session: fetch what bench/gpu/run.sh needs on an
# offline GPU machine (Python 3.12, x86_64 Linux) into bench/gpu/carry/ (git-ignored, about
# 40 MB): the pinned llama-cpp-python sdist, trimmed of its test models and docs, and the
# wheels of what the decoder imports and of the build backend.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
carry="$here/carry"
py="${PYTHON:-python3}"
rm -rf "$carry"
mkdir -p "$carry/wheels"
"$py" -m pip download --no-deps --no-binary :all: -d "$carry" llama-cpp-python==0.3.36
sdist="$(ls "$carry"/llama_cpp_python-0.3.36.tar.gz)"
work="$(mktemp -d)"
tar -xzf "$sdist" -C "$work"
top="$work/llama_cpp_python-0.3.36"
lcpp="$top/vendor/llama.cpp"
# What a CUDA or CPU build never reads: git history, docs, examples, test models, the server's
# web UI and the backends of other hardware.
rm -rf "$top"/.git "$top"/docs "$top"/examples "$top"/docker \
       "$lcpp"/.git* "$lcpp"/docs "$lcpp"/models/*.gguf "$lcpp"/tools/ui "$lcpp"/benches \
       "$lcpp"/ggml/src/ggml-sycl "$lcpp"/ggml/src/ggml-opencl "$lcpp"/ggml/src/ggml-hexagon \
       "$lcpp"/ggml/src/ggml-vulkan "$lcpp"/ggml/src/ggml-cann "$lcpp"/ggml/src/ggml-musa
tar -czf "$sdist" -C "$work" llama_cpp_python-0.3.36
rm -rf "$work"
"$py" -m pip download --only-binary :all: --python-version 3.12 \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_31_x86_64 -d "$carry/wheels" \
    numpy pydantic pydantic-core "llguidance>=1.9,<2" diskcache gguf platformdirs \
    typing-extensions jinja2 markupsafe filelock annotated-types typing-inspection pyyaml tqdm \
    scikit-build-core pathspec packaging
# gguf asks for sentencepiece and requests, which the random model's writer never uses.
rm -f "$carry"/wheels/sentencepiece-* "$carry"/wheels/requests-* "$carry"/wheels/certifi-* \
      "$carry"/wheels/charset_normalizer-* "$carry"/wheels/idna-* "$carry"/wheels/urllib3-*
du -sh "$carry"
