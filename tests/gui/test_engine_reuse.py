"""The window keeps the model loaded between runs: a second run with the same model and settings
does not load it again, a setting that changes how it is loaded loads it anew, and closing the
window frees it."""

from __future__ import annotations

from tests.gui.conftest import load_folder, write_reports


def _run(qtbot, window, said):
    said.clear()
    with qtbot.waitSignal(window.session.run_finished, timeout=90_000) as blocker:
        window.run_panel.run_button.click()
    assert blocker.args[0].status == "finished"
    return [s for s in said if s.startswith(("Loading the model", "Using the loaded model"))]


def test_a_second_run_with_the_same_settings_does_not_load_the_model_again(qtbot, window,
                                                                          tmp_path):
    load_folder(qtbot, window, write_reports(tmp_path / "few", 3), 3)
    keeper = window.session._engine.worker.keeper
    said: list[str] = []
    window.session.run_status.connect(said.append)

    first = _run(qtbot, window, said)
    assert [s.split(" (")[0] for s in first] == ["Loading the model"] and keeper.loads == 1
    second = _run(qtbot, window, said)
    assert [s.split(" (")[0] for s in second] == ["Using the loaded model"]
    assert keeper.loads == 1

    settings = window.session.settings
    hardware = settings.run.hardware.model_copy(update={"parallel": 2})
    window.session.settings = settings.model_copy(
        update={"run": settings.run.model_copy(update={"hardware": hardware})})
    third = _run(qtbot, window, said)
    assert [s.split(" (")[0] for s in third] == ["Loading the model"] and keeper.loads == 2
    assert keeper._decoder.options.parallel == 2

    window.session.shutdown()
    assert keeper._decoder is None
