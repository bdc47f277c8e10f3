"""The window shows how each report was read: split in sections, read by OCR, grouped from
several documents, and its warnings (the results' Reading column, its tooltip and the detail
pane's Reading tab); and the inputs panel groups documents per patient like --group-by."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QLocale, Qt

from pluk.core.readers.reports import OcrInfo, ReportPart
from pluk.core.runs.records import Record, Section, Split
from pluk.core.tasks.loader import parse_task
from tests.gui.conftest import TEST_TASK

FIELDS = {"abnormal": True, "severity": "mild"}


def _task():
    return parse_task(TEST_TASK, "test")


def _plain() -> Record:
    return Record(id="plain.txt", source="/r/plain.txt", sha256="0" * 64, status="ok",
                  fields=FIELDS)


def _split_scan() -> Record:
    """A long scanned report: read in 4 sections, its text from OCR, with one warning."""
    sections = [Section(start=0, end=2600, tokens=3000), Section(start=2500, end=5600,
                                                                 tokens=3000),
                Section(start=5500, end=8600, tokens=3000),
                Section(start=8500, end=10400, tokens=2034)]
    return Record(
        id="long.pdf", source="/r/long.pdf", sha256="1" * 64, status="ok", fields=FIELDS,
        warnings=["sections disagree on severity: mild (section 1), severe (section 3)"],
        split=Split(report_tokens=12034, room=3000, overlap_tokens=200, sections=sections,
                    merge="first", sources={"abnormal": 1, "severity": 0}),
        ocr=OcrInfo(engine="tesseract 5.3.0", languages="nld+eng", pages=[1, 2, 3],
                    mean_confidence=93.4, unread_pages=[4]))


def _grouped() -> Record:
    """A patient's three documents: one scanned, one with a warning, one unreadable."""
    scan = OcrInfo(engine="tesseract 5.3.0", languages="nld+eng", pages=[1],
                   mean_confidence=71.0)
    parts = [ReportPart(id="P07/mri.pdf", source="/r/P07/mri.pdf", format="pdf", start=31,
                        end=900, ocr=scan),
             ReportPart(id="P07/pa.txt", source="/r/P07/pa.txt", format="txt", start=940,
                        end=1300, warnings=["lines 3, 9 were not UTF-8"]),
             ReportPart(id="P07/old.doc", source="/r/P07/old.doc", format="doc",
                        error="unsupported format .doc")]
    return Record(id="P07", source="/r/P07", sha256="2" * 64, status="ok", fields=FIELDS,
                  warnings=["P07/pa.txt: lines 3, 9 were not UTF-8",
                            "document 3 of 3 (P07/old.doc) could not be read: unsupported "
                            "format .doc"],
                  parts=parts)


def _cell(model, row: int, column: int, role=Qt.ItemDataRole.DisplayRole):
    return model.data(model.index(row, column), role)


def test_the_reading_column_comes_in_with_the_first_record_that_needs_it(qtbot, tmp_path):
    from pluk.gui.results_panel import READING_WIDTH, ResultsPanel

    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.show_run(tmp_path / "run", _task(), [_plain()])
    model = panel.model
    assert model.headers() == ["Status", "Report", "abnormal", "severity"]
    panel.field_combo.setCurrentIndex(panel.field_combo.findText("in severity"))

    panel.add_record(_split_scan())
    panel.add_record(_grouped())
    assert model.headers() == ["Status", "Report", "Reading", "abnormal", "severity"]
    assert [_cell(model, row, 2) for row in range(3)] == [
        "", "split in 4 · OCR 93% · 1 warning", "OCR 71% · 3 documents · 2 warnings"]
    # The fields moved one to the right, values and filter with them.
    assert [_cell(model, 1, c) for c in (3, 4)] == ["yes", "mild"]
    assert panel.field_combo.currentText() == "in severity"
    assert panel.field_combo.currentData() == 4
    assert "in Reading" in [panel.field_combo.itemText(i)
                            for i in range(panel.field_combo.count())]
    assert panel.table.columnWidth(2) == READING_WIDTH

    tip = _cell(model, 1, 2, Qt.ItemDataRole.ToolTipRole)
    tokens = QLocale().toString(12034)
    assert f"Read in 4 overlapping sections: the report has {tokens} tokens" in tip
    assert "Text from OCR (tesseract 5.3.0, nld+eng), pages 1–3" in tip
    assert "mean confidence 93%" in tip and "pages left out: 4" in tip
    assert "• sections disagree on severity" in tip
    grouped_tip = _cell(model, 2, 2, Qt.ItemDataRole.ToolTipRole)
    assert "Grouped from 3 documents: P07/mri.pdf, P07/pa.txt, P07/old.doc" in grouped_tip
    assert "P07/mri.pdf: Text from OCR" in grouped_tip
    assert _cell(model, 0, 2, Qt.ItemDataRole.ToolTipRole) is None

    # Filtering in the Reading column finds the scanned reports.
    panel.field_combo.setCurrentIndex(panel.field_combo.findText("in Reading"))
    panel.search.setText("OCR")
    assert panel.proxy.rowCount() == 2
    # A run whose records need no Reading column has none.
    panel.show_run(tmp_path / "run2", _task(), [_plain()])
    assert model.headers() == ["Status", "Report", "abnormal", "severity"]
    assert panel.field_combo.currentIndex() == 0


def test_the_detail_pane_lists_how_the_report_was_read(qtbot):
    from pluk.gui.detail_pane import DetailPane

    pane = DetailPane()
    qtbot.addWidget(pane)
    tabs = [pane.tabs.tabText(i) for i in range(pane.tabs.count())]
    assert "Reading" in tabs
    n = QLocale().toString

    pane.show_record(_split_scan(), None, _task())
    lines = pane.reading.texts()
    for expected in (
            "Split: 4 sections", f"Report tokens: {n(12034)}",
            f"Room per section: {n(3000)} tokens", "Overlap: 200 tokens",
            "Merge rule: first: the first section that gives a value",
            f"Section 1: {n(3000)} tokens, characters 0–{n(2600)}",
            f"Section 4: {n(2034)} tokens, characters {n(8500)}–{n(10400)}",
            "Values from", "abnormal: section 2", "severity: section 1",
            "Text from OCR", "Engine: tesseract 5.3.0", "Languages: nld+eng", "Pages: 1–3",
            "Mean confidence: 93%", "Pages left out: 4", "Warnings (1)",
            "warning: sections disagree on severity: mild (section 1), severe (section 3)"):
        assert expected in lines, (expected, lines)
    assert not any(line.startswith("Grouped") for line in lines)

    pane.show_record(_grouped(), None, _task())
    lines = pane.reading.texts()
    for expected in (
            "Grouped: 3 documents", "1. P07/mri.pdf: pdf, characters 31–900",
            "Source: /r/P07/mri.pdf", "Mean confidence: 71%",
            f"2. P07/pa.txt: txt, characters 940–{n(1300)}",
            "warning: lines 3, 9 were not UTF-8",
            "3. P07/old.doc: doc, could not be read", "error: unsupported format .doc",
            "Warnings (2)"):
        assert expected in lines, (expected, lines)
    assert not any(line.startswith("Split") for line in lines)
    # The unreadable document is marked as a problem.
    documents = pane.reading.topLevelItem(0)
    assert documents.child(2).foreground(1).color().name() == "#991b1b"
    assert documents.child(0).foreground(1).color().name() != "#991b1b"

    pane.show_record(_plain(), None, _task())
    assert [line.split(":")[0] for line in pane.reading.texts()] == ["Read whole"]
    failed = Record(id="empty.txt", source="/r/empty.txt", sha256="3" * 64, status="error",
                    error="the file is empty")
    pane.show_record(failed, None, _task())
    assert pane.reading.texts() == ["error: the file is empty"]
    pane.show_record(None, None, _task())
    assert pane.reading.topLevelItemCount() == 0


def _patients(root: Path) -> Path:
    """Two folders of documents: P1 has a document in each, P2 one in A."""
    for rel, text in (("A/P1_mri.txt", "MRI prostaat: PSA 6,2."),
                      ("A/P2_mri.txt", "MRI prostaat: PSA 9,1."),
                      ("B/P1_pa.txt", "PA: adenocarcinoom, Gleason 3+4.")):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n", encoding="utf-8")
    return root


def _ids(window) -> list[str]:
    return [r.id for r in window.session.reports]


def _labels(window) -> list[str]:
    tree = window.inputs.tree
    return [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]


def test_grouping_documents_reads_the_inputs_again(qtbot, window, tmp_path, monkeypatch):
    from pluk.gui import inputs_panel

    shown = []  # a modal would block: a bad rule must be said in the panel
    monkeypatch.setattr(inputs_panel.QMessageBox, "warning",
                        lambda *args: shown.append(args))
    inputs = window.inputs
    inputs.request_add([str(_patients(tmp_path / "patients"))])
    qtbot.waitUntil(lambda: inputs.report_count() == 3, timeout=20_000)
    assert _ids(window) == ["A/P1_mri.txt", "A/P2_mri.txt", "B/P1_pa.txt"]

    inputs.group_combo.setCurrentIndex(inputs.group_combo.findData("folder"))
    qtbot.waitUntil(lambda: _ids(window) == ["A", "B"], timeout=20_000)
    qtbot.waitUntil(lambda: inputs.report_count() == 2, timeout=20_000)
    assert _labels(window) == ["A (2 documents)", "B (1 document)"]
    assert [len(r.parts) for r in window.session.reports] == [2, 1]
    assert "2 reports" in inputs.summary.text()
    assert "3 documents grouped" in inputs.summary.text()
    assert not inputs.group_field.isVisible()

    # A bad pattern: the core's reason under the control, the reports as they were, no Run.
    inputs.group_combo.setCurrentIndex(inputs.group_combo.findData("pattern"))
    qtbot.waitUntil(lambda: _ids(window) == ["A/P1_mri.txt", "A/P2_mri.txt", "B/P1_pa.txt"],
                    timeout=20_000)  # an empty pattern groups nothing
    assert inputs.group_field.isVisible()
    qtbot.keyClicks(inputs.group_field, "(?P<id>P[0-9")
    qtbot.keyClick(inputs.group_field, Qt.Key.Key_Return)
    assert inputs.group_problem.isVisible()
    assert "not 'folder', 'column:NAME' or a valid regular expression" in \
        inputs.group_problem.text()
    assert window.session.can_run() == "Fix the rule for grouping documents"
    assert not window.run_panel.run_button.isEnabled()
    assert inputs.report_count() == 3 and window.session.grouping_problem

    inputs.group_field.clear()
    qtbot.keyClicks(inputs.group_field, "(P[0-9]+)_")
    qtbot.keyClick(inputs.group_field, Qt.Key.Key_Return)
    assert "needs a named group (?P<id>...)" in inputs.group_problem.text()

    inputs.group_field.clear()
    qtbot.keyClicks(inputs.group_field, "(?P<id>P[0-9]+)_")
    qtbot.keyClick(inputs.group_field, Qt.Key.Key_Return)
    assert not inputs.group_problem.isVisible()
    qtbot.waitUntil(lambda: _ids(window) == ["P1", "P2"], timeout=20_000)
    qtbot.waitUntil(lambda: _labels(window) == ["P1 (2 documents)", "P2 (1 document)"],
                    timeout=20_000)
    assert [p.id for p in window.session.reports[0].parts] == ["A/P1_mri.txt", "B/P1_pa.txt"]
    assert window.session.can_run() is None

    inputs.group_combo.setCurrentIndex(inputs.group_combo.findData(None))
    qtbot.waitUntil(lambda: inputs.report_count() == 3, timeout=20_000)
    assert _labels(window) == ["A/P1_mri.txt", "A/P2_mri.txt", "B/P1_pa.txt"]
    assert shown == []


def test_a_bad_rule_is_said_before_any_reports_are_added(qtbot, window):
    inputs = window.inputs
    inputs.group_combo.setCurrentIndex(inputs.group_combo.findData("column"))
    assert inputs.group_field.placeholderText()
    qtbot.keyClicks(inputs.group_field, "patient_id")
    qtbot.keyClick(inputs.group_field, Qt.Key.Key_Return)
    assert window.session.group_options.by == "column:patient_id"
    assert not inputs.group_problem.isVisible()
    inputs.group_combo.setCurrentIndex(inputs.group_combo.findData("pattern"))
    assert inputs.group_field.text() == ""  # a column name is no pattern
    assert window.session.group_options.by is None  # an empty pattern groups nothing
    qtbot.keyClicks(inputs.group_field, "[")
    qtbot.keyClick(inputs.group_field, Qt.Key.Key_Return)
    assert inputs.group_problem.isVisible() and "'['" in inputs.group_problem.text()
    assert window.session.can_run() == "Fix the rule for grouping documents"
    inputs.group_combo.setCurrentIndex(inputs.group_combo.findData("folder"))
    assert not inputs.group_problem.isVisible()
    assert window.session.group_options.by == "folder"


def test_a_run_records_its_grouping_and_a_resume_groups_the_same_way(qtbot, window, tmp_path):
    from pluk.core.options import RunOptions
    from pluk.core.runs.folder import RunFolder

    inputs = window.inputs
    inputs.request_add([str(_patients(tmp_path / "patients"))])
    qtbot.waitUntil(lambda: inputs.report_count() == 3, timeout=20_000)
    inputs.group_combo.setCurrentIndex(inputs.group_combo.findData("folder"))
    qtbot.waitUntil(lambda: _ids(window) == ["A", "B"], timeout=20_000)
    with qtbot.waitSignal(window.session.run_finished, timeout=90_000) as blocker:
        window.run_panel.run_button.click()
    run_dir = blocker.args[0].run_dir
    manifest = RunFolder(run_dir).read_manifest()
    assert RunOptions.from_saved(manifest.options).reading.group_by == "folder"
    assert [r.id for r in RunFolder(run_dir).records()] == ["A", "B"]

    # The window no longer groups; resuming the run groups its inputs as the run did.
    inputs.group_combo.setCurrentIndex(inputs.group_combo.findData(None))
    qtbot.waitUntil(lambda: inputs.report_count() == 3, timeout=20_000)
    with qtbot.waitSignal(window.session.run_finished, timeout=90_000):
        window.session.resume_run(run_dir)
    assert window.session.group_options.by == "folder"
    assert inputs.group_combo.currentData() == "folder"
    assert _ids(window) == ["A", "B"]
    assert [r.id for r in RunFolder(run_dir).records()] == ["A", "B"]  # nothing redone
