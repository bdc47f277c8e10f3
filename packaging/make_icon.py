"""Writes the app icon (256x256 PNG) for builds where resources/icons/pluk.png is absent: the
GUI's own drawing (pluk.gui.icon) when it exists, else a plain placeholder. Qt draws it
(offscreen), so no image library is needed.

    QT_QPA_PLATFORM=offscreen python packaging/make_icon.py OUT.png
"""

import sys

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter


def main(out: str) -> None:
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (fonts need it)
    try:
        from pluk.gui.icon import write_icon_png
    except ImportError:
        pass
    else:
        write_icon_png(out, 256)
        return
    image = QImage(256, 256, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor("#1f6f8b"))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawRoundedRect(QRectF(8, 8, 240, 240), 48, 48)
    p.setPen(QColor("white"))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(170)
    p.setFont(font)
    p.drawText(QRectF(0, 0, 256, 256), Qt.AlignmentFlag.AlignCenter, "P")
    p.end()
    if not image.save(out, "PNG"):
        raise SystemExit(f"make_icon.py: could not write {out}")


if __name__ == "__main__":
    main(sys.argv[1])
