"""Benchmark: OCR seconds per page and character error rate (CER) on generated Dutch pages.

Renders the invented radiology and pathology pages of tests/core/readers/scan_pages.py (numbers
such as "PSA 9,7 ng/ml", diacritics such as "patiënt", "coëxistente", "één") at 300 dpi, twice:
clean, and as a poor scan (smaller type, rotated 0.8 degrees, blurred, speckled). Each set is
saved as an image-only PDF and read through Pluk's own reader (pypdfium2 rendering + tesseract),
so the time includes rendering and the tesseract start per page.

    PYTHONPATH=. .venv/bin/python bench/ocr_bench.py [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from PIL import ImageFilter

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "desktop"))

from pluk.core.readers.documents import read_document  # noqa: E402
from pluk.core.readers.ocr import find_tesseract  # noqa: E402
from pluk.core.readers.options import OcrOptions, ReadLimits  # noqa: E402
from tests.core.readers.scan_pages import PAGES, cer, image_pdf, render_page  # noqa: E402


def _poor(lines: list[str], seed: int):
    page = render_page(lines, size=32).rotate(0.8, fillcolor=255, expand=False)
    page = page.filter(ImageFilter.GaussianBlur(1.3))
    rng = random.Random(seed)
    pixels = page.load()
    width, height = page.size
    for _ in range(width * height // 400):  # 0.25% speckle, as a dusty scanner glass gives
        pixels[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 255))
    return page


def _measure(name: str, images, truths: list[str], repeat: int, ocr: OcrOptions) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.pdf"
        path.write_bytes(image_pdf(images))
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            report = read_document(path, id=path.name, limits=ReadLimits(), ocr=ocr)
            times.append(time.perf_counter() - start)
    if report.error:
        return {"set": name, "error": report.error}
    pages = report.text.split("\n\n")
    # The reader joins pages and paragraphs with blank lines: score the whole text at once.
    rate = cer("\n".join(truths), report.text)
    return {"set": name, "pages": len(images), "seconds_per_page": min(times) / len(images),
            "cer": rate, "mean_confidence": report.ocr.mean_confidence,
            "languages": report.ocr.languages, "paragraphs": len(pages)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="reads per set; the fastest counts")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    tess = find_tesseract()
    ocr = OcrOptions()
    truths = ["\n".join(page) for page in PAGES]
    rows = [
        _measure("clean", [render_page(p) for p in PAGES], truths, args.repeat, ocr),
        _measure("poor-scan", [_poor(p, i) for i, p in enumerate(PAGES)], truths, args.repeat,
                 ocr),
    ]
    if args.json:
        print(json.dumps({"engine": tess.version, "rows": rows}, indent=2))
        return 0
    print(f"{tess.version}, {ocr.languages}, {ocr.dpi} dpi")
    for row in rows:
        if "error" in row:
            print(f"{row['set']:>10}: {row['error']}")
            continue
        print(f"{row['set']:>10}: {row['pages']} pages, {row['seconds_per_page']:.2f} s/page, "
              f"CER {row['cer']:.4f}, mean word confidence {row['mean_confidence']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
