"""Starts the Qt application: theme, icon, language, log file, crash dialog, the main window,
the paths given on the command line, and the offer to resume a run that was stopped by quitting
or interrupted by a crash."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from pluk.core.settings import load_settings
from pluk.gui.errors import CrashReporter, setup_logging
from pluk.gui.i18n import install_translators, resolve_language
from pluk.gui.icon import app_icon
from pluk.gui.main_window import MainWindow
from pluk.gui.theme import apply_theme


def make_app(language: str | None = None) -> QApplication:
    """`language`: 'en' or 'nl'; None follows the settings (by default the system's)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    install_translators(language or resolve_language(load_settings().language), app)
    app.setApplicationName("Pluk")
    app.setApplicationDisplayName("Pluk")
    app.setDesktopFileName("pluk")
    app.setWindowIcon(app_icon())
    apply_theme(app)
    return app


def create_window(paths: list[str]) -> MainWindow:
    setup_logging()
    window = MainWindow(load_settings())
    window.show()
    if paths:
        window.inputs.request_add(list(paths))
    QTimer.singleShot(0, window.window_actions.offer_resume)
    return window


def run_app(paths: list[str]) -> int:
    app = make_app()
    window = create_window(paths)
    reporter = CrashReporter(window)
    reporter.install()
    try:
        return app.exec()
    finally:
        reporter.uninstall()
