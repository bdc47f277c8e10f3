"""Settings → Engine: this computer or an inference server (URL, model, concurrency); Test
connection lists the server's models off the GUI thread; an unusable URL keeps the dialog open;
with a server, Run needs no model file."""

from __future__ import annotations

from pluk.core.options import RunOptions, ServerOptions
from pluk.core.settings import Settings
from pluk.gui.settings_dialog import SettingsDialog
from tests.support.fake_openai import LLAMA_SERVER, json_server


def test_the_engine_is_this_computer_or_a_server(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    engine = dialog.engine
    assert engine.where.currentData() == "local" and not engine.url.isEnabled()
    assert dialog.settings().run.server is None

    engine.where.setCurrentIndex(engine.where.findData("server"))
    engine.url.setText("https://llm.example.org:8443/v1")
    engine.concurrency.setValue(3)
    server = dialog.settings().run.server
    assert server == ServerOptions(url="https://llm.example.org:8443", concurrency=3)

    kept = Settings(run=RunOptions(server=ServerOptions(url="https://a:1", ca_bundle="ca.pem",
                                                        model="m")))
    again = SettingsDialog(kept)
    qtbot.addWidget(again)
    assert again.engine.where.currentData() == "server" and again.engine.url.text() == "https://a:1"
    assert again.settings() == kept  # what the box does not show (the CA bundle) is kept


def test_an_unusable_url_keeps_the_dialog_open_and_says_why(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.engine.where.setCurrentIndex(1)
    dialog.engine.url.setText("llm.example.org")
    dialog._accept()
    assert dialog.result() == 0 and "http://" in dialog.engine.result.text()


def test_test_connection_lists_the_servers_models(qtbot):
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    engine = dialog.engine
    engine.where.setCurrentIndex(1)
    with json_server(LLAMA_SERVER) as (url, _bodies):
        engine.url.setText(url)
        engine.test_button.click()
        qtbot.waitUntil(lambda: "Connected" in engine.result.text(), timeout=20_000)
    assert "llama-server" in engine.result.text() and "8 slots" in engine.result.text()
    assert engine.model.currentText() == "qwen2.5-7b"
    assert dialog.settings().run.server.model == "qwen2.5-7b"


def test_a_failed_test_says_why(qtbot):
    from tests.support.llama_server import free_port

    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.engine.where.setCurrentIndex(1)
    dialog.engine.url.setText(f"http://127.0.0.1:{free_port()}")
    dialog.engine.keyring.setChecked(False)
    dialog.engine.test_button.click()
    qtbot.waitUntil(lambda: "No connection" in dialog.engine.result.text(), timeout=60_000)


def test_with_a_server_run_needs_no_model_file(window):
    from pluk.core.readers.reports import Report
    from pluk.core.tasks import load_task

    session = window.session
    session.reports = [Report.from_text(id="r", source="mem", format="txt", text="PSA 4.")]
    session.task = load_task("prostate_mri_nl")
    session.set_model(None)
    assert "model" in session.can_run().lower()
    session.settings.run = RunOptions(server=ServerOptions(url="http://127.0.0.1:9"))
    assert session.can_run() is None


def test_the_window_runs_the_reports_on_a_server(qtbot, window, tiny_model, tmp_path):
    """Run without a model file: the window's run goes to the server (and only there)."""
    from tests.gui.conftest import load_folder, write_reports
    from tests.support.llama_server import start_server
    from tests.support.network_guard import recorded_network

    server = start_server(tiny_model, tmp_path / "server.log")
    try:
        folder = write_reports(tmp_path / "reports", 3)
        window.session.settings.run = RunOptions(server=ServerOptions(url=server.url))
        load_folder(qtbot, window, folder, 3)
        assert window.task_panel.select("gui_test")
        window.session.set_model(None)
        with recorded_network() as connections:
            with qtbot.waitSignal(window.session.run_finished, timeout=90_000) as blocker:
                window.run_panel.run_button.click()
        assert blocker.args[0].status == "finished"
        assert set(connections) == {("127.0.0.1", server.port)}
        assert window.results.model.rowCount() == 3
    finally:
        server.stop()


def test_a_port_that_is_no_port_is_one_sentence_in_test_connection(qtbot):
    """Issue 29, item 17, in the window: Test connection with port 99999 raised ValueError."""
    dialog = SettingsDialog(Settings())
    qtbot.addWidget(dialog)
    dialog.engine.where.setCurrentIndex(1)
    dialog.engine.url.setText("http://user:secret@127.0.0.1:99999")
    dialog.engine.keyring.setChecked(False)
    dialog.engine.test_button.click()
    text = dialog.engine.result.text()
    assert "no valid port" in text and "secret" not in text
