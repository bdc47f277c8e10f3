"""Issue 26, item 3: room on a laptop screen. The window, staged with reports, a run, a review
and a validation (layout_probe), at 1280x720: every list shows at least 5 rows on every tab, no
header of the review or results table is cut, and visiting every tab never grows the window
(the Validation tab pushed Start under the taskbar). Real widgets, offscreen; the screenshots
for a person to look at come from tests/gui/screenshots.py."""

from __future__ import annotations

from tests.gui import layout_probe


def test_every_list_keeps_five_rows_at_1280x720(qtbot, window, tmp_path):
    window.setWindowState(window.windowState() & ~window.windowState().WindowMaximized)
    window.resize(1276, 716)  # a maximized 1280x720 screen, as screenshots.py measures it
    layout_probe.settle()
    hint = window.inputs.hint  # the drop hint, before any report: never clipped
    assert hint.isVisible() and hint.height() >= hint.heightForWidth(hint.width())
    layout_probe.stage(window, tmp_path)
    size = window.size()
    short: dict[str, float] = {}
    cut: dict[str, list[str]] = {}

    def check(_index, tab):
        for name, view in layout_probe.lists(window).items():
            if view.isVisible():
                rows = layout_probe.list_rows(view)
                if rows < 5:
                    short[f"{tab}: {name}"] = round(rows, 1)
        for name in ("results", "review fields"):
            view = layout_probe.lists(window)[name]
            if view.isVisible() and layout_probe.header_cut(view):
                cut[name] = layout_probe.header_cut(view)

    layout_probe.visit_every_tab(window, check)
    assert not short, short
    assert not cut, cut
    assert window.size() == size  # no tab grew the window


def test_tab_reaches_start_without_walking_the_table(qtbot, window, tmp_path):
    """Issue 26, item 8: Tab walked the results table cell by cell (about 80 presses) before
    Start. Now a table is one stop; from the results table Start comes within 40 presses."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    layout_probe.stage(window, tmp_path)
    window.show_results()
    window.activateWindow()
    window.results.table.setFocus()
    qtbot.waitUntil(lambda: window.results.table.hasFocus(), timeout=5_000)
    start = window.run_panel.run_button
    for presses in range(1, 41):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if QApplication.focusWidget() is start:
            break
    assert QApplication.focusWidget() is start, QApplication.focusWidget()
    assert presses < 40


def test_a_dutch_word_finds_the_builtin_task(qtbot, window):
    """Issue 26, item 4: searching the tasks for "prostaat" found nothing."""
    from PySide6.QtCore import Qt

    panel = window.task_panel
    panel.search.setText("prostaat")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    assert panel.current_task().id == "prostate_mri_nl"
