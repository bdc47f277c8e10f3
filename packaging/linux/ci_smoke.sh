#!/usr/bin/env bash
# CI smoke test of the Linux packages: build them, then run the FROZEN app from the unpacked
# tarball and from the unpacked .deb, offscreen and without network:
#   1. sizes: bundle < 300 MB unpacked, tarball < 120 MB
#   2. `pluk self-test` (bundled self-test model, constrained extraction) prints OK, and its
#      engine line names the CPU variant loaded (a GGML_BACKEND_DL engine; "AMX path: off");
#      once more on the x64 baseline variant (PLUK_CPU_VARIANT=x64)
#   3. `pluk extract` over a sample folder of mixed reports (txt, md, pdf, docx, rtf, broken
#      files) writes a finished run with one record per report and the exports
#   4. `pluk tasks list` shows the built-in tasks; `pluk deidentify` replaces a name and a date
#      (deduce from its shipped source, its packed lookup cache unpacked on first use)
#   5. the GUI opens its window (Xvfb + xwininfo when available; else offscreen: stays up)
#   6. OCR in the frozen app: a scanned page (an image, no text) read by the system's tesseract,
#      then by a tesseract put inside the bundle (add_ocr.sh) with none on PATH
# "No network": `unshare -n` (an empty network namespace) when it works here (root, or user
# namespaces allowed); otherwise the self-test's own socket guard is what checks it.
#
# With --engine cuda (or vulkan) the GPU bundle is built and checked the same way; on a machine
# without that GPU or its driver the self-test must say the engine fell back to the CPU (the
# release workflow's CUDA job runs it so; size limits: PLUK_MAX_BUNDLE_MB, PLUK_MAX_TARBALL_MB).
#
#   packaging/linux/ci_smoke.sh [--skip-build] [--engine cpu|cuda|vulkan]   exit 0 = all passed
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT"
OUT=$ROOT/dist/linux
MAX_BUNDLE_MB=${PLUK_MAX_BUNDLE_MB:-300}
MAX_TARBALL_MB=${PLUK_MAX_TARBALL_MB:-120}
t0=$(date +%s)
say() { echo "== ci_smoke [$(( $(date +%s) - t0 ))s] $*"; }
fail() { echo "ci_smoke: FAILED: $*" >&2; exit 1; }

BUILD=1
ENGINE=cpu
while [ $# -gt 0 ]; do
  case "$1" in
    --skip-build) BUILD=0; shift ;;
    --engine) ENGINE=$2; shift 2 ;;
    *) echo "ci_smoke.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
ENGINE_SUFFIX=$([ "$ENGINE" = cpu ] && echo "" || echo "-$ENGINE")
if [ "$BUILD" = 1 ]; then
  say "building (packaging/linux/build.sh --engine $ENGINE)"
  PLUK_DEB_COMPRESSION=${PLUK_DEB_COMPRESSION:--Zgzip} "$HERE/build.sh" --engine "$ENGINE" --out "$OUT"
fi
VERSION=$(sed -n 's/^pluk //p' "$OUT/pluk/BUILD-INFO.txt" | head -n1)
TARBALL=$OUT/pluk-$VERSION-linux-$(uname -m)$ENGINE_SUFFIX.tar.gz
DEB=$(ls "$OUT"/pluk_"$VERSION"_*"$ENGINE_SUFFIX".deb 2>/dev/null | grep -v offline | head -n1 || true)
[ -f "$TARBALL" ] || fail "no $TARBALL"
[ -n "$DEB" ] || fail "no .deb in $OUT"

# 1. Sizes
BUNDLE_MB=$(( $(du -sb "$OUT/pluk" | cut -f1) / 1000000 ))
TARBALL_MB=$(( $(stat -c %s "$TARBALL") / 1000000 ))
DEB_MB=$(( $(stat -c %s "$DEB") / 1000000 ))
say "sizes: bundle ${BUNDLE_MB} MB, tarball ${TARBALL_MB} MB, deb ${DEB_MB} MB"
[ "$BUNDLE_MB" -lt "$MAX_BUNDLE_MB" ] || fail "bundle is ${BUNDLE_MB} MB (limit $MAX_BUNDLE_MB)"
[ "$TARBALL_MB" -lt "$MAX_TARBALL_MB" ] || fail "tarball is ${TARBALL_MB} MB (limit $MAX_TARBALL_MB)"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export QT_QPA_PLATFORM=offscreen
export PLUK_HOME=$WORK/home  # never the CI user's own folders

NONET=()
if command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
  NONET=(unshare -n)
elif command -v unshare >/dev/null && unshare -rn true 2>/dev/null; then
  NONET=(unshare -rn)
fi
if [ ${#NONET[@]} -gt 0 ]; then say "no network: ${NONET[*]}"
else say "unshare -n is not available: relying on the self-test's socket guard"; fi

# Unpack both packages as a user would get them.
mkdir -p "$WORK/tar" "$WORK/deb"
tar -C "$WORK/tar" -xzf "$TARBALL"
dpkg-deb -x "$DEB" "$WORK/deb"
dpkg-deb -f "$DEB" Depends | grep -q libxcb-cursor0 || fail ".deb lacks its Qt Depends"
[ -L "$WORK/deb/usr/bin/pluk" ] && [ "$(readlink "$WORK/deb/usr/bin/pluk")" = /opt/pluk/pluk ] \
  || fail ".deb has no /usr/bin/pluk -> /opt/pluk/pluk"
[ -f "$WORK/deb/usr/share/applications/pluk.desktop" ] || fail ".deb has no desktop entry"
[ -f "$WORK/deb/usr/share/icons/hicolor/256x256/apps/pluk.png" ] || fail ".deb has no icon"

# 2. The self-test, from both.
for app in "$WORK/tar/pluk/pluk" "$WORK/deb/opt/pluk/pluk"; do
  say "self-test: $app"
  start=$(date +%s%N)
  "${NONET[@]}" "$app" self-test | tee "$WORK/selftest.txt" || fail "self-test of $app"
  say "self-test took $(( ($(date +%s%N) - start) / 1000000 )) ms"
  tail -n1 "$WORK/selftest.txt" | grep -qx OK || fail "self-test of $app did not print OK"
  grep -q "bundled" "$WORK/selftest.txt" || fail "self-test did not use the bundled model"
  # The engine: the best of llama.cpp's CPU variants for this CPU, never the AMX path.
  ENGINE_LINE=$(grep -E '^ *CPU engine ' "$WORK/selftest.txt" | head -n1 || true)
  say "engine: $(echo "$ENGINE_LINE" | sed 's/^ *CPU engine *//')"
  echo "$ENGINE_LINE" | grep -qE 'cpu-[A-Za-z0-9_.]+ \(best of [0-9]+ CPU variants' \
    || fail "the self-test names no CPU variant: $ENGINE_LINE"
  echo "$ENGINE_LINE" | grep -q 'AMX path: off' || fail "the AMX path is compiled in: $ENGINE_LINE"
  # A GPU engine says whether it runs on the GPU or fell back to the CPU (no GPU or driver).
  if [ "$ENGINE" != cpu ]; then
    echo "$ENGINE_LINE" | grep -qE "GPU: $ENGINE|no usable GPU \($ENGINE" \
      || fail "the self-test says nothing of the $ENGINE backend: $ENGINE_LINE"
    # The loader's reason, not PyInstaller's guess that the bundle lacks the driver.
    ! echo "$ENGINE_LINE" | grep -q "when the application was frozen" \
      || fail "the fallback blames the bundle, not the driver: $ENGINE_LINE"
  fi
done
APP=$WORK/tar/pluk/pluk
# The x64 baseline, what a CPU without AVX runs (PLUK_CPU_VARIANT forces it), works frozen too.
say "self-test on the x64 baseline (PLUK_CPU_VARIANT=x64)"
PLUK_CPU_VARIANT=x64 "${NONET[@]}" "$APP" self-test > "$WORK/selftest-x64.txt" \
  || { cat "$WORK/selftest-x64.txt"; fail "self-test on the x64 variant"; }
grep -qE '^ *CPU engine +cpu-x64 ' "$WORK/selftest-x64.txt" \
  || { cat "$WORK/selftest-x64.txt"; fail "PLUK_CPU_VARIANT=x64 did not load the x64 variant"; }

# 3. A frozen extraction over a sample folder of mixed reports.
say "sample folder"
SAMPLE=$WORK/reports
"$ROOT/build/linux/venv/bin/python" - "$SAMPLE" <<'EOF'
import sys
from pathlib import Path
sys.path.insert(0, ".")
from tests.support.report_folder import make_mixed_report_folder
info = make_mixed_report_folder(Path(sys.argv[1]))
(Path(sys.argv[1]) / "expected.txt").write_text(f"{len(info['good']) + len(info['bad'])}\n")
EOF
EXPECTED=$(cat "$SAMPLE/expected.txt"); rm "$SAMPLE/expected.txt"
MODEL=$WORK/tar/pluk/_internal/resources/selftest/pluk-selftest.gguf
say "frozen extract over $EXPECTED reports"
start=$(date +%s)
"${NONET[@]}" "$APP" extract --task radiology_findings_nl --input "$SAMPLE" --model "$MODEL" \
  --out "$WORK/run" --ctx 4096 || fail "frozen extract"
say "extract took $(( $(date +%s) - start )) s"
"$ROOT/build/linux/venv/bin/python" - "$WORK/run" "$EXPECTED" <<'EOF' || fail "run folder check"
import json, sys
from pathlib import Path
run, expected = Path(sys.argv[1]), int(sys.argv[2])
manifest = json.loads((run / "manifest.json").read_text())
records = [json.loads(l) for l in (run / "records.jsonl").read_text().splitlines() if l.strip()]
statuses = {}
for r in records:
    statuses[r["status"]] = statuses.get(r["status"], 0) + 1
print(f"run: status {manifest['status']}, {len(records)} records {statuses}")
assert manifest["status"] == "finished", manifest["status"]
assert len(records) == expected, (len(records), expected)
assert statuses.get("ok", 0) >= 1 and statuses.get("invalid", 0) == 0, statuses
for name in ("results.csv", "results.json", "results.xlsx"):
    assert (run / name).stat().st_size > 0, name
EOF

# 4. The task library.
"$APP" tasks list | grep -q radiology_findings_nl || fail "tasks list"

# 4b. Pseudonymisation in the frozen app: deduce imported from its shipped source, its packed
#     lookup cache unpacked into a fresh user cache folder, a name and a date replaced.
say "frozen deidentify"
mkdir -p "$WORK/deid-in" "$WORK/deid-home"
printf 'Patient Jan de Vries, geboren 12-03-1961, gezien door dr. P. Bakker.\n' \
  > "$WORK/deid-in/brief.txt"
start=$(date +%s)
PLUK_HOME="$WORK/deid-home" "${NONET[@]}" "$APP" deidentify "$WORK/deid-in" \
  --out "$WORK/deid-out" || fail "frozen deidentify"
say "deidentify took $(( $(date +%s) - start )) s"
OUT_TEXT=$(cat "$WORK"/deid-out/*.txt)
echo "$OUT_TEXT" | grep -q "Vries" && fail "deidentify left the name: $OUT_TEXT"
echo "$OUT_TEXT" | grep -q "1961" && fail "deidentify left the date of birth: $OUT_TEXT"
ls "$WORK"/deid-home/cache/deduce-*/cache/lookup_structs.pickle >/dev/null 2>&1 \
  || fail "the packed deduce cache was not unpacked into the user cache folder"

# 5. The GUI opens a window titled Pluk (Xvfb + xwininfo), or at least starts and stays up
#    (offscreen), within GUI_SECONDS; then it is stopped.
GUI_SECONDS=${PLUK_GUI_SECONDS:-20}
if "$APP" --help | grep -qw gui; then
  GUI_CMD=("$APP" gui); TITLE=Pluk
else  # a tree without the GUI yet: the bundle's Qt shows a plain QWidget
  GUI_CMD=(env PLUK_QT_SMOKE=1 "$APP"); TITLE="Pluk Qt smoke"
fi
if command -v xvfb-run >/dev/null; then
  say "GUI under Xvfb: ${GUI_CMD[*]}"
  xvfb-run -a -s "-screen 0 1600x1000x24" env QT_QPA_PLATFORM=xcb \
    "$HERE/gui_check.sh" "$GUI_SECONDS" "$TITLE" "$WORK/gui.log" "${GUI_CMD[@]}" \
    || { cat "$WORK/gui.log"; fail "GUI"; }
else
  say "GUI offscreen (no xvfb-run): ${GUI_CMD[*]}"
  "$HERE/gui_check.sh" "$GUI_SECONDS" "$TITLE" "$WORK/gui.log" "${GUI_CMD[@]}" \
    || { cat "$WORK/gui.log"; fail "GUI"; }
fi
if grep -qE "Traceback|could not load the Qt platform plugin" "$WORK/gui.log"; then
  cat "$WORK/gui.log"; fail "the GUI reported an error"
fi

# 6. OCR: a page rendered to an image (no text layer) through the frozen app.
"$ROOT/build/linux/venv/bin/python" - "$WORK/scans" <<'EOF'
import sys
from pathlib import Path
sys.path.insert(0, ".")
from tests.core.readers.scan_pages import render_page
out = Path(sys.argv[1]); out.mkdir()
render_page(["MRI prostaat", "PSA 9,7 ng/ml, volume 68 cc.", "Conclusie: PI-RADS 4."]).save(
    out / "scan.png", dpi=(300, 300))
EOF
ocr_run() {  # $1: run folder, then the command prefix; checks the one record came from OCR
  local run=$1; shift
  "$@" "$APP" extract --task prostate_mri_nl --input "$WORK/scans" --model "$MODEL" \
    --out "$run" --ctx 4096 || fail "frozen extract of a scan"
  "$ROOT/build/linux/venv/bin/python" - "$run" <<'EOF' || fail "OCR record check"
import json, sys
from pathlib import Path
(record,) = [json.loads(l) for l in (Path(sys.argv[1]) / "records.jsonl").read_text().splitlines()]
print(f"scan.png: {record['status']}, ocr {record.get('ocr')}")
assert record["status"] != "error", record["error"]
assert record["ocr"]["engine"].startswith("tesseract"), record["ocr"]
assert record["ocr"]["mean_confidence"] > 50, record["ocr"]
EOF
}
if command -v tesseract >/dev/null; then
  say "OCR with the system's tesseract"
  ocr_run "$WORK/run-ocr-system" "${NONET[@]}"
  say "OCR with a tesseract inside the bundle, none on PATH (add_ocr.sh)"
  "$HERE/add_ocr.sh" "$WORK/tar/pluk"
  ocr_run "$WORK/run-ocr-bundled" "${NONET[@]}" env PATH=/nonexistent
else
  say "no tesseract on this machine: the OCR checks are skipped"
fi

say "all passed (bundle ${BUNDLE_MB} MB, tarball ${TARBALL_MB} MB, deb ${DEB_MB} MB)"
