#!/usr/bin/env bash
# Builds Pluk for macOS: dist/macos/Pluk.app and dist/macos/Pluk-VERSION-macos-ARCH.dmg.
#
#   packaging/macos/build.sh [--with-model FILE.gguf]... [--engine metal|cpu]
#
# Needs: Xcode command line tools (clang, codesign, hdiutil, iconutil, sips), CMake, Python 3.11
# (python.org universal2 or Homebrew). Build on the oldest macOS you support: the bundle runs on
# that version and newer (LSMinimumSystemVersion in pluk.spec is 11.0).
# Engine: metal (Apple Silicon, default on arm64: Metal with its CPU code in libggml-cpu, as
# built for the machine's arch, no x86 variants needed) or cpu (default on Intel Macs:
# GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS, one libggml-cpu-<level>.so per x86 level, the best
# loaded at start, the AMX variant dropped; packaging/build_engine.sh).
# Signing and notarisation (optional; skipped when the variables are unset):
#   PLUK_CODESIGN_IDENTITY="Developer ID Application: Name (TEAMID)"
#   PLUK_NOTARY_PROFILE=pluk-notary   (made once with: xcrun notarytool store-credentials
#                                      pluk-notary --apple-id ID --team-id TEAMID --password APP-PW)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
ARCH=$(uname -m)
ENGINE=$([ "$ARCH" = arm64 ] && echo metal || echo cpu)
MODELS=()
PY=${PYTHON:-python3}
while [ $# -gt 0 ]; do
  case "$1" in
    --with-model) MODELS+=("$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"); shift 2 ;;
    --engine) ENGINE=$2; shift 2 ;;
    *) echo "build.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
BUILD=build/macos
DIST=dist/macos
mkdir -p "$BUILD" "$DIST"
step() { echo "== macos/build.sh $*" >&2; }

step "engine wheel ($ENGINE)"
WHEEL=$("$HERE/../build_engine.sh" "$ENGINE" --python "$PY" | tail -n1)

VENV=$BUILD/venv
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
VPY=$VENV/bin/python
"$VPY" -m pip install --quiet --no-deps --force-reinstall "$WHEEL"
rm -rf build/lib build/bdist.*  # stale setuptools output would ship deleted modules
"$VPY" -m pip install --quiet "$WHEEL" "pyinstaller>=6.10,<7" .
VERSION=$("$VPY" -c 'import pluk; print(pluk.__version__)')

step "self-test model and icon"
"$VPY" -c "from pluk.core.diagnostics.self_test import build_selftest_model as b; b('$BUILD/selftest/pluk-selftest.gguf')"
"$VPY" -c "from pluk.core.privacy.deduce_engine import build_cache, bundled_lookup_dir; build_cache(bundled_lookup_dir(), packed=True)"  # deduce's lookup cache, bundled
PNG=resources/icons/pluk.png
if [ ! -f "$PNG" ]; then PNG=$BUILD/pluk.png; QT_QPA_PLATFORM=offscreen "$VPY" packaging/make_icon.py "$PNG"; fi
ICONSET=$BUILD/pluk.iconset
rm -rf "$ICONSET"; mkdir -p "$ICONSET"
for s in 16 32 128 256 512; do
  sips -z $s $s "$PNG" --out "$ICONSET/icon_${s}x${s}.png" >/dev/null
  sips -z $((s * 2)) $((s * 2)) "$PNG" --out "$ICONSET/icon_${s}x${s}@2x.png" >/dev/null
done
iconutil -c icns "$ICONSET" -o "$BUILD/pluk.icns"

step "pyinstaller"
rm -rf "$DIST/pluk" "$DIST/Pluk.app"
PLUK_SELFTEST_MODEL="$ROOT/$BUILD/selftest/pluk-selftest.gguf" PLUK_ICON="$ROOT/$BUILD/pluk.icns" \
  "$VPY" -m PyInstaller --noconfirm --log-level WARN --distpath "$DIST" --workpath "$BUILD/work" \
  packaging/pluk.spec
APP=$DIST/Pluk.app
if [ "$ENGINE" = cpu ]; then
  # The CPU variants, with the x64 baseline and haswell on Intel, and no AMX variant
  # (PyInstaller 6 keeps the libraries in Contents/Frameworks).
  # llama_cpp opens libggml.dylib, libllama links libggml.0.dylib: one file under both names, or
  # the CPU variant Pluk loads lands in a second ggml instance (see linux/build.sh).
  ln -sfn libggml.0.dylib "$APP/Contents/Frameworks/llama_cpp/lib/libggml.dylib"
  CHECK=(--objdump-optional)
  [ "$ARCH" = x86_64 ] || CHECK+=(--not-x86)
  "$VPY" "$HERE/../engine_wheel.py" check "$APP/Contents/Frameworks/llama_cpp/lib" "${CHECK[@]}"
fi

SUFFIX=""
if [ ${#MODELS[@]} -gt 0 ]; then
  step "adding ${#MODELS[@]} model(s) to Pluk.app/Contents/Resources/models"
  mkdir -p "$APP/Contents/Resources/models"
  for m in "${MODELS[@]}"; do cp "$m" "$APP/Contents/Resources/models/"; done
  "$VPY" -m pluk.core.models.bundle "$APP/Contents/Resources/models" >/dev/null
  SUFFIX=-offline
fi

# Sign after the last change to the .app (adding models breaks PyInstaller's signature).
if [ -n "${PLUK_CODESIGN_IDENTITY:-}" ]; then
  step "codesign ($PLUK_CODESIGN_IDENTITY)"
  codesign --force --deep --options runtime --timestamp \
    --entitlements "$HERE/entitlements.plist" --sign "$PLUK_CODESIGN_IDENTITY" "$APP"
  codesign --verify --strict --deep --verbose=2 "$APP"
else
  step "not signed (PLUK_CODESIGN_IDENTITY unset): Gatekeeper will refuse a downloaded copy"
  codesign --force --deep --sign - "$APP"  # ad-hoc: needed to run at all on Apple Silicon
fi

step "frozen self-test"
"$APP/Contents/MacOS/pluk" self-test

step "dmg"
DMG=$DIST/Pluk-$VERSION-macos-$ARCH$SUFFIX.dmg
STAGE=$BUILD/dmg
rm -rf "$STAGE" "$DMG"; mkdir -p "$STAGE"
cp -R "$APP" "$STAGE/"
ln -s /Applications "$STAGE/Applications"
hdiutil create -volname "Pluk $VERSION" -srcfolder "$STAGE" -fs HFS+ -format ULMO "$DMG" >/dev/null
rm -rf "$STAGE"
if [ -n "${PLUK_CODESIGN_IDENTITY:-}" ]; then
  codesign --force --timestamp --sign "$PLUK_CODESIGN_IDENTITY" "$DMG"
fi
if [ -n "${PLUK_NOTARY_PROFILE:-}" ]; then
  step "notarising (takes minutes)"
  # PLUK_NOTARY_KEYCHAIN: the keychain the profile was stored in, when not the login one (CI).
  xcrun notarytool submit "$DMG" --keychain-profile "$PLUK_NOTARY_PROFILE" \
    ${PLUK_NOTARY_KEYCHAIN:+--keychain "$PLUK_NOTARY_KEYCHAIN"} --wait
  xcrun stapler staple "$DMG"
  xcrun stapler validate "$DMG"
  spctl --assess --type open --context context:primary-signature --verbose=2 "$DMG"
fi
du -sh "$APP" "$DMG" >&2
echo "$DMG"
