"""A run on the tiny model: the table fills in, the run folder is written, Stop ends it with
every finished record kept, the event loop keeps running, and export matches `pluk export`."""

from __future__ import annotations

import json
import time
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QTimer

from pluk.core.options import RunOptions
from pluk.core.runs.folder import RunFolder
from tests.gui.conftest import load_folder, make_report_folder, write_reports


class StallProbe:
    """A 10 ms timer on the GUI thread; the longest gap between its ticks is how long the event
    loop was kept from running."""

    def __init__(self):
        self.clock = QElapsedTimer()
        self.longest = 0
        self.ticks = 0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def start(self):
        self.clock.start()
        self.timer.start()

    def _tick(self):
        self.longest = max(self.longest, self.clock.restart())
        self.ticks += 1

    def stop(self):
        self.timer.stop()


def _run_to_end(qtbot, window, timeout=90_000):
    with qtbot.waitSignal(window.session.run_finished, timeout=timeout) as blocker:
        window.run_panel.run_button.click()
    return blocker.args[0]


def test_run_fills_the_table_and_writes_the_run_folder(qtbot, window, tmp_path):
    # Long reports, so the run lasts long enough (about 0.7 s) for the stall probe to mean
    # something: with short ones a warm run can end within 200 ms, before 20 ticks.
    load_folder(qtbot, window, make_report_folder(tmp_path / "long", repeat=40), 5)
    assert window.run_panel.run_button.isEnabled()
    probe = StallProbe()
    probe.start()
    result = _run_to_end(qtbot, window)
    probe.stop()

    assert result.status == "finished"
    model = window.results.model
    assert model.rowCount() == 5
    # The Reading column shows only when a record has something to say about its reading: the
    # tiny model's answers can carry a warning (an option it wrote that was not the most probable).
    reading = ["Reading"] if any(r.warnings or r.split for r in model.records) else []
    assert model.headers() == ["Status", "Report", *reading, "abnormal", "severity"]
    statuses = sorted(r.status for r in model.records)
    assert statuses.count("error") == 1 and all(s in ("ok", "invalid") for s in statuses[1:])
    run_dir = Path(result.run_dir)
    manifest = RunFolder(run_dir).read_manifest()
    assert manifest.status == "finished" and manifest.counts["total"] == 5
    assert len((run_dir / "records.jsonl").read_text().splitlines()) == 5
    assert (run_dir / "results.csv").is_file()
    assert "5 records" in window.run_panel.bar.format()
    # The window stayed responsive: the probe ticked all along, never stalled over 100 ms.
    assert probe.ticks > 20
    assert probe.longest < 100, f"the event loop stalled for {probe.longest} ms"

    # Selecting a row shows the report text beside its values.
    window.results.table.selectRow(0)
    assert window.detail.values.topLevelItemCount() == 2
    assert window.detail.text.toPlainText().strip()

    # Filtering by status leaves only the unreadable report.
    window.results.status_combo.setCurrentIndex(window.results.status_combo.findData("error"))
    assert window.results.proxy.rowCount() == 1


def test_stop_ends_the_run_and_keeps_finished_records(qtbot, window, tmp_path):
    folder = write_reports(tmp_path / "many", 40)
    load_folder(qtbot, window, folder, 40)
    stopped_at = []

    def stop_after_first(_record):
        if not stopped_at:
            stopped_at.append(time.monotonic())
            window.run_panel.stop_button.click()

    window.session.record_added.connect(stop_after_first)
    result = _run_to_end(qtbot, window)
    ended = time.monotonic()

    assert result.status == "cancelled"
    assert ended - stopped_at[0] < 5  # within a second of work, plus writing the exports
    folder_records = RunFolder(result.run_dir).records()
    assert 1 <= len(folder_records) < 40
    assert RunFolder(result.run_dir).read_manifest().status == "cancelled"
    assert window.results.model.rowCount() == len(folder_records)
    assert "Run stopped after" in window.run_panel.bar.format()

    # Stop leaves a resumable run: Resume is offered, and continues it without redoing a
    # finished report (Run would first ask which of the two is meant).
    assert window.session.resumable()
    assert window.run_panel.resume_button.isVisibleTo(window)
    window.session.record_added.disconnect(stop_after_first)
    with qtbot.waitSignal(window.session.run_finished, timeout=90_000) as blocker:
        window.run_panel.resume_button.click()
    resumed = blocker.args[0]
    assert resumed.run_dir == result.run_dir and resumed.status == "finished"
    lines = (Path(result.run_dir) / "records.jsonl").read_text().splitlines()
    assert len(lines) == 40 == len(RunFolder(result.run_dir).records())  # none done twice
    assert not window.run_panel.resume_button.isVisibleTo(window)


def test_export_writes_the_same_csv_as_pluk_export(qtbot, window, report_folder, tmp_path,
                                                   monkeypatch):
    from pluk.cli import main as cli_main
    from pluk.gui import export_dialog

    load_folder(qtbot, window, report_folder, 5)
    result = _run_to_end(qtbot, window)
    gui_csv = tmp_path / "from_gui.csv"
    monkeypatch.setattr(export_dialog.ExportDialog, "exec", lambda self: True)
    monkeypatch.setattr(export_dialog.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(gui_csv), "")))
    assert window.export_action.isEnabled()
    window.export_action.trigger()
    cli_csv = tmp_path / "from_cli.csv"
    assert cli_main(["export", result.run_dir, "--format", "csv", "--out", str(cli_csv)]) == 0
    assert gui_csv.read_bytes() == cli_csv.read_bytes()
    assert len(gui_csv.read_text(encoding="utf-8-sig").splitlines()) == 6


def test_previous_run_reopens_from_history(qtbot, window, report_folder):
    load_folder(qtbot, window, report_folder, 5)
    result = _run_to_end(qtbot, window)
    window.results.model.reset(None, [])
    tree = window.history.tree

    def mine():
        rows = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
        return [item for item in rows if Path(result.run_dir).name == item.text(6)]

    # The list is refreshed off the GUI thread when the run ends.
    qtbot.waitUntil(lambda: bool(mine()) and not window.history.busy, timeout=10_000)
    assert mine()[0].text(2) == "finished"
    with qtbot.waitSignal(window.session.run_opened, timeout=10_000):
        window.history.tree.itemDoubleClicked.emit(mine()[0], 0)
    assert window.results.model.rowCount() == 5
    assert window.results.run_dir == Path(result.run_dir).resolve()


def test_an_interrupted_run_is_offered_for_resuming(qtbot, window, report_folder, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    load_folder(qtbot, window, report_folder, 5)
    result = _run_to_end(qtbot, window)
    run_dir = Path(result.run_dir)
    # Make it look like a crash after two reports: status still "running", three lines gone.
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["status"] = "running"
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    lines = (run_dir / "records.jsonl").read_text().splitlines(keepends=True)
    (run_dir / "records.jsonl").write_text("".join(lines[:2]))

    # Answer the question with its first button, "Resume".
    monkeypatch.setattr(QMessageBox, "exec", lambda box: box.buttons()[0].click() or 0)
    with qtbot.waitSignal(window.session.run_finished, timeout=90_000) as blocker:
        window.window_actions.offer_resume()
    resumed = blocker.args[0]
    assert Path(resumed.run_dir) == run_dir and resumed.status == "finished"
    folder = RunFolder(run_dir)
    assert folder.read_manifest().resumed_at
    # The resumed run keeps the options it was started with (one thread, from the settings).
    assert RunOptions.from_saved(folder.read_manifest().options) == window.session.settings.run
    assert len(folder.records()) == 5
    assert len((run_dir / "records.jsonl").read_text().splitlines()) == 5  # nothing redone twice
