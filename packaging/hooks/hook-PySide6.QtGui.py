"""Overrides PyInstaller's hook for PySide6.QtGui: the same collection, minus the Qt plugins and
translations packaging/qt_selection.py drops. Filtering here, before PyInstaller analyses the
plugins' library dependencies, keeps a dropped plugin's libraries (QtNetwork for VNC, cairo and
pango for the GTK3 theme, EGLFS device integration) out of the bundle too."""

import os
import sys

from PyInstaller.utils.hooks.qt import get_qt_library_info

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from qt_selection import keep  # noqa: E402

hiddenimports, binaries, datas = get_qt_library_info("PySide6").collect_module("PySide6.QtGui")
binaries = [(src, dest) for src, dest in binaries if keep(f"{dest}/{os.path.basename(src)}")]
datas = [(src, dest) for src, dest in datas if keep(f"{dest}/{os.path.basename(src)}")]
