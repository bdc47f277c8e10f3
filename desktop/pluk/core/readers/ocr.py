"""Offline OCR of scanned pages: the Tesseract 5 lookup, one page image to text and confidence.

Owns which tesseract runs (a bundled copy, `PLUK_TESSERACT`, or the one on PATH), which
language data it uses, and how a page's text and mean word confidence come out of it. The
rasterising of PDF pages and the reading of image files are in `scans`.

Why Tesseract 5: its LSTM models for Dutch (`nld`) and English (`eng`) read typed clinical text
well (diacritics such as "patiënt", decimal commas such as "PSA 9,7 ng/ml": a character error
rate of 0.001 on clean and 0.003 on poorly scanned generated pages, `bench/ocr_bench.py`), run
on the CPU in under 2 s a page at 300 dpi, and ship on all three platforms as one program plus
two traineddata files of 4-6 MB (packaging/README.md). We drive
its command line with subprocess rather than through pytesseract, which is a wrapper of that
same command line and would add a dependency without adding anything; tesserocr binds the C++
API and must be compiled against libtesseract, which makes bundling harder. One run writes the
text (tesseract's own layout) and the TSV of words with their confidences together.

No page text is ever logged: only page numbers, counts and confidences.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

TESSERACT_ENV = "PLUK_TESSERACT"
PAGE_TIMEOUT_S = 120
HOW_TO_GET = ("install Tesseract 5 with its Dutch and English data (Debian/Ubuntu: apt install "
              "tesseract-ocr tesseract-ocr-nld tesseract-ocr-eng; macOS: brew install tesseract "
              "tesseract-lang; Windows: the UB Mannheim installer), or set PLUK_TESSERACT to "
              "the tesseract program")


class OcrUnavailable(Exception):
    """Tesseract or its language data cannot be used; the message is the reason for the user."""


@dataclass(frozen=True)
class Tesseract:
    path: str
    version: str
    languages: frozenset[str]
    tessdata: str | None  # a bundled tessdata folder, passed as --tessdata-dir


@dataclass(frozen=True)
class PageText:
    text: str
    confidence: float | None  # mean word confidence 0-100; None when no word was found
    words: int


def _bundled() -> tuple[str, str | None] | None:
    """A tesseract shipped beside the frozen app: <app>/tesseract/tesseract[.exe] + tessdata."""
    if not getattr(sys, "frozen", False):
        return None
    base = Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "tesseract"
    exe = base / ("tesseract.exe" if os.name == "nt" else "tesseract")
    if exe.is_file():
        tessdata = base / "tessdata"
        return str(exe), str(tessdata) if tessdata.is_dir() else None
    return None


def _locate() -> tuple[str, str | None]:
    bundled = _bundled()
    if bundled:
        return bundled
    chosen = os.environ.get(TESSERACT_ENV)
    if chosen:
        if not Path(chosen).is_file():
            raise OcrUnavailable(f"OCR is not available: {TESSERACT_ENV} names {chosen}, which "
                                 "is not a file")
        return chosen, None
    found = shutil.which("tesseract")
    if not found:
        raise OcrUnavailable(f"OCR is not available: the tesseract program was not found; "
                             f"{HOW_TO_GET}")
    return found, None


def _child_env(path: str) -> dict[str, str] | None:
    """The environment tesseract runs in. A frozen app's bootloader points LD_LIBRARY_PATH at
    the bundle's own libraries: a system tesseract must not load those (it gets the user's
    original LD_LIBRARY_PATH back), a bundled one loads the libraries beside it (lib/)."""
    if not getattr(sys, "frozen", False) or os.name == "nt":
        return None
    env = dict(os.environ)
    original = env.pop("LD_LIBRARY_PATH_ORIG", None)
    lib = Path(path).parent / "lib"
    if lib.is_dir():
        env["LD_LIBRARY_PATH"] = str(lib)
    elif original is not None:
        env["LD_LIBRARY_PATH"] = original
    else:
        env.pop("LD_LIBRARY_PATH", None)
    return env


def _tessdata_args(tessdata: str | None) -> list[str]:
    return ["--tessdata-dir", tessdata] if tessdata else []


@functools.lru_cache(maxsize=8)
def _probe(path: str, tessdata: str | None) -> Tesseract:
    try:
        env = _child_env(path)
        version = subprocess.run([path, "--version"], capture_output=True, text=True,
                                 timeout=30, check=True, env=env)
        langs = subprocess.run([path, *_tessdata_args(tessdata), "--list-langs"],
                               capture_output=True, text=True, timeout=30, check=True, env=env)
    except (OSError, subprocess.SubprocessError) as exc:
        raise OcrUnavailable(f"OCR is not available: {path} does not run "
                             f"({type(exc).__name__}); {HOW_TO_GET}") from None
    first = (version.stdout or version.stderr).strip().splitlines()
    # "List of available languages in ...:" then one code a line.
    names = frozenset(line.strip() for line in langs.stdout.splitlines()[1:] if line.strip())
    return Tesseract(path, first[0] if first else "tesseract", names, tessdata)


def find_tesseract() -> Tesseract:
    """The tesseract to use, probed once per path; raises OcrUnavailable with the reason."""
    return _probe(*_locate())


def pick_languages(tess: Tesseract, wanted: str) -> tuple[str, list[str]]:
    """The installed subset of `wanted` ("nld+eng"), in its order, and warnings for the rest."""
    codes = [c for c in wanted.split("+") if c]
    have = [c for c in codes if c in tess.languages]
    if not have:
        raise OcrUnavailable(f"OCR is not available: the Tesseract language data for "
                             f"{' and '.join(codes)} is not installed; {HOW_TO_GET}")
    missing = [c for c in codes if c not in have]
    warnings = [f"OCR language data for {', '.join(missing)} is not installed; read with "
                f"{'+'.join(have)} only"] if missing else []
    return "+".join(have), warnings


def _mean_confidence(tsv: str) -> tuple[float | None, int]:
    """Mean confidence of the words in tesseract's TSV (level 5 rows with text and conf >= 0)."""
    confs = []
    for line in tsv.splitlines()[1:]:
        cells = line.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            conf = float(cells[10])
        except ValueError:
            continue
        if conf >= 0:
            confs.append(conf)
    return (sum(confs) / len(confs) if confs else None), len(confs)


def ocr_image(tess: Tesseract, image, languages: str, dpi: int | None = None) -> PageText:
    """OCR one page (a PIL image). Raises OcrUnavailable when tesseract fails to run."""
    with tempfile.TemporaryDirectory(prefix="pluk-ocr-") as tmp:
        source = Path(tmp) / "page.png"
        image.save(source, format="PNG", dpi=(dpi, dpi) if dpi else None)
        base = Path(tmp) / "out"
        command = [tess.path, str(source), str(base), *_tessdata_args(tess.tessdata),
                   "-l", languages, "--psm", "3",
                   *(["--dpi", str(dpi)] if dpi else []),
                   "-c", "tessedit_create_txt=1", "-c", "tessedit_create_tsv=1"]
        try:
            done = subprocess.run(command, capture_output=True, timeout=PAGE_TIMEOUT_S,
                                  stdin=subprocess.DEVNULL, env=_child_env(tess.path))
        except subprocess.TimeoutExpired:
            raise OcrUnavailable(f"OCR took longer than {PAGE_TIMEOUT_S} s for one page") from None
        except OSError as exc:
            raise OcrUnavailable(f"OCR is not available: {tess.path} does not run "
                                 f"({type(exc).__name__}); {HOW_TO_GET}") from None
        txt, tsv = base.with_suffix(".txt"), base.with_suffix(".tsv")
        if done.returncode != 0 or not txt.is_file():
            # tesseract's stderr names files and options, never page text: safe to log.
            log.debug("tesseract failed (%s): %s", done.returncode,
                      done.stderr.decode("utf-8", "replace")[-500:])
            raise OcrUnavailable(f"tesseract failed on a page (exit status {done.returncode})")
        text = txt.read_text(encoding="utf-8", errors="replace")
        confidence, words = _mean_confidence(
            tsv.read_text(encoding="utf-8", errors="replace") if tsv.is_file() else "")
    return PageText(text.replace("\f", "\n"), confidence, words)
