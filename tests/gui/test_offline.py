"""Offline mode, GUI half: the whole extraction path through the window (open it, load reports,
choose a task and the model, run, export, open the model manager) with every socket connection
attempt refused and recorded; none may happen."""

from __future__ import annotations

import socket
import sys

import pytest

from pluk.core.settings import load_settings
from tests.gui.conftest import load_folder, write_reports
from tests.support.network_guard import no_network


def test_the_guard_records_a_connection_attempt():
    with no_network() as attempts:
        with pytest.raises(OSError, match="offline test"):
            socket.create_connection(("127.0.0.1", 9), timeout=1)
    assert attempts == [("127.0.0.1", 9)]


def test_gui_extraction_path_makes_no_connection(qtbot, pluk_home, tiny_model, tmp_path,
                                                 monkeypatch):
    from pluk.gui import export_dialog
    from pluk.gui.main_window import MainWindow

    folder = write_reports(tmp_path / "reports", 3)
    exported = tmp_path / "export.csv"
    monkeypatch.setattr(export_dialog.ExportDialog, "exec", lambda self: True)
    monkeypatch.setattr(export_dialog.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(exported), "")))

    with no_network() as attempts:
        window = MainWindow(load_settings())
        qtbot.addWidget(window)
        window.show()
        try:
            load_folder(qtbot, window, folder, 3)
            assert window.task_panel.select("gui_test")
            window.model_picker.set_path(tiny_model)
            # The model is checked off the GUI thread first; Run waits for the check.
            qtbot.waitUntil(window.run_panel.run_button.isEnabled, timeout=10_000)
            with qtbot.waitSignal(window.session.run_finished, timeout=90_000) as blocker:
                window.run_panel.run_button.click()
            assert blocker.args[0].status == "finished"
            assert window.export_action.isEnabled()
            window.export_action.trigger()
            # Opening the model manager (catalogue, installed models, hardware probe) is
            # offline too: only its Download buttons reach out.
            manager = window.window_actions.open_model_manager()
            qtbot.waitUntil(lambda: manager.hardware is not None, timeout=15_000)
        finally:
            window.session.shutdown()

    assert attempts == []
    assert window.results.model.rowCount() == 3
    assert len(exported.read_text(encoding="utf-8-sig").splitlines()) == 4
    assert "PySide6.QtNetwork" not in sys.modules  # no Qt networking either
