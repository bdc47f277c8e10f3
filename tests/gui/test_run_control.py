"""Run, Stop, Resume and the model check as a data manager meets them: a stopped run is offered
for resuming (also after quitting, at the next start) and Run asks before redoing its reports;
a run another window works on is shown in use and never resumed; a model that cannot be used
keeps Run off with the reason and leaves the recent list; the run bar says what the model is
doing during the first report."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from pluk.core.progress import Progress
from pluk.core.runs.lock import RunLock
from pluk.gui.window_actions import resumable_runs
from tests.gui.conftest import load_folder, write_reports
from tests.gui.run_folders import make_run


def _open(qtbot, window, run_dir: Path) -> None:
    with qtbot.waitSignal(window.session.run_opened, timeout=10_000):
        window.window_actions.open_run(run_dir)
    qtbot.waitUntil(lambda: window.session.run_state is not None, timeout=5_000)


def _answer(monkeypatch, button_text: str, asked: list[str]) -> None:
    """Answer the next message boxes with the button of this text, noting their text."""
    def exec_(box):
        asked.append(box.text())
        next(b for b in box.buttons() if b.text() == button_text).click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", exec_)


def test_a_stopped_run_is_offered_for_resuming_and_run_asks_first(qtbot, window, tmp_path,
                                                                  tiny_model, monkeypatch):
    reports = write_reports(tmp_path / "reports", 6)
    load_folder(qtbot, window, reports, 6)
    run_dir = make_run(tmp_path / "runs", "stopped", reports, tiny_model, done=2)
    _open(qtbot, window, run_dir)
    assert window.session.resumable()
    assert window.run_panel.resume_button.isVisibleTo(window)
    assert window.run_panel.resume_button.isEnabled()

    resumed = []
    monkeypatch.setattr(window.session, "resume_run", lambda folder: resumed.append(folder))
    asked = []
    _answer(monkeypatch, "Resume", asked)
    window.run_panel.run_button.click()  # Run on the stopped run's task: asks, says what
    assert resumed == [run_dir] and "2 reports done" in asked[0]
    assert "not redone" in asked[0] and "new run folder" in asked[0]

    started = []
    monkeypatch.setattr(window.session, "start_run", lambda: started.append(True))
    _answer(monkeypatch, "New run", asked)
    window.run_panel.run_button.click()
    assert started == [True]
    _answer(monkeypatch, "Cancel", asked)
    window.run_panel.run_button.click()
    assert started == [True] and resumed == [run_dir]  # Cancel does neither

    window.run_panel.resume_button.click()
    assert resumed == [run_dir, run_dir]


def test_a_finished_run_is_not_resumable(qtbot, window, tmp_path, tiny_model):
    reports = write_reports(tmp_path / "reports", 3)
    run_dir = make_run(tmp_path / "runs", "done", reports, tiny_model, done=3,
                       status="finished")
    _open(qtbot, window, run_dir)
    assert not window.session.resumable()
    assert not window.run_panel.resume_button.isVisibleTo(window)


def test_quitting_during_a_run_offers_it_at_the_next_start(qtbot, window, tmp_path, tiny_model,
                                                          monkeypatch):
    reports = write_reports(tmp_path / "reports", 4)
    run_dir = make_run(tmp_path / "runs", "quit", reports, tiny_model, done=1)
    session = window.session
    session.running, session.run_dir = True, run_dir
    asked = []
    try:
        _answer(monkeypatch, "Keep running", asked)
        assert not window.window_actions.confirm_quit()
        assert session.settings.resume_on_start is None
        _answer(monkeypatch, "Stop the run and quit", asked)
        assert window.window_actions.confirm_quit()
    finally:
        session.running = False
    # The dialog says exactly what happens: kept, stopped after the report, offered again.
    assert "kept" in asked[-1] and "offers to resume" in asked[-1]
    assert session.settings.resume_on_start == str(run_dir)
    # The run ended "cancelled" (as Stop leaves it): the next start offers it all the same.
    offered = resumable_runs([tmp_path / "elsewhere"], session.settings.resume_on_start)
    assert [r.folder for r in offered] == [run_dir.resolve()]
    assert offered[0].records_written == 1


def test_the_start_offer_resumes_the_quit_run_and_forgets_it(qtbot, window, tmp_path,
                                                             tiny_model, monkeypatch):
    reports = write_reports(tmp_path / "reports", 4)
    run_dir = make_run(tmp_path / "runs", "quit", reports, tiny_model, done=1)
    window.session.settings.resume_on_start = str(run_dir)
    resumed, asked = [], []
    monkeypatch.setattr(window.session, "resume_run", lambda folder: resumed.append(folder))
    _answer(monkeypatch, "Resume", asked)
    window.window_actions.offer_resume()
    qtbot.waitUntil(lambda: bool(resumed), timeout=10_000)
    assert resumed == [run_dir.resolve()] and "closed" in asked[0]
    assert window.session.settings.resume_on_start is None  # asked once, not every start


def test_a_run_in_use_is_shown_in_use_and_never_resumed(qtbot, window, tmp_path, tiny_model,
                                                        monkeypatch):
    reports = write_reports(tmp_path / "reports", 4)
    runs = tmp_path / "runs"
    run_dir = make_run(runs, "busy", reports, tiny_model, done=1, status="running")
    lock = RunLock(run_dir)
    lock.acquire()  # another window runs it
    try:
        assert resumable_runs([runs], None) == []  # a second window does not offer it
        window.history.set_roots([runs])
        qtbot.waitUntil(lambda: window.history.tree.topLevelItemCount() == 1
                        and not window.history.busy, timeout=10_000)
        item = window.history.tree.topLevelItem(0)
        assert item.text(2) == "in use"
        window.history.tree.setCurrentItem(item)
        assert not window.history.resume_button.isEnabled()
        assert "Another Pluk window" in window.history.resume_button.toolTip()
        warned = []
        monkeypatch.setattr(QMessageBox, "warning", lambda *a: warned.append(a[2]))
        assert not window.window_actions.resume(run_dir)
        assert "another Pluk window" in warned[0]
    finally:
        lock.release()
    # Once the other window is done, the interrupted run can be resumed from the list.
    assert [r.folder for r in resumable_runs([runs], None)] == [run_dir.resolve()]
    window.history.refresh()
    qtbot.waitUntil(lambda: not window.history.busy
                    and window.history.tree.topLevelItem(0).text(2) == "interrupted",
                    timeout=10_000)
    window.history.tree.setCurrentItem(window.history.tree.topLevelItem(0))
    assert window.history.resume_button.isEnabled()


def test_a_model_that_cannot_be_used_keeps_run_off_and_leaves_the_list(qtbot, window,
                                                                       tmp_path, tiny_model):
    load_folder(qtbot, window, write_reports(tmp_path / "reports", 2), 2)
    qtbot.waitUntil(lambda: window.run_panel.run_button.isEnabled(), timeout=10_000)
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)  # a header, then nothing a model has
    window.session.settings.remember_model(str(broken))
    with qtbot.waitSignal(window.model_picker.model_checked, timeout=10_000) as checked:
        window.model_picker.set_path(broken)
    assert checked.args[1]  # the reason
    button = window.run_panel.run_button
    assert not button.isEnabled() and not window.run_action.isEnabled()
    assert "cannot be used" in button.toolTip()
    assert str(broken) not in window.session.settings.recent_models
    assert window.session.settings.last_model != str(broken)
    assert "cannot be used" in window.model_picker.info.text()
    # A good model again: Run comes back.
    with qtbot.waitSignal(window.model_picker.model_checked, timeout=10_000):
        window.model_picker.set_path(tiny_model)
    assert button.isEnabled()


def test_the_run_bar_shows_the_phase_and_tokens_of_the_first_report(qtbot, window):
    panel = window.run_panel
    panel.set_running(True)
    panel.show_status("Loading the model (context 4096 tokens)")
    assert "Loading the model" in panel.bar.format()
    panel.show_progress(Progress(done=0, total=15, current_id="a.txt", phase="prompt",
                                 phase_tokens=812))
    assert "reading report 1 (812 tokens)" in panel.bar.format()
    assert "known when the first report is done" in panel.stats.text()
    panel.show_progress(Progress(done=0, total=15, current_id="a.txt", phase="answer",
                                 phase_tokens=1))
    assert "writing the answer to report 1: 1 token" in panel.bar.format()
    panel.show_progress(Progress(done=0, total=15, current_id="a.txt", phase="answer",
                                 phase_tokens=23))
    assert "23 tokens" in panel.bar.format()
    panel.show_progress(Progress(done=1, total=15, ok=1, eta_seconds=840.0,
                                 reports_per_minute=1.0, current_id="a.txt"))
    assert panel.bar.format() == "1 of 15 reports done"
    assert "about 14 min 00 s left" in panel.stats.text()
    panel.set_running(False)


def test_a_run_that_fails_to_start_leaves_the_results_on_screen(qtbot, window, tmp_path,
                                                                tiny_model, monkeypatch):
    from pluk.gui import window_actions

    reports = write_reports(tmp_path / "reports", 3)
    load_folder(qtbot, window, reports, 3)
    shown = make_run(tmp_path / "runs", "shown", reports, tiny_model, done=3,
                     status="finished")
    _open(qtbot, window, shown)
    assert window.results.model.rowCount() == 3
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    # As if the check had passed: the model fails only when the run loads it.
    session = window.session
    session.model_path, session.model_checking, session.model_problem = broken, False, None
    failures = []
    monkeypatch.setattr(window_actions, "show_run_failed", lambda _w, m: failures.append(m))
    with qtbot.waitSignal(session.run_failed, timeout=30_000):
        session.start_run()
    assert failures
    assert window.results.run_dir == shown and window.results.model.rowCount() == 3
