"""Small building blocks shared by the panels: a titled card, a label that elides instead of
widening the window, and sizes and numbers written the way the window's locale writes them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, QSize, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (QComboBox, QFrame, QHBoxLayout, QLabel, QSizePolicy,
                               QVBoxLayout, QWidget)


def human_size(n: int | float | None) -> str:
    """The core's format_bytes (decimal units: 1 MB = 1000 KB), as `pluk models` writes it, so
    a file has one size everywhere in Pluk; with the locale's decimal mark ("4,7 GB")."""
    from pluk.core.models.download import format_bytes

    if n is None:
        return ""
    return format_bytes(n).replace(".", QLocale().decimalPoint())


def breakable(text: str) -> str:
    """`text` with invisible break points after / \\ _ - . in long words, so that a wrapped
    label can break a run folder's or a file's name instead of widening the window."""
    import re

    return re.sub(r"(?<=[/\\_.-])(?=\w)", "\u200b", str(text))


def fit_label(label: QLabel) -> QLabel:
    """A wrapped label that never sets the window's minimum width (a long unbroken word is
    clipped rather than widening every panel)."""
    label.setWordWrap(True)
    policy = label.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    label.setSizePolicy(policy)
    return label


class LinesLabel(QLabel):
    """Wrapped text cut to `lines` lines, the last ending in "…" when there is more; the whole
    text is in the tooltip. Keeps a long task description from taking the lists' room."""

    def __init__(self, lines: int = 2, parent: QWidget | None = None):
        super().__init__(parent)
        self._full, self._lines = "", lines
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(lines * self.fontMetrics().lineSpacing() + 2)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's name
        self._full = text
        self.setToolTip(text)
        self._cut()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._cut()

    def _cut(self) -> None:
        from PySide6.QtGui import QTextLayout

        width = max(self.contentsRect().width(), 40)
        layout = QTextLayout(self._full, self.font())
        layout.beginLayout()
        starts = []
        while len(starts) <= self._lines:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            starts.append(line.textStart())
        layout.endLayout()
        if len(starts) <= self._lines:
            super().setText(self._full)
            return
        last = self._full[starts[self._lines - 1]:].replace("\n", " ")
        shown = self._full[:starts[self._lines - 1]] + self.fontMetrics().elidedText(
            last, Qt.TextElideMode.ElideRight, width)
        super().setText(shown)


def keep_rows(view, rows: int = 5, scroll_bar: bool = True):
    """A list that never shrinks below `rows` rows: its header, the rows, a horizontal scroll
    bar and the frame. Below that a list is hard to use (issue 26: none at 1280x720)."""
    header = getattr(view, "header", None) or getattr(view, "horizontalHeader", None)
    header_height = header().sizeHint().height() if header is not None else 0
    rows_header = getattr(view, "verticalHeader", None)
    row = rows_header().defaultSectionSize() if rows_header is not None else max(
        view.fontMetrics().height() + 6, 20)
    scroll = view.style().pixelMetric(view.style().PixelMetric.PM_ScrollBarExtent) \
        if scroll_bar else 0
    view.setMinimumHeight(header_height + rows * row + scroll + 2 * view.frameWidth() + 2)
    return view


def number(value: float, decimals: int = 1) -> str:
    return QLocale().toString(float(value), "f", decimals)


def integer(value: int) -> str:
    """A whole number with the window's group separator: 8,192 or 8.192."""
    return QLocale().toString(int(value))


def short_number(value: float) -> str:
    """A number in its shortest form (as Python's :g) with the window's decimal mark: 0,5."""
    text = f"{value:g}"
    return text.replace(".", QLocale().decimalPoint()) if "e" not in text else text


class PickerCombo(QComboBox):
    """A picker `chars` wide whatever its items, whose list opens wide enough for the longest
    item: a long task title or model file name is shown whole in the list, elided with "…" in
    the box (the whole name is in the tooltip), and never widens the window."""

    def __init__(self, chars: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.setMinimumContentsLength(chars)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.view().setTextElideMode(Qt.TextElideMode.ElideNone)

    def showPopup(self) -> None:
        view = self.view()
        screen = self.screen().availableGeometry().width() if self.screen() else 1200
        view.setMinimumWidth(min(view.sizeHintForColumn(0) + 32, int(screen * 0.8)))
        super().showPopup()

    def _label_option(self):
        from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        field = self.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                            QStyle.SubControl.SC_ComboBoxEditField, self)
        option.currentText = self.fontMetrics().elidedText(
            option.currentText, Qt.TextElideMode.ElideRight, max(field.width() - 4, 0))
        return option

    def shown_text(self) -> str:
        """The current item's text as the box shows it (elided to fit)."""
        return self._label_option().currentText

    def paintEvent(self, _event) -> None:
        from PySide6.QtWidgets import QStyle, QStylePainter

        painter = QStylePainter(self)
        option = self._label_option()
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


class Notice(QFrame):
    """A confirmation that stays in the window until closed or replaced ("Exported 12 records
    to …"), with a button that opens the folder of the file it names."""

    def __init__(self, parent: QWidget | None = None):
        from PySide6.QtWidgets import QPushButton, QToolButton

        super().__init__(parent)
        self.setObjectName("notice")
        self.path: Path | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 4, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton(self.tr("Show in folder"))
        self.open_button.clicked.connect(self.open_folder)
        close = QToolButton()
        close.setText("×")
        close.setToolTip(self.tr("Close this message"))
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        row.addWidget(self.label, 1)
        row.addWidget(self.open_button)
        row.addWidget(close)
        self.hide()

    def show_message(self, text: str, path: Path | None = None, *, error: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.label.setText(breakable(text))
        self.label.setToolTip(text)
        self.setProperty("error", error)
        self.style().unpolish(self)
        self.style().polish(self)
        self.open_button.setVisible(self.path is not None)
        self.show()

    def text(self) -> str:
        """The message shown (with its break points removed); "" when closed."""
        return "" if self.isHidden() else self.label.text().replace("\u200b", "")

    def open_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        if self.path is not None:
            folder = self.path if self.path.is_dir() else self.path.parent
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class ElidedLabel(QLabel):
    """One line of plain text that is cut with "…" where it does not fit, never widening its
    layout; the whole text is in the tooltip. For titles holding a task or a folder name."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self._full = ""
        self._rich_prefix = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.set_full_text(text)

    def set_full_text(self, text: str, bold_prefix: str = "") -> None:
        """`bold_prefix` is shown in bold before the text and never elided."""
        self._full, self._rich_prefix = text, bold_prefix
        self.setToolTip(f"{bold_prefix} {text}".strip())
        self._elide()

    def full_text(self) -> str:
        return f"{self._rich_prefix} {self._full}".strip()

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        bold = self.font()
        bold.setBold(True)
        width = QFontMetrics(bold).horizontalAdvance(self._rich_prefix + " …") + 4
        return QSize(width, hint.height())

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        from html import escape

        bold = self.font()
        bold.setBold(True)
        prefix_width = QFontMetrics(bold).horizontalAdvance(self._rich_prefix + " ")
        room = max(self.width() - prefix_width - 4, 0)
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle, room)
        prefix = f"<b>{escape(self._rich_prefix)}</b> " if self._rich_prefix else ""
        super().setText(prefix + escape(shown))


class Card(QFrame):
    """A white panel with a step number and a title, holding one part of the workflow."""

    def __init__(self, step: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        outer = QVBoxLayout(self)
        # Tight: at 1280x720 the three cards must leave their lists five rows each.
        outer.setContentsMargins(12, 6, 12, 6)
        outer.setSpacing(4)
        header = QHBoxLayout()
        header.setSpacing(8)
        number = QLabel(step)
        number.setObjectName("step")
        number.setAlignment(number.alignment() | _center())
        self.title = QLabel(title)
        self.title.setObjectName("cardTitle")
        self.title.setWordWrap(True)
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
