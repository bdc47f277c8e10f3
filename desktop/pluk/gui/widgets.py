"""Small building blocks shared by the panels: a titled card and a human-readable size."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget


def human_size(n: int | None) -> str:
    if n is None:
        return ""
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


class Card(QFrame):
    """A white panel with a step number and a title, holding one part of the workflow."""

    def __init__(self, step: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 10, 12, 12)
        outer.setSpacing(8)
        header = QHBoxLayout()
        header.setSpacing(8)
        number = QLabel(step)
        number.setObjectName("step")
        number.setAlignment(number.alignment() | _center())
        self.title = QLabel(title)
        self.title.setObjectName("cardTitle")
        header.addWidget(number)
        header.addWidget(self.title)
        header.addStretch(1)
        self.header = header
        outer.addLayout(header)
        self.body = QVBoxLayout()
        self.body.setSpacing(6)
        outer.addLayout(self.body)


def _center():
    from PySide6.QtCore import Qt

    return Qt.AlignmentFlag.AlignCenter


def muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label
