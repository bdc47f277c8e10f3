#!/usr/bin/env bash
# Builds Pluk for Linux from a clean checkout: the PyInstaller one-folder bundle, a .tar.gz of it,
# and a .deb that installs it to /opt/pluk with /usr/bin/pluk, a desktop entry and an icon.
#
#   packaging/linux/build.sh [--with-model FILE.gguf]... [--with-ocr] [--engine cpu|cuda|vulkan]
#                            [--no-deb] [--out DIR]
#
# Needs: python3 (>= 3.10, with venv), gcc, g++, cmake (only when the engine wheel is not cached
# yet), objdump (binutils), tar, gzip, dpkg-deb. Everything else is installed into its own
# build venv (build/linux/venv, reused), never the developer's .venv: the bundle must carry the
# portable engine (packaging/build_engine.sh, every CPU variant), not a -march=native one.
# Outputs (default dist/linux):
#   pluk/                                   the bundle (run pluk/pluk)
#   pluk-VERSION-linux-x86_64[-cuda|-vulkan][-offline].tar.gz
#   pluk_VERSION_amd64[-cuda|-vulkan][-offline].deb
# A GPU engine (--engine cuda) is named in the files; a CUDA bundle must carry the CUDA runtime
# (libcudart, libcublas: have /usr/local/cuda/lib64 on LD_LIBRARY_PATH) and never the driver.
# --with-model (repeatable) puts FILE.gguf in pluk/models/ (the offline installer variant):
# Pluk lists it as an installed model on first start (pluk.core.models.bundle).
# --with-ocr puts tesseract with its Dutch and English data inside the bundle (add_ocr.sh, about
# 31 MB more in the tarball); the offline variant always gets it, being for machines that cannot
# install packages. Without it the .deb depends on the system's tesseract packages.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"

OUT=dist/linux
ENGINE=cpu
MODELS=()
MAKE_DEB=1
WITH_OCR=0
PY=${PYTHON:-python3}
while [ $# -gt 0 ]; do
  case "$1" in
    --with-model) MODELS+=("$(realpath "$2")"); shift 2 ;;
    --engine) ENGINE=$2; shift 2 ;;
    --no-deb) MAKE_DEB=0; shift ;;
    --with-ocr) WITH_OCR=1; shift ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "build.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for m in "${MODELS[@]}"; do
  [ -f "$m" ] && [ "${m##*.}" = gguf ] || { echo "build.sh: not a .gguf file: $m" >&2; exit 2; }
done

BUILD=build/linux
VENV=${PLUK_BUILD_VENV:-$BUILD/venv}
mkdir -p "$BUILD" "$OUT"
OUT=$(realpath "$OUT")
t0=$(date +%s)
step() { echo "== build.sh [$(( $(date +%s) - t0 ))s] $*" >&2; }

# 1. The portable engine wheel (cached by build_engine.sh; the first compile takes long, README.md).
step "engine wheel ($ENGINE)"
WHEEL=$("$HERE/../build_engine.sh" "$ENGINE" --python "$PY" | tail -n1)

# 2. The build venv: the project, PyInstaller and that wheel.
if [ ! -x "$VENV/bin/python" ]; then
  step "creating $VENV"
  "$PY" -m venv "$VENV"
fi
VPY=$VENV/bin/python
step "installing pluk, pyinstaller and $(basename "$WHEEL") into $VENV"
# --force-reinstall of the wheel only: a venv that once got a native build must get this one.
"$VPY" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall "$WHEEL"
# setuptools builds in ./build/lib: clear it, or a module deleted from the tree would still ship.
rm -rf build/lib build/bdist.*
"$VPY" -m pip install --quiet --disable-pip-version-check "$WHEEL" "pyinstaller>=6.10,<7" .
VERSION=$("$VPY" -c 'import pluk; print(pluk.__version__)')

# 3. The self-test model (a few hundred KB of random weights; never committed).
step "self-test model"
SELFTEST=$BUILD/selftest/pluk-selftest.gguf
"$VPY" -c "from pluk.core.diagnostics.self_test import build_selftest_model as b; b('$SELFTEST')"
# deduce's lookup cache (about a minute), bundled so no user waits for it on first use.
"$VPY" -c "from pluk.core.privacy.deduce_engine import build_cache, bundled_lookup_dir; build_cache(bundled_lookup_dir(), packed=True)"

# 4. The icon: the app's own, or a generated placeholder until resources/icons/pluk.png exists.
ICON=resources/icons/pluk.png
if [ ! -f "$ICON" ]; then
  ICON=$BUILD/pluk-placeholder.png
  QT_QPA_PLATFORM=offscreen "$VPY" "$HERE/../make_icon.py" "$ICON"
  step "no resources/icons/pluk.png: drew one into $ICON"
fi

# 5. PyInstaller.
step "pyinstaller"
rm -rf "$OUT/pluk"
PLUK_SELFTEST_MODEL="$ROOT/$SELFTEST" "$VPY" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$OUT" --workpath "$BUILD/work" packaging/pluk.spec
BUNDLE=$OUT/pluk

# 5a. The debugging information of the build machine's own Python: a pyenv or source-built
#     interpreter keeps it (22 MB in libpython and lib-dynload, measured with pyenv 3.11.7);
#     distributions' Pythons ship it stripped already. Only those files: PyInstaller's own
#     `strip` (every binary) breaks the auditwheel-patched libraries inside wheels (numpy's
#     OpenBLAS: "ELF load command address/offset not page-aligned").
if command -v strip >/dev/null; then
  step "strip the interpreter's debugging information"
  find "$BUNDLE/_internal" -type f \( -name 'libpython3*.so*' -o -path '*/lib-dynload/*.so' \) \
    -exec strip --strip-debug {} +
fi

# 5b. The engine the bundle ships: llama.cpp's CPU variants (the best is loaded at start), with
#     the x64 baseline (any x86-64 CPU) and haswell (AVX2), without the AMX variant, and no
#     library containing an AMX instruction (ldtilecfg; llama.cpp issue #20824).
# llama_cpp opens libggml.so by that name (llama_cpp._ggml, which Pluk uses to load the CPU
# variant) while libllama links libggml.so.0: two copies of the file would be two ggml instances,
# each with its own backend registry, and the variant loaded through one would be unknown to
# libllama ("no backends are loaded"). One file under both names.
ln -sfn libggml.so.0 "$BUNDLE/_internal/llama_cpp/lib/libggml.so"
step "engine check (engine_wheel.py check)"
CHECK=()
[ "$(uname -m)" = x86_64 ] || CHECK=(--not-x86)
if [ "$ENGINE" != metal ]; then
  "$VPY" "$HERE/../engine_wheel.py" check "$BUNDLE/_internal/llama_cpp/lib" ${CHECK[@]+"${CHECK[@]}"}
fi
if [ "$ENGINE" = cuda ]; then
  step "CUDA runtime check (engine_wheel.py cuda)"
  "$VPY" "$HERE/../engine_wheel.py" cuda "$BUNDLE" --system linux
fi
CPU_VARIANTS=$(cd "$BUNDLE/_internal/llama_cpp/lib" && ls libggml-cpu-*.so 2>/dev/null \
               | sed 's/^libggml-cpu-//; s/\.so$//' | tr '\n' ' ' || true)

# 6. The offline variant: models next to the executable, with their sha256 precomputed.
# The engine is part of the names when it is not the CPU one: pluk-VER-linux-x86_64-cuda.tar.gz.
SUFFIX=$([ "$ENGINE" = cpu ] && echo "" || echo "-$ENGINE")
if [ ${#MODELS[@]} -gt 0 ]; then
  step "adding ${#MODELS[@]} model(s) to $BUNDLE/models"
  mkdir -p "$BUNDLE/models"
  for m in "${MODELS[@]}"; do cp --reflink=auto "$m" "$BUNDLE/models/"; done
  "$VPY" -m pluk.core.models.bundle "$BUNDLE/models" >/dev/null
  SUFFIX=$SUFFIX-offline
  WITH_OCR=1
fi
if [ "$WITH_OCR" = 1 ]; then
  step "tesseract into the bundle (add_ocr.sh)"
  "$HERE/add_ocr.sh" "$BUNDLE"
fi
# The oldest glibc the bundle runs on: the newest GLIBC_x.y symbol version any file needs. It is
# that of the build machine's libraries (PyInstaller copies them): build on the oldest distro
# to support (see packaging/README.md).
GLIBC=$(find "$BUNDLE" -type f \( -name "*.so*" -o -perm -u+x \) -exec objdump -T {} + 2>/dev/null \
        | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
GLIBC=${GLIBC:-2.31}
{
  echo "pluk $VERSION"
  echo "needs glibc >= $GLIBC"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm)"
  echo "engine $ENGINE: $(basename "$WHEEL") CMAKE_ARGS=$(cat "$(dirname "$WHEEL")/CMAKE_ARGS" 2>/dev/null)"
  echo "cpu variants: ${CPU_VARIANTS:-none}"
  echo "pyinstaller $("$VPY" -m PyInstaller --version)"
  echo "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
} > "$BUNDLE/BUILD-INFO.txt"

# 7. The tarball.
step "tar.gz"
TARBALL=$OUT/pluk-$VERSION-linux-$(uname -m)$SUFFIX.tar.gz
tar -C "$OUT" -czf "$TARBALL" pluk

# 8. The .deb.
if [ "$MAKE_DEB" = 1 ]; then
  step ".deb"
  ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)
  STAGE=$BUILD/deb
  rm -rf "$STAGE"
  mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
           "$STAGE/usr/share/icons/hicolor/256x256/apps"
  cp -a "$BUNDLE" "$STAGE/opt/pluk"
  ln -s /opt/pluk/pluk "$STAGE/usr/bin/pluk"
  cp "$HERE/pluk.desktop" "$STAGE/usr/share/applications/pluk.desktop"
  cp "$ICON" "$STAGE/usr/share/icons/hicolor/256x256/apps/pluk.png"
  # Depends: the system libraries the bundle does not carry (glibc) and those Qt's xcb platform
  # plugin loads (packaging/linux/README section in packaging/README.md lists how this was found).
  sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@GLIBC@/$GLIBC/" \
      -e "s/@SIZE@/$(du -sk "$STAGE" | cut -f1)/" "$HERE/control.in" > "$STAGE/DEBIAN/control"
  install -m 0755 "$HERE/postinst" "$STAGE/DEBIAN/postinst"
  install -m 0755 "$HERE/postinst" "$STAGE/DEBIAN/postrm"
  DEB=$OUT/pluk_${VERSION}_$ARCH$SUFFIX.deb
  # xz -z6: 70 MB in ~150 s on 2 cores; CI uses PLUK_DEB_COMPRESSION="-Zgzip" (97 MB, 12 s).
  # shellcheck disable=SC2086
  dpkg-deb --root-owner-group ${PLUK_DEB_COMPRESSION:--Zxz -z6} --build "$STAGE" "$DEB" >/dev/null
  rm -rf "$STAGE"
fi

step "done"
du -sh "$BUNDLE" "$TARBALL" ${DEB:+"$DEB"} >&2
echo "$BUNDLE"
