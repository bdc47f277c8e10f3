"""The Review tab and the evidence in the detail pane, on a run folder made without a model:
the uncertain-first order, keyboard accept / correct / reject, a correction outside the field's
bounds refused, every review in reviews.jsonl and all of them back after closing and reopening;
the HTML export from the window's dialog."""

from __future__ import annotations

import json
import re

from PySide6.QtCore import Qt

from pluk.core.runs.folder import RunFolder
from pluk.core.runs.reviews import ReviewLog
from pluk.core.tasks import load_task
from tests.support.review_run import make_review_run


def _open(qtbot, window, run_dir, n):
    window.window_actions.open_run(run_dir)
    qtbot.waitUntil(lambda: window.review.task is not None
                    and len(window.review.records) == n, timeout=20_000)
    qtbot.waitUntil(lambda: window.session.report_by_id(window.review.order[0].id) is not None,
                    timeout=20_000)
    window.show_review()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.review.text.toPlainText().startswith("MRI prostate"),
                    timeout=10_000)
    return window.review


def _row(panel, path):
    return next(i for i, (p, _) in enumerate(panel.paths) if p == path)


def _lines(run_dir):
    path = ReviewLog(run_dir).path
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_review_flow_by_keyboard_and_reviews_survive_reopening(qtbot, window, tmp_path):
    run_dir, records = make_review_run(tmp_path)
    panel = _open(qtbot, window, run_dir, len(records))
    # Most uncertain first: low probability, ungrounded evidence, a failed field, the rest.
    assert [r.id for r in panel.order[:3]] == [records[2].id, records[1].id, records[3].id]
    assert panel.progress.text() == f"0 of {len(records)} reviewed"
    assert panel.text.highlighted_paths()  # the evidence is painted in the report text

    # Choosing a field scrolls the text to its evidence.
    panel.fields.setCurrentCell(_row(panel, "prostate_volume"), 0)
    evidence = panel.current_record().evidence["prostate_volume"]
    assert panel.text.cursor_offset() == evidence.start
    assert panel.text.chosen == "prostate_volume"

    # A accepts the chosen field and moves to the next one.
    panel.fields.setCurrentCell(_row(panel, "psa"), 0)
    panel.fields.setFocus()
    qtbot.keyClick(panel.fields, Qt.Key.Key_A)
    first = panel.current_record()
    assert panel.latest[(first.id, "psa")].verdict == "accepted"
    assert panel.current_path() == panel.paths[_row(panel, "psa") + 1][0]

    # A correction outside the bounds is refused with the reason, and nothing is stored.
    panel.fields.setCurrentCell(_row(panel, "psa"), 0)
    qtbot.keyClick(panel.fields, Qt.Key.Key_C)
    assert panel.editor.line.hasFocus()
    panel.editor.line.setText("20000")
    stored = len(_lines(run_dir))
    qtbot.keyClick(panel.editor.line, Qt.Key.Key_Return)
    assert "above the maximum 10000" in panel.message.text()
    assert len(_lines(run_dir)) == stored
    assert panel.latest[(first.id, "psa")].verdict == "accepted"
    # A Dutch decimal comma inside the bounds is stored as a correction.
    panel.editor.line.setText("9,7")
    qtbot.keyClick(panel.editor.line, Qt.Key.Key_Return)
    assert panel.latest[(first.id, "psa")].verdict == "corrected"
    assert panel.latest[(first.id, "psa")].value == 9.7
    assert len(_lines(run_dir)) == stored + 1

    # R rejects the chosen field with the chosen reason.
    panel.fields.setCurrentCell(_row(panel, "extraprostatic_extension"), 0)
    panel.reason_combo.setCurrentIndex(panel.reason_combo.findData("hallucinated"))
    panel.fields.setFocus()
    qtbot.keyClick(panel.fields, Qt.Key.Key_R)
    rejected = panel.latest[(first.id, "extraprostatic_extension")]
    assert (rejected.verdict, rejected.reason, rejected.value) == ("rejected", "hallucinated",
                                                                    None)

    # Shift+A accepts the rest of this report and goes to the next one.
    qtbot.keyClick(panel.fields, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    assert panel.progress.text() == f"1 of {len(records)} reviewed"
    assert panel.current_record().id == panel.order[1].id
    assert panel.latest[(first.id, "psa")].verdict == "corrected"  # not overwritten
    # N and P move between reports.
    qtbot.keyClick(panel.fields, Qt.Key.Key_N)
    assert panel.index == 2
    qtbot.keyClick(panel.fields, Qt.Key.Key_P)
    assert panel.index == 1
    panel.fields.setFocus()
    qtbot.keyClick(panel.fields, Qt.Key.Key_A)
    second = panel.current_record()
    assert panel.latest[(second.id, panel.paths[0][0])].verdict == "accepted"

    kept = dict(panel.latest)
    lines = [json.loads(line) for line in _lines(run_dir)]
    assert all(line["reviewer"] for line in lines)
    assert RunFolder(run_dir).records() == records  # records.jsonl untouched

    # Closing and reopening keeps every review.
    from pluk.gui.review_panel import ReviewPanel

    window.close()
    again = ReviewPanel()
    qtbot.addWidget(again)
    again.show_run(run_dir, load_task("prostate_mri_nl"), RunFolder(run_dir).records())
    assert again.latest == kept
    assert again.progress_text() == f"1 of {len(records)} reviewed"
    again.go([r.id for r in again.order].index(first.id))
    assert again.fields.item(_row(again, "psa"), 3).text() == "corrected"
    assert again.fields.item(_row(again, "psa"), 4).text() == "9.7"
    assert again.fields.item(_row(again, "extraprostatic_extension"), 4).text() == \
        "hallucinated"
    assert again.record_list.item(again.index).text().startswith("✓")


def test_detail_pane_marks_ungrounded_values_and_scrolls_to_evidence(qtbot, window,
                                                                     tmp_path):
    run_dir, records = make_review_run(tmp_path)
    _open(qtbot, window, run_dir, len(records))
    window.show_results()
    assert window.results.select_record(records[1].id)
    detail = window.detail
    qtbot.waitUntil(lambda: detail.text.toPlainText().startswith("MRI prostate"),
                    timeout=10_000)
    psa = detail.item_for("psa")
    assert psa.text(2) == "ungrounded"
    assert "ungrounded" in detail.heading.text()
    assert detail.item_for("prostate_volume").text(2) == "exact"
    assert "psa" not in detail.text.highlighted_paths()
    assert "prostate_volume" in detail.text.highlighted_paths()
    assert detail.select_field("extraprostatic_extension")
    evidence = records[1].evidence["extraprostatic_extension"]
    assert detail.text.cursor_offset() == evidence.start
    assert detail.text.toPlainText()[evidence.start:evidence.end] == evidence.quote


def test_html_export_from_the_window(qtbot, window, tmp_path, monkeypatch):
    from pluk.gui import export_dialog

    run_dir, records = make_review_run(tmp_path)
    _open(qtbot, window, run_dir, len(records))
    target = tmp_path / "page.html"
    monkeypatch.setattr(export_dialog.ExportDialog, "exec", lambda self: True)
    monkeypatch.setattr(export_dialog.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    original = export_dialog.ExportDialog.choice
    monkeypatch.setattr(export_dialog.ExportDialog, "choice",
                        lambda self: ("html", *original(self)[1:]))
    assert window.export_action.isEnabled()
    window.export_action.trigger()
    page = target.read_text(encoding="utf-8")
    assert page.count("<section") == len(records) and "<mark" in page
    assert not re.search(r"https?://|\bsrc\s*=|<link|<script", page, re.I)


def test_review_waits_for_a_run_to_finish_then_sorts_its_records(qtbot, tmp_path):
    from pluk.gui.review_panel import ReviewPanel

    run_dir, records = make_review_run(tmp_path)
    panel = ReviewPanel()
    qtbot.addWidget(panel)
    panel.show_run(run_dir, load_task("prostate_mri_nl"), [])
    panel.set_running(True)
    for record in records:
        panel.add_record(record)
        assert not panel.accept_button.isEnabled()
    assert [r.id for r in panel.order] == [r.id for r in records]  # arrival order meanwhile
    panel.set_running(False)
    assert panel.accept_button.isEnabled()
    assert panel.order[0].id == records[2].id  # most uncertain first once it has finished


def test_every_saved_review_belongs_to_the_report_it_was_saved_for(qtbot, window, tmp_path):
    """Issue 26, item 1: after Shift+A the next report opened on the same field row, the editor
    still held the last report's value, and C + Enter saved it onto the new report. Every report
    here is gone through by keyboard (C + Enter on psa without typing, A, R, Shift+A, N and P);
    each stored value must be the model's value of that very report."""
    run_dir, records = make_review_run(tmp_path)
    by_id = {r.id: r for r in records}
    assert len({r.fields["psa"] for r in records}) == len(records)  # a wrong one would show
    panel = _open(qtbot, window, run_dir, len(records))
    psa = _row(panel, "psa")

    def correct_psa_unchanged():
        panel.fields.setCurrentCell(psa, 0)
        panel.fields.setFocus()
        qtbot.keyClick(panel.fields, Qt.Key.Key_C)
        qtbot.keyClick(panel.editor.line, Qt.Key.Key_Return)
        panel.fields.setFocus()

    for _ in range(len(records)):
        record = panel.current_record()
        correct_psa_unchanged()
        assert panel.latest[(record.id, "psa")].value == record.fields["psa"]
        panel.fields.setCurrentCell(_row(panel, "extraprostatic_extension"), 0)
        qtbot.keyClick(panel.fields, Qt.Key.Key_R)
        # Shift+A leaves psa's row current: the next report opens on it.
        panel.fields.setCurrentCell(psa, 0)
        qtbot.keyClick(panel.fields, Qt.Key.Key_A, Qt.KeyboardModifier.ShiftModifier)
    # Back and forth by N and P, correcting at each stop: the editor follows the report.
    for key in (Qt.Key.Key_P, Qt.Key.Key_P, Qt.Key.Key_N):
        panel.fields.setCurrentCell(psa, 0)
        qtbot.keyClick(panel.fields, key)
        correct_psa_unchanged()
    # The editor bound to another report refuses to store, even when driven directly.
    panel.fields.setCurrentCell(psa, 0)
    panel._editing = ("elsewhere.txt", "psa")
    stored = len(_lines(run_dir))
    panel.save_correction()
    assert len(_lines(run_dir)) == stored and "Not stored" in panel.message.text()

    lines = [json.loads(line) for line in _lines(run_dir)]
    assert {line["record_id"] for line in lines} == set(by_id)
    for line in lines:
        model = by_id[line["record_id"]].fields[line["field"]]
        assert line["model_value"] == model
        if line["verdict"] in ("corrected", "accepted"):
            assert line["value"] == model, line
    exported = window.review.latest
    assert all(r.value == by_id[rid].fields[f] for (rid, f), r in exported.items()
               if r.verdict != "rejected")


def test_results_tab_shows_reviewed_values_and_their_status(qtbot, window, tmp_path):
    """Issue 26, item 2: a corrected or rejected value showed the model's value with no mark.
    The Results tab shows the value after review, marked by its status, at once and after the
    run is opened again; sorting and the filter go by the reviewed value."""
    run_dir, records = make_review_run(tmp_path)
    panel = _open(qtbot, window, run_dir, len(records))
    record = panel.current_record()
    panel.fields.setCurrentCell(_row(panel, "psa"), 0)
    panel.fields.setFocus()
    qtbot.keyClick(panel.fields, Qt.Key.Key_C)
    panel.editor.line.setText("777")
    qtbot.keyClick(panel.editor.line, Qt.Key.Key_Return)
    panel.fields.setCurrentCell(_row(panel, "extraprostatic_extension"), 0)
    panel.fields.setFocus()
    qtbot.keyClick(panel.fields, Qt.Key.Key_R)
    panel.fields.setCurrentCell(_row(panel, "prostate_volume"), 0)
    qtbot.keyClick(panel.fields, Qt.Key.Key_A)

    def cells(results):
        model = results.model
        row = model.row_of(record.id)
        column = {model.field_at(c): c for c in range(model.columnCount())}
        return {f: (model.index(row, column[f]).data(),
                    model.index(row, column[f]).data(Qt.ItemDataRole.ToolTipRole))
                for f in ("psa", "extraprostatic_extension", "prostate_volume", "highest_pirads")}

    def check(results):
        shown = cells(results)
        assert shown["psa"][0] == "777 ✎" and "corrected" in shown["psa"][1]
        assert str(record.fields["psa"]).replace(".", ",") in shown["psa"][1] or \
            str(record.fields["psa"]) in shown["psa"][1]  # the model's value in the tooltip
        assert shown["extraprostatic_extension"][0].endswith("✗")
        assert "rejected" in shown["extraprostatic_extension"][1]
        assert shown["prostate_volume"][0].endswith("✓")
        assert not shown["highest_pirads"][0].endswith(("✓", "✎", "✗"))  # not reviewed: as the model
        results.search.setText("777")
        assert results.proxy.rowCount() == 1
        results.search.clear()

    check(window.results)
    window.window_actions.open_run(run_dir)  # read back from reviews.jsonl
    qtbot.waitUntil(lambda: window.results.model.rowCount() == len(records), timeout=20_000)
    check(window.results)
