"""Issue 26, item 7: every count the window shows during a run agrees with records.jsonl.
After Resume the bar counted only what was left ("1 of 5"); the bar and the quit dialog
disagreed (3 against 1); the table's footer said "error 0" while the progress line said
"error 1". A real run on the tiny model, cut after two records and resumed: at every progress
the bar, the progress line, the footer and the quit dialog count the records the table holds."""

from __future__ import annotations

import json
import re
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from pluk.core.runs.folder import RunFolder
from tests.gui.conftest import load_folder


def _footer(window) -> dict[str, int]:
    text = window.results.count.text()
    return {k: int(v) for k, v in re.findall(r"(ok|invalid|error) (\d+)", text)}


def test_counts_agree_with_the_records_after_resume(qtbot, window, report_folder, monkeypatch):
    load_folder(qtbot, window, report_folder, 5)
    with qtbot.waitSignal(window.session.run_finished, timeout=90_000) as blocker:
        window.run_panel.run_button.click()
    run_dir = Path(blocker.args[0].run_dir)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["status"] = "running"  # as a crash leaves it, two records written
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    lines = (run_dir / "records.jsonl").read_text().splitlines(keepends=True)
    (run_dir / "records.jsonl").write_text("".join(lines[:2]))

    seen: list[tuple] = []
    asked: list[str] = []

    def check(progress) -> None:
        rows = window.results.model.records
        statuses = [r.status for r in rows]
        seen.append((progress.done, progress.total))
        assert progress.done == len(rows) and progress.total == 5
        assert (progress.ok, progress.invalid, progress.error) == tuple(
            statuses.count(s) for s in ("ok", "invalid", "error"))
        assert window.run_panel.bar.value() == progress.done
        assert f"error {progress.error}" in window.run_panel.stats.text()
        if window.session.running:
            # The quit dialog, answered "Keep running", says the same number of reports.
            monkeypatch.setattr(QMessageBox, "exec", lambda box: asked.append(box.text()) or 0)
            assert not window.window_actions.confirm_quit()
            assert f"with {len(rows)} report" in asked[-1]

    def after_footer(progress) -> None:
        check(progress)
        footer = _footer(window)
        assert footer == {"ok": progress.ok, "invalid": progress.invalid,
                          "error": progress.error}, window.results.count.text()

    # Queued after the panels' own slots, so the bar and footer have been updated.
    window.session.progress_changed.connect(after_footer)
    monkeypatch.setattr(QMessageBox, "exec", lambda box: box.buttons()[0].click() or 0)
    with qtbot.waitSignal(window.session.run_finished, timeout=90_000):
        window.window_actions.offer_resume()
    window.session.progress_changed.disconnect(after_footer)

    assert seen[0] == (2, 5), seen  # the first progress of the resumed run: 2 done before
    assert seen[-1] == (5, 5)
    records = RunFolder(run_dir).records()
    assert len(records) == 5 == window.results.model.rowCount()
    assert _footer(window)["error"] == sum(r.status == "error" for r in records)
