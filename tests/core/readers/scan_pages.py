"""Scanned pages made in the tests: Dutch text rendered with Pillow onto a 300 dpi page, saved as
an image file or an image-only PDF (Pillow's PDF writer: no text layer), and the character error
rate of what OCR reads back. Used by test_ocr.py and bench/ocr_bench.py. Invented text only.
"""

from __future__ import annotations

import io
import shutil

from PIL import Image, ImageDraw, ImageFont

DPI = 300
A4 = (2480, 3508)  # pixels at 300 dpi

PAGES = [
    [
        "MRI prostaat",
        "Klinische gegevens: patiënt van 67 jaar, PSA 9,7 ng/ml, PSA-dichtheid 0,21.",
        "Verslag: prostaatvolume 46 cc. In de perifere zone links dorsolateraal een",
        "laesie van 14 mm met diffusierestrictie (ADC 780), PI-RADS 4.",
        "Geen extraprostatische uitbreiding; vesiculae seminales vrij.",
        "Conclusie: verdacht voor significant prostaatcarcinoom, PI-RADS 4.",
    ],
    [
        "CT thorax en abdomen",
        "Vergelijking met het onderzoek van 12-03-2024.",
        "Longen: twee noduli rechts, 4 mm en 6 mm, ongewijzigd.",
        "Lever: hypodense laesie segment VII, 11 x 9 mm, passend bij een cyste.",
        "Geen pathologisch vergrote lymfeklieren; geen ascites.",
        "Conclusie: geen aanwijzingen voor metastasen. Controle over één jaar.",
    ],
    [
        "Pathologie: naaldbiopten prostaat",
        "Biopt 1-4 rechts: adenocarcinoom, Gleason score 3+4=7 (ISUP graad 2).",
        "Tumorpercentage 30%, perineurale groei aanwezig.",
        "Biopt 5-8 links: geen maligniteit; coëxistente chronische prostatitis.",
        "Beoordeeld door dr. A. de Vries, patholoog.",
    ],
]


def font(size: int = 42):
    """DejaVu Sans where installed (it has every Dutch diacritic), else Pillow's own font."""
    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                 "Arial.ttf", "arial.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def render_page(lines: list[str], size: int = 42) -> Image.Image:
    """A white A4 page at 300 dpi with the lines in black, about 10 pt type."""
    page = Image.new("L", A4, 255)
    draw = ImageDraw.Draw(page)
    face = font(size)
    y = 250
    for line in lines:
        draw.text((200, y), line, fill=0, font=face)
        y += int(size * 1.6)
    return page


def blank_page() -> Image.Image:
    return Image.new("L", A4, 255)


def image_pdf(pages: list[Image.Image]) -> bytes:
    """An image-only PDF, one page per image: what a scanner writes, no text layer."""
    out = io.BytesIO()
    first, *rest = [p.convert("RGB") for p in pages]
    first.save(out, format="PDF", resolution=DPI, save_all=True, append_images=rest)
    return out.getvalue()


def image_bytes(page: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    page.save(out, format=fmt, dpi=(DPI, DPI))
    return out.getvalue()


def _squash(text: str) -> str:
    # Layout (line breaks, runs of spaces) is not content: compare the words and characters.
    return " ".join(text.split())


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: Levenshtein distance over the reference length, whitespace squashed."""
    ref, hyp = _squash(reference), _squash(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        current = [i]
        for j, h in enumerate(hyp, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1] / max(len(ref), 1)


def has_tesseract() -> bool:
    return shutil.which("tesseract") is not None
