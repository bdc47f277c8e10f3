#!/usr/bin/env bash
# Puts OCR inside a built Linux bundle: the build machine's tesseract program, the libraries it
# links (all but glibc's own, which every Linux has), its Dutch and English language data and
# its licence, in BUNDLE/_internal/tesseract/. Pluk's OCR reader (pluk/core/readers/ocr.py)
# uses that copy first and runs it with LD_LIBRARY_PATH=tesseract/lib, so a machine without
# tesseract, or without network to install it, still reads scanned reports.
#
#   packaging/linux/add_ocr.sh BUNDLE          (BUNDLE: the folder holding the pluk executable)
#
# Needs tesseract (>= 4.1) with tesseract-ocr-nld and tesseract-ocr-eng on the build machine.
# Adds about 72 MB unpacked (31 MB of it ICU data, which libtesseract links), 31 MB to a
# tarball: build.sh does it for the offline variant (--with-model) and on --with-ocr.
set -euo pipefail

BUNDLE=${1:?usage: add_ocr.sh BUNDLE}
[ -x "$BUNDLE/pluk" ] || { echo "add_ocr.sh: no pluk executable in $BUNDLE" >&2; exit 2; }
TESS=$(command -v tesseract || true)
[ -n "$TESS" ] || { echo "add_ocr.sh: tesseract is not installed (apt-get install" \
  "tesseract-ocr tesseract-ocr-nld tesseract-ocr-eng)" >&2; exit 1; }
TESS=$(readlink -f "$TESS")
# "List of available languages in "/usr/share/tesseract-ocr/5/tessdata/" (N):"
DATA=$("$TESS" --list-langs 2>&1 | sed -n 's/^List of available languages in "\(.*\)".*/\1/p')
for lang in nld eng; do
  [ -f "$DATA/$lang.traineddata" ] || { echo "add_ocr.sh: $lang.traineddata missing in" \
    "'$DATA' (apt-get install tesseract-ocr-$lang)" >&2; exit 1; }
done

T=$BUNDLE/_internal/tesseract
rm -rf "$T"
mkdir -p "$T/lib" "$T/tessdata"
cp -L "$TESS" "$T/tesseract"
ldd "$TESS" | awk '/=> \// {print $3}' | while read -r lib; do
  case "$(basename "$lib")" in
    # glibc's own libraries come from the system, as for the rest of the bundle.
    libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libresolv.so.*|ld-linux*) ;;
    *) cp -L "$lib" "$T/lib/" ;;
  esac
done
cp "$DATA/nld.traineddata" "$DATA/eng.traineddata" "$T/tessdata/"
for doc in /usr/share/doc/tesseract-ocr/copyright /usr/share/doc/libtesseract5/copyright; do
  if [ -f "$doc" ]; then cp "$doc" "$T/COPYRIGHT"; break; fi
done
# The copy must run on its own: with only its lib/ and its tessdata, as Pluk runs it.
LD_LIBRARY_PATH=$T/lib "$T/tesseract" --tessdata-dir "$T/tessdata" --list-langs 2>&1 \
  | grep -qx nld || { echo "add_ocr.sh: the bundled tesseract does not run" >&2; exit 1; }
echo "add_ocr.sh: $("$TESS" --version 2>&1 | head -n1), $(ls "$T/lib" | wc -l) libraries," \
  "$(du -sh "$T" | cut -f1) in $T"
