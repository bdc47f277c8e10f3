"""The look of the window: Fusion style, a light palette, one accent colour and status colours.

Kept in one place so every panel shows statuses the same way (colour and text, never colour
alone, for colour-blind users and for printouts).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

ACCENT = "#0f766e"
ACCENT_DARK = "#115e59"
INK = "#1f2937"
MUTED = "#6b7280"
LINE = "#e5e7eb"
SURFACE = "#f8fafc"
DISABLED = "#9ca3af"
FOCUS = "#2563eb"     # a blue that stands out from the teal accent and the grey lines
CHUNK = "#5eead4"     # light enough for the dark text of the bar to read on it

# status -> (text colour, background colour, label)
STATUS_STYLE = {
    "ok": ("#166534", "#dcfce7", "ok"),
    "invalid": ("#92400e", "#fef3c7", "invalid"),
    "error": ("#991b1b", "#fee2e2", "error"),
}
RUN_STATUS_STYLE = {
    "finished": ("#166534", "#dcfce7"),
    "cancelled": ("#92400e", "#fef3c7"),
    "failed": ("#991b1b", "#fee2e2"),
    "running": ("#1e40af", "#dbeafe"),
}


def status_colors(status: str) -> tuple[QColor, QColor]:
    fg, bg, _ = STATUS_STYLE.get(status, (INK, "#ffffff", status))
    return QColor(fg), QColor(bg)


# Spin boxes are left to Fusion: a style sheet border takes their arrows away (issue 26).
STYLE_SHEET = f"""
QMainWindow, QDialog {{ background: {SURFACE}; }}
QFrame#card {{ background: white; border: 1px solid {LINE}; border-radius: 8px; }}
QLabel#cardTitle {{ font-size: 11pt; font-weight: 600; color: {INK}; }}
QLabel#step {{ color: white; background: {ACCENT}; border-radius: 10px; font-weight: 700;
               min-width: 20px; max-width: 20px; min-height: 20px; max-height: 20px; }}
QLabel#muted {{ color: {MUTED}; }}
QLabel#problem {{ color: #991b1b; }}
QLabel#dropHint {{ color: {MUTED}; border: 2px dashed #cbd5e1; border-radius: 8px;
                   padding: 18px; background: #f1f5f9; font-size: 10.5pt; }}
QLabel#dropHint[dragging="true"] {{ color: {ACCENT_DARK}; border: 2px dashed {ACCENT};
                                    background: #ccfbf1; }}
QTreeWidget[dragging="true"] {{ border: 2px dashed {ACCENT}; background: #f0fdfa; }}
QPushButton {{ padding: 5px 12px; border-radius: 5px; border: 1px solid #cbd5e1;
               background: white; }}
QPushButton:hover {{ background: #f1f5f9; }}
QPushButton:focus {{ border: 2px solid {FOCUS}; }}
QLineEdit, QComboBox {{ border: 1px solid #cbd5e1;
    border-radius: 3px; padding: 2px 4px; background: white; }}
QLineEdit:disabled, QComboBox:disabled {{
    color: {DISABLED}; background: #f3f4f6; }}
QLineEdit:focus, QComboBox:focus {{
    border: 2px solid {FOCUS}; padding: 1px 3px; }}
QLineEdit[readOnly="true"] {{ background: #f3f4f6; color: {INK}; border-style: dashed; }}
QPlainTextEdit:focus, QTextEdit:focus {{ border: 2px solid {FOCUS}; }}
QTableView:focus, QTreeView:focus, QTreeWidget:focus, QListWidget:focus {{
    border: 2px solid {FOCUS}; }}
QPushButton:disabled {{ color: #9ca3af; background: #f3f4f6; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT_DARK};
                       font-weight: 600; padding: 7px 22px; }}
QPushButton#primary:hover {{ background: {ACCENT_DARK}; }}
QPushButton#primary:disabled {{ background: #99c5c0; border-color: #99c5c0; }}
QPushButton#primary:focus {{ border: 2px solid {INK}; }}
QPushButton#danger {{ color: #991b1b; font-weight: 600; padding: 7px 18px; }}
QPushButton#danger:disabled {{ color: #c4a3a3; }}
QTreeView::item, QTableView::item {{ padding: 2px 4px; }}
QLabel#emptyHint {{ color: {MUTED}; font-size: 11pt; }}
QProgressBar {{ border: 1px solid #cbd5e1; border-radius: 5px; background: white;
                text-align: center; min-height: 18px; }}
QProgressBar {{ color: {INK}; }}
QProgressBar::chunk {{ background: {CHUNK}; border-radius: 4px; }}
QTableView, QTreeWidget, QTreeView, QListWidget {{ background: white;
    border: 1px solid {LINE}; alternate-background-color: #f9fafb;
    selection-background-color: #ccfbf1; selection-color: {INK}; }}
QHeaderView::section {{ background: #f3f4f6; border: none; border-bottom: 1px solid {LINE};
                        border-right: 1px solid {LINE}; padding: 4px 6px; font-weight: 600; }}
QTabWidget::pane {{ border: 1px solid {LINE}; background: white; border-radius: 4px; }}
QTabBar::tab {{ padding: 6px 14px; }}
QTabBar::tab:selected {{ color: {ACCENT}; font-weight: 600; }}
QToolBar {{ background: white; border-bottom: 1px solid {LINE}; spacing: 6px; padding: 4px; }}
QStatusBar {{ background: white; border-top: 1px solid {LINE}; }}
QMenu::item:disabled {{ color: {DISABLED}; }}
QFrame#notice {{ background: #dcfce7; border: 1px solid #86efac; border-radius: 6px; }}
QFrame#notice[error="true"] {{ background: #fee2e2; border-color: #fca5a5; }}
QToolButton:disabled {{ color: {DISABLED}; }}
"""


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setPalette(theme_palette(app.palette()))
    app.setStyleSheet(STYLE_SHEET)


def theme_palette(palette: QPalette) -> QPalette:
    """The light palette; a colour set without a group is set for every group, disabled ones
    included, so the disabled texts are set after it."""
    palette = QPalette(palette)
    palette.setColor(QPalette.ColorRole.Window, QColor(SURFACE))
    palette.setColor(QPalette.ColorRole.Base, QColor("white"))
    palette.setColor(QPalette.ColorRole.Text, QColor(INK))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(INK))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#ccfbf1"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor(INK))
    # Fusion draws disabled menu items and tool buttons from these: grey, not ink.
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(DISABLED))
    return palette


def status_chip_css(status: str) -> str:
    fg, bg, _ = STATUS_STYLE.get(status, (INK, "#f3f4f6", status))
    if status in RUN_STATUS_STYLE:
        fg, bg = RUN_STATUS_STYLE[status]
    return (f"color: {fg}; background: {bg}; border-radius: 9px; padding: 1px 9px;"
            "font-weight: 600;")
