"""The main window's first size: what fits the screen, never below what its panels need."""

from __future__ import annotations

import pytest


def test_the_window_fits_the_screen(window):
    room = window.screen().availableGeometry()
    hint = window.minimumSizeHint()
    assert window.height() <= max(room.height(), hint.height())
    assert window.width() <= max(room.width(), hint.width())
    assert window.width() >= hint.width() and window.height() >= hint.height()
    # The offscreen test screen (800x800) is smaller than 1360x860: the window shrank.
    assert window.height() < 860


LONG_TITLE = ("Prostaat MRI met PI-RADS, PSA-densiteit, extraprostatische uitbreiding en "
              "aantal laesies volgens de richtlijn van 2024 (aangepaste versie voor het archief)")
LONG_RUN = "2025-06-30_235959_" + "prostaat_mri_verslagen_afdeling_radiologie_" * 3


def _open_long_run(window, tmp_path):
    from pluk.core.tasks.loader import parse_task

    task = parse_task({"id": "long_task", "title": LONG_TITLE, "description": "d" * 300,
                       "fields": [{"name": f"field_with_a_long_name_{n}", "type": "string",
                                   "description": "x" * 80} for n in range(12)]}, "test")
    window.session.run_opened.emit(tmp_path / LONG_RUN, task, [])


def _elided_buttons(window) -> list[str]:
    from PySide6.QtWidgets import QPushButton

    cut = []
    for button in window.findChildren(QPushButton):
        if button.isVisibleTo(window) and button.text():
            needed = button.fontMetrics().horizontalAdvance(button.text().replace("&", ""))
            if button.width() < needed + 8:
                cut.append(f"{button.text()!r}: {button.width()} < {needed + 8}")
    return cut


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_window_fits_1280x720_with_a_long_task_and_run_folder(qtbot, window, tmp_path,
                                                                  qapp, language):
    from pluk.gui import i18n
    from pluk.gui.main_window import MainWindow

    if language == "nl":
        i18n.install_translators("nl", qapp)
        window = MainWindow(window.session.settings)
        qtbot.addWidget(window)
        window.show()
    try:
        _open_long_run(window, tmp_path)
        for tab in range(window.tabs.count()):  # every tab's own minimum counts
            window.tabs.setCurrentIndex(tab)
            hint = window.minimumSizeHint()
            assert hint.width() <= 1280 and hint.height() <= 720, (tab, hint)
        window.resize(1280, 720)
        for tab in range(window.tabs.count()):
            window.tabs.setCurrentIndex(tab)
            qtbot.wait(20)
            assert window.width() == 1280
            assert not _elided_buttons(window), _elided_buttons(window)
        # The title is shortened, never the window widened; the whole title is in its tooltip.
        title = window.results.title
        assert LONG_TITLE in title.toolTip() and LONG_RUN in title.toolTip()
        assert "…" in title.text()
    finally:
        if language == "nl":
            window.session.shutdown()
            i18n.install_translators("en", qapp)


def test_a_status_message_does_not_move_the_panels(qtbot, window):
    before = window.centralWidget().geometry()
    window.statusBar().showMessage("Saved")
    qtbot.wait(20)
    assert window.centralWidget().geometry() == before
