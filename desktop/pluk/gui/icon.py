"""The application icon: a report sheet with a picked-out value, drawn with QPainter.

Drawn in code so it scales crisply and needs no image tools; `write_icon_png` saves it to
resources/icons/ for the installers, and the window loads that file when it is bundled.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QIcon, QLinearGradient, QPainter, QPainterPath, QPen,
                           QPixmap)

from pluk.core import paths

ICON_FILE = "icons/pluk.png"


def draw_icon(size: int = 256) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256.0
    gradient = QLinearGradient(0, 0, 0, size)
    gradient.setColorAt(0, QColor("#14b8a6"))
    gradient.setColorAt(1, QColor("#0f766e"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(gradient))
    p.drawRoundedRect(QRectF(8 * s, 8 * s, 240 * s, 240 * s), 52 * s, 52 * s)
    # the report: a sheet with a folded corner and text lines
    sheet = QPainterPath()
    sheet.moveTo(62 * s, 44 * s)
    sheet.lineTo(158 * s, 44 * s)
    sheet.lineTo(194 * s, 80 * s)
    sheet.lineTo(194 * s, 212 * s)
    sheet.lineTo(62 * s, 212 * s)
    sheet.closeSubpath()
    p.setBrush(QColor("white"))
    p.drawPath(sheet)
    p.setBrush(QColor("#99f6e4"))
    fold = QPainterPath()
    fold.moveTo(158 * s, 44 * s)
    fold.lineTo(158 * s, 80 * s)
    fold.lineTo(194 * s, 80 * s)
    fold.closeSubpath()
    p.drawPath(fold)
    p.setBrush(QColor("#cbd5e1"))
    for i, width in enumerate((96, 74, 100, 60)):
        p.drawRoundedRect(QRectF(80 * s, (96 + 24 * i) * s, width * s, 9 * s), 4 * s, 4 * s)
    # the picked value: a highlighted line and a check mark badge
    p.setBrush(QColor("#fbbf24"))
    p.drawRoundedRect(QRectF(76 * s, 116 * s, 86 * s, 17 * s), 5 * s, 5 * s)
    p.setBrush(QColor("#f97316"))
    p.drawEllipse(QPointF(186 * s, 190 * s), 38 * s, 38 * s)
    pen = QPen(QColor("white"), 11 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
               Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    check = QPainterPath()
    check.moveTo(169 * s, 191 * s)
    check.lineTo(181 * s, 203 * s)
    check.lineTo(203 * s, 177 * s)
    p.drawPath(check)
    p.end()
    return pixmap


def app_icon() -> QIcon:
    bundled = paths.resources_dir() / ICON_FILE
    if bundled.is_file():
        return QIcon(str(bundled))
    icon = QIcon()
    for size in (16, 32, 48, 64, 128, 256):
        icon.addPixmap(draw_icon(size))
    return icon


def write_icon_png(path: str | Path, size: int = 256) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    draw_icon(size).save(str(path), "PNG")
    return path
