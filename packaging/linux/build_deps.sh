#!/usr/bin/env bash
# The Debian/Ubuntu packages that building and smoke-testing the Linux bundle needs: a compiler
# for llama-cpp-python, binutils (the engine check's objdump), what PySide6 needs offscreen and
# under Xvfb, and tesseract with its Dutch and English data for the OCR checks. One list for
# .ci/run and the release workflow's Linux jobs (.github/workflows/release.yml), so the release
# is built on what CI proves. Run as root (or through sudo).
#
#   packaging/linux/build_deps.sh
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
    build-essential cmake binutils \
    libegl1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 \
    libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 \
    libxcb-randr0 libxcb-render-util0 libxcb-xinerama0 libxcb-image0 libxcb-xkb1 \
    xvfb xauth x11-utils >/dev/null
# OCR of scanned PDFs and images (readers/ocr.py) runs the tesseract program with its Dutch and
# English data; DejaVu is the font the OCR tests render their Dutch pages in.
apt-get install -y -qq --no-install-recommends \
    tesseract-ocr tesseract-ocr-nld tesseract-ocr-eng fonts-dejavu-core >/dev/null
