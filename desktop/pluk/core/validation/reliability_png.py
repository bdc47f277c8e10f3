"""The reliability diagram as a PNG picture, drawn without a plotting library.

Owns `reliability_png`: a white square with the axes, a light grid at every 0.1, the diagonal
(perfect calibration), and one bar per bin whose height is the bin's accuracy, drawn from the
bin's lower to its upper confidence; a dark tick across each bar marks the bin's mean
confidence, so the gap between tick and bar top is that bin's miscalibration. Empty bins have
no bar. The x axis is the confidence, the y axis the accuracy, both 0 to 1 (the picture holds no
text: validation.md and the Validation tab say so beside it).

The core is Qt-free and has no plotting dependency, so the PNG is written by hand: an RGB pixel
buffer, each row filtered with filter 0, compressed with zlib, in IHDR/IDAT/IEND chunks.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any, Sequence

WHITE = (255, 255, 255)
GRID = (229, 231, 235)
AXIS = (55, 65, 81)
DIAGONAL = (156, 163, 175)
BAR = (96, 165, 250)
BAR_EDGE = (37, 99, 235)
TICK = (153, 27, 27)
MARGIN = 24


class _Canvas:
    def __init__(self, width: int, height: int):
        self.width, self.height = width, height
        self.rows = [bytearray(bytes(WHITE) * width) for _ in range(height)]

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: tuple[int, int, int]) -> None:
        """Fill x0..x1, y0..y1 (inclusive, in picture coordinates, clipped)."""
        x0, x1 = max(0, min(x0, x1)), min(self.width - 1, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.height - 1, max(y0, y1))
        if x0 > x1 or y0 > y1:
            return
        span = bytes(color) * (x1 - x0 + 1)
        for y in range(y0, y1 + 1):
            self.rows[y][3 * x0:3 * (x1 + 1)] = span

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(row) for row in self.rows)

        def chunk(kind: bytes, data: bytes) -> bytes:
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def plot_box(width: int, height: int) -> tuple[int, int, int, int]:
    """The plot area (left, top, right, bottom) in pixels: (0,0) of the data is (left, bottom)."""
    return MARGIN, MARGIN // 2, width - MARGIN // 2, height - MARGIN


def reliability_png(bins: Sequence[Any], width: int = 320, height: int = 320) -> bytes:
    """A PNG of the bins (each with lower, upper, count, mean_confidence, accuracy, as
    `calibration` returns them or as result.CalibrationBin objects)."""
    if width < 2 * MARGIN or height < 2 * MARGIN:
        raise ValueError(f"a reliability diagram needs at least {2 * MARGIN} pixels a side")
    canvas = _Canvas(width, height)
    left, top, right, bottom = plot_box(width, height)

    def px(x: float) -> int:
        return left + round(x * (right - left))

    def py(y: float) -> int:
        return bottom - round(y * (bottom - top))

    for step in range(1, 11):
        canvas.rect(px(step / 10), top, px(step / 10), bottom, GRID)
        canvas.rect(left, py(step / 10), right, py(step / 10), GRID)
    for b in bins:
        get = b.get if isinstance(b, dict) else (lambda key, b=b: getattr(b, key))
        if not get("count") or get("accuracy") is None:
            continue
        x0, x1 = px(get("lower")) + 1, px(get("upper")) - 1
        canvas.rect(x0, py(get("accuracy")), x1, bottom, BAR_EDGE)
        canvas.rect(x0 + 1, py(get("accuracy")) + 1, x1 - 1, bottom, BAR)
        tick = py(get("mean_confidence"))
        canvas.rect(x0, tick - 1, x1, tick, TICK)
    # The diagonal over the bars, so it stays visible where a bar is taller than it.
    for x in range(left, right + 1):
        y = py((x - left) / (right - left))
        canvas.rect(x, y, x, y + 1, DIAGONAL)
    canvas.rect(left - 1, top, left, bottom + 1, AXIS)
    canvas.rect(left - 1, bottom, right, bottom + 1, AXIS)
    for step in range(0, 11, 5):  # ticks at 0, 0.5 and 1 on both axes
        canvas.rect(px(step / 10), bottom, px(step / 10), bottom + 5, AXIS)
        canvas.rect(left - 6, py(step / 10), left, py(step / 10), AXIS)
    return canvas.png()
