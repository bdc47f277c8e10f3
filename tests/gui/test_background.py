"""Blocking core calls run off the GUI thread, with a busy state, and answer in order: listing
previous runs, listing a table's columns, reading a run back. Each core call is wrapped to
record the thread it ran on and, where a test needs it, to hold until released."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool

from pluk.core.runs.folder import ModelFacts, RunFolder, RunManifest
from pluk.core.runs.records import Record
from pluk.core.tasks import task_sha256
from pluk.core.tasks.loader import parse_task
from pluk.gui.background import LatestCall
from tests.gui.conftest import TEST_TASK, write_reports

GUI_THREAD = threading.get_ident()  # pytest imports test modules on the thread Qt runs on


class Probe:
    """Wraps a core function: records the thread of each call, and holds a call whose first
    argument is `hold` until released (two pool threads may start their calls in any order)."""

    def __init__(self, fn, hold=None):
        self.fn, self.hold = fn, hold
        self.threads: list[int] = []
        self.release = threading.Event()

    def __call__(self, *args, **kwargs):
        self.threads.append(threading.get_ident())
        if self.hold is not None and args and args[0] == self.hold:
            self.release.wait(20)
        return self.fn(*args, **kwargs)

    def off_gui_thread(self) -> bool:
        return bool(self.threads) and GUI_THREAD not in self.threads


@pytest.fixture
def settle(qtbot):
    """Let every pool call end (and its queued result arrive) before the test's checks."""
    def wait():
        assert QThreadPool.globalInstance().waitForDone(20_000)
        qtbot.wait(50)
    yield wait
    wait()


def make_run(path: Path, records: int, started_at: str = "2024-01-01T10:00:00+00:00",
             inputs: list[str] | None = None) -> RunFolder:
    task = parse_task(TEST_TASK, "gui_test.json")
    manifest = RunManifest(
        model=ModelFacts(path="/models/tiny.gguf", sha256="ab" * 32, size_bytes=1),
        task=task.model_dump(mode="json"), task_sha256=task_sha256(task),
        started_at=started_at, status="finished", inputs=inputs or [])
    folder = RunFolder.start(path, manifest, resume=False)
    for n in range(records):
        folder.append(Record(id=f"r{n}", source="x", sha256="0" * 64, status="ok",
                             fields={"abnormal": bool(n % 2), "severity": "mild"}))
    return folder


def test_only_the_newest_call_answers(qtbot, settle):
    calls = LatestCall()
    answers, busy = [], []
    calls.succeeded.connect(answers.append)
    calls.busy_changed.connect(busy.append)
    slow = threading.Event()
    calls.start(lambda: slow.wait(20) and "old")
    calls.start(lambda: "new")
    assert calls.busy and busy == [True]
    qtbot.waitUntil(lambda: answers == ["new"], timeout=10_000)
    assert not calls.busy and busy == [True, False]
    slow.set()
    settle()
    assert answers == ["new"]  # the earlier call ended later, and was dropped


def test_previous_runs_are_listed_off_the_gui_thread_and_the_newest_listing_wins(
        qtbot, window, tmp_path, monkeypatch, settle):
    from pluk.gui import history_panel

    first, second = tmp_path / "first", tmp_path / "second"
    make_run(first / "run_a", 1)
    make_run(second / "run_b", 1)
    make_run(second / "run_c", 1, started_at="2024-02-01T10:00:00+00:00")
    probe = Probe(history_panel.find_runs, hold=[first])
    monkeypatch.setattr(history_panel, "find_runs", probe)
    panel = window.history

    started = time.monotonic()
    panel.set_roots([first])  # held in the core call
    assert time.monotonic() - started < 1.0
    assert panel.busy and panel.status.text() == "Looking for previous runs…"
    assert not panel.refresh_button.isEnabled()
    panel.set_roots([second])  # a newer listing while the first is held
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)
    folders = [panel.tree.topLevelItem(i).text(6) for i in range(panel.tree.topLevelItemCount())]
    assert folders == ["run_c", "run_b"] and panel.status.text() == "2 previous runs."
    probe.release.set()
    settle()
    assert panel.tree.topLevelItemCount() == 2  # the first listing came late and was dropped
    assert probe.off_gui_thread() and len(probe.threads) == 2
    assert panel.refresh_button.isEnabled()


def test_table_columns_are_listed_off_the_gui_thread_and_requests_keep_their_order(
        qtbot, window, tmp_path, monkeypatch, settle):
    from pluk.gui import inputs_panel

    table = tmp_path / "export.csv"
    table.write_text("nummer,verslag\nA1,PSA 5 ng/ml\nA2,geen afwijkingen\n", encoding="utf-8")
    folder = write_reports(tmp_path / "folder", 2)
    probe = Probe(inputs_panel.table_columns, hold=table)
    monkeypatch.setattr(inputs_panel, "table_columns", probe)
    asked, dialog_class = [], inputs_panel.TableColumnsDialog

    class Answer:
        def __init__(self, path, columns, parent):
            asked.append(columns)
            self.dialog = dialog_class(path, columns, parent)
            self.dialog.id_combo.setCurrentIndex(self.dialog.id_combo.findData("nummer"))
            self.dialog.text_combo.setCurrentIndex(self.dialog.text_combo.findData("verslag"))

        def exec(self):
            return True

        def options(self):
            return self.dialog.options()

    monkeypatch.setattr(inputs_panel, "TableColumnsDialog", Answer)
    chosen = []
    window.inputs.paths_chosen.connect(lambda paths, _table: chosen.append(paths))
    panel = window.inputs

    started = time.monotonic()
    panel.request_add([str(table)])  # held while its columns are listed
    panel.request_add([str(folder)])  # no table, but it waits for the request before it
    assert time.monotonic() - started < 1.0
    assert panel.listing_columns and panel.summary.text() == "Reading the columns of export.csv…"
    assert not panel.add_folder_button.isEnabled()
    qtbot.wait(100)
    assert chosen == []
    probe.release.set()
    qtbot.waitUntil(lambda: len(chosen) == 2, timeout=10_000)
    assert chosen == [[str(table)], [str(folder)]]
    assert asked == [["nummer", "verslag"]] and probe.off_gui_thread()
    qtbot.waitUntil(lambda: panel.report_count() == 4, timeout=20_000)
    assert sorted(r.id for r in window.session.reports)[:2] == ["A1", "A2"]
    assert panel.add_folder_button.isEnabled()


def test_a_run_is_read_back_off_the_gui_thread_and_the_newest_open_wins(
        qtbot, window, tmp_path, monkeypatch, settle):
    from pluk.gui import session as session_module

    older, newer = make_run(tmp_path / "older", 3), make_run(tmp_path / "newer", 5)
    probe = Probe(session_module.load_run, hold=older.path)
    monkeypatch.setattr(session_module, "load_run", probe)
    opened = []
    window.session.run_opened.connect(lambda run_dir, _task, records:
                                      opened.append((Path(run_dir).name, len(records))))

    started = time.monotonic()
    window.window_actions.open_run(older.path)  # held while its records are read
    assert time.monotonic() - started < 1.0
    assert window.history.status.text() == "Opening the run…"
    assert not window.history.open_button.isEnabled()
    window.window_actions.open_run(newer.path)
    qtbot.waitUntil(lambda: opened == [("newer", 5)], timeout=10_000)
    assert window.results.model.rowCount() == 5 and window.tabs.currentIndex() == 0
    probe.release.set()
    settle()
    assert opened == [("newer", 5)]  # the older open came late and was dropped
    assert window.results.run_dir == newer.path and probe.off_gui_thread()
    assert window.history.open_button.isEnabled()


def test_a_folder_that_is_no_run_is_refused_with_its_reason(qtbot, window, tmp_path,
                                                            monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda _parent, title, text: shown.append((title, text))))
    with qtbot.waitSignal(window.session.run_open_failed, timeout=10_000):
        window.window_actions.open_run(tmp_path)
    assert shown == [("Cannot open this run", f"{tmp_path} is not a run folder "
                                              "(no manifest.json)")]


def test_a_call_that_outlives_its_owner_drops_its_answer_quietly(qtbot):
    # A window closed while its call still ran: the answer has nobody to go to. Emitting on the
    # deleted object raised RuntimeError into the next test's Qt loop (seen in CI).
    import threading

    import shiboken6
    from PySide6.QtCore import QObject, QThreadPool

    from pluk.gui.background import BackgroundCall

    release = threading.Event()
    owner = QObject()
    call = BackgroundCall(lambda: release.wait(10) and "late", owner)
    call.start()
    shiboken6.delete(owner)  # deletes the call with it
    assert not shiboken6.isValid(call)
    release.set()
    assert QThreadPool.globalInstance().waitForDone(10_000)
    qtbot.wait(50)  # pytest-qt fails the test on any exception caught meanwhile
