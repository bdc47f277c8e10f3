"""The main window's first size: what fits the screen, never below what its panels need."""

from __future__ import annotations


def test_the_window_fits_the_screen(window):
    room = window.screen().availableGeometry()
    hint = window.minimumSizeHint()
    assert window.height() <= max(room.height(), hint.height())
    assert window.width() <= max(room.width(), hint.width())
    assert window.width() >= hint.width() and window.height() >= hint.height()
    # The offscreen test screen (800x800) is smaller than 1360x860: the window shrank.
    assert window.height() < 860
