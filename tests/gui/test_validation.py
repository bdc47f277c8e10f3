"""The Validation tab on a real run of the tiny model: metrics per field with intervals, a
confusion matrix whose counts match the records, disagreements that click through to the report,
a cell click that filters them, a saved report, and clear errors."""

from __future__ import annotations

import csv
from pathlib import Path

from pluk.core.validation.report import format_metric
from pluk.core.validation.result import ValidationReport
from pluk.core.validation.truth import NULL
from tests.gui.conftest import load_folder, write_reports


def _run(qtbot, window, folder: Path):
    load_folder(qtbot, window, folder, 6)
    with qtbot.waitSignal(window.session.run_finished, timeout=90_000) as blocker:
        window.run_panel.run_button.click()
    return blocker.args[0]


def _label(value) -> str:
    if value is None:
        return NULL
    return str(value).lower() if isinstance(value, bool) else str(value)


def _truth_table(path: Path, records) -> dict[str, dict[str, str]]:
    """Reference values: the prediction flipped for the first two reports, kept for the rest
    (a missing prediction gets the reference 'true'), and severity 'mild' throughout; plus one
    reference row whose report is not in the run."""
    truth = {}
    for n, record in enumerate(records):
        predicted = (record.fields or {}).get("abnormal")
        abnormal = (not predicted if n < 2 else predicted) if predicted is not None else True
        truth[record.id] = {"abnormal": _label(abnormal), "severity": "mild"}
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Report ID", "abnormal", "severity"])
        for rid, row in truth.items():
            writer.writerow([rid, row["abnormal"], row["severity"]])
        writer.writerow(["not_in_the_run.txt", "true", "none"])
    return truth


def _expected_disagreements(records, truth, field: str) -> set[str]:
    return {r.id for r in records
            if _label((r.fields or {}).get(field)) != truth[r.id][field]}


def _choose_table(qtbot, panel, path: Path) -> None:
    panel.set_truth_table(path)
    qtbot.waitUntil(lambda: panel.id_combo.count() == 3 and not panel.busy, timeout=10_000)


def _validate(qtbot, panel) -> None:
    assert panel.validate_button.isEnabled()
    panel.validate_button.click()
    qtbot.waitUntil(lambda: not panel.busy, timeout=30_000)


def test_validation_tab_shows_metrics_confusion_and_disagreements(qtbot, window, tmp_path):
    result = _run(qtbot, window, write_reports(tmp_path / "reports", 6))
    records = window.results.model.records
    assert len(records) == 6
    truth = _truth_table(tmp_path / "truth.csv", records)
    panel = window.validation
    assert panel.run_dir == Path(result.run_dir)
    assert not panel.validate_button.isEnabled()  # no table chosen yet

    _choose_table(qtbot, panel, tmp_path / "truth.csv")
    assert panel.id_combo.currentText() == "Report ID"  # guessed from the column names
    _validate(qtbot, panel)
    assert isinstance(panel.report, ValidationReport), panel.status.text()
    assert "6 of 7 reference rows have a record" in panel.status.text()
    assert "1 without a record" in panel.status.text()

    # One summary row per field; the disagreement counts are those of the records.
    assert panel.summary.rowCount() == 2
    expected = {f: _expected_disagreements(records, truth, f) for f in ("abnormal", "severity")}
    for row, field in enumerate(("abnormal", "severity")):
        assert panel.summary.item(row, 0).text() == field
        assert panel.summary.item(row, 2).text() == "6"
        assert panel.summary.item(row, 9).text() == str(len(expected[field]))
    # Accuracy is shown with its 95% interval.
    accuracy = panel.summary.item(0, 3).text()
    assert f"{1 - len(expected['abnormal']) / 6:.3f} (" in accuracy
    assert accuracy == format_metric(panel.report.fields[0].metrics.accuracy)
    assert len(expected["abnormal"]) >= 2  # the two flipped reports at least

    # The ECE column and the reliability diagram of 'abnormal', from the option probabilities
    # the real run wrote into its records.
    with_probabilities = [r for r in records if "abnormal" in r.probabilities]
    abnormal = panel.report.fields[0]
    assert panel.summary.item(0, 8).text() == format_metric(abnormal.metrics.ece)
    panel.summary.setCurrentCell(0, 0)
    assert with_probabilities  # every top-level bool gets them on a local run
    assert abnormal.calibration[0].n == len(with_probabilities)
    assert "ECE" in panel.reliability.label.text()
    assert not panel.reliability.picture.pixmap().isNull()
    assert panel.reliability.picture.isVisibleTo(panel)

    # The confusion matrix of 'abnormal' counts every report once; off the diagonal are the
    # disagreements, which the list shows.
    matrix = panel.confusion
    labels = [matrix.horizontalHeaderItem(j).text() for j in range(matrix.columnCount())]
    assert labels[:2] == ["false", "true"]
    counts = [[int(matrix.item(i, j).text()) for j in range(len(labels))]
              for i in range(len(labels))]
    assert sum(map(sum, counts)) == 6
    off_diagonal = sum(counts[i][j] for i in range(len(labels)) for j in range(len(labels))
                       if i != j)
    assert off_diagonal == len(expected["abnormal"])
    listed = {panel.disagreements.item(r, 0).text()
              for r in range(panel.disagreements.rowCount())}
    assert listed == expected["abnormal"]

    # Stepping through the disagreements shows each record with its report text.
    for row in range(panel.disagreements.rowCount()):
        panel.disagreements.setCurrentCell(row, 0)
        rid = panel.disagreements.item(row, 0).text()
        assert rid in panel.detail.heading.text()
        assert panel.detail.text.toPlainText().strip() == \
            window.session.report_by_id(rid).text.strip()
        reference = panel.disagreements.item(row, 1).text()
        assert reference == truth[rid]["abnormal"]

    # A click on a non-empty off-diagonal cell keeps only that cell's reports.
    i, j = next((i, j) for i in range(len(labels)) for j in range(len(labels))
                if i != j and counts[i][j])
    matrix.cellClicked.emit(i, j)
    assert panel.disagreements.rowCount() == counts[i][j]
    assert all(panel.disagreements.item(r, 1).text() == labels[i]
               and panel.disagreements.item(r, 2).text() == labels[j]
               for r in range(counts[i][j]))
    assert panel.show_all_button.isVisibleTo(panel)
    panel.show_all_button.click()
    assert panel.disagreements.rowCount() == len(expected["abnormal"])

    # A double-click opens the record in the Results tab.
    rid = panel.disagreements.item(0, 0).text()
    panel.disagreements.cellDoubleClicked.emit(0, 0)
    assert window.tabs.currentIndex() == 0
    current = window.results.table.currentIndex()
    assert window.results.model.records[
        window.results.proxy.mapToSource(current).row()].id == rid

    # Save report writes the same two files as `pluk evaluate`.
    md, js = panel.save_report(tmp_path / "report")
    assert md.name == "validation.md" and js.name == "validation.json"
    assert "Confusion matrix" in md.read_text(encoding="utf-8")
    for cal in abnormal.calibration:
        assert (md.parent / cal.picture).is_file()
        assert f"]({cal.picture})" in md.read_text(encoding="utf-8")


def test_validation_tab_reports_a_bad_id_column_and_clears_for_another_run(qtbot, window,
                                                                            tmp_path):
    _run(qtbot, window, write_reports(tmp_path / "reports", 6))
    _truth_table(tmp_path / "truth.csv", window.results.model.records)
    panel = window.validation
    # A table that cannot be read is refused with its reason, and nothing is chosen.
    (tmp_path / "empty.csv").write_text("\n", encoding="utf-8")
    panel.set_truth_table(tmp_path / "empty.csv")
    qtbot.waitUntil(lambda: not panel.busy, timeout=10_000)
    assert panel.status.text() == "empty.csv: the reference table is empty"
    assert not panel.truth_edit.text() and not panel.validate_button.isEnabled()

    _choose_table(qtbot, panel, tmp_path / "truth.csv")
    panel.id_combo.setCurrentText("severity")
    _validate(qtbot, panel)
    assert panel.report is None
    assert panel.status.text() == ("the id column repeats id(s) mild; each report needs one "
                                   "reference row")
    assert "991b1b" in panel.status.styleSheet()  # shown as an error
    assert not panel.save_button.isEnabled()

    panel.id_combo.setCurrentText("Report ID")
    _validate(qtbot, panel)
    assert panel.report is not None and panel.save_button.isEnabled()

    # Opening another run drops the result: it belongs to the first run.
    second = _run(qtbot, window, write_reports(tmp_path / "more", 6))
    assert panel.run_dir == Path(second.run_dir)
    assert panel.report is None and panel.summary.rowCount() == 0
    assert panel.validate_button.isEnabled()  # the table is kept for the new run


def test_validation_waits_for_the_run_to_finish(qtbot, window, tmp_path):
    load_folder(qtbot, window, write_reports(tmp_path / "reports", 6), 6)
    panel = window.validation
    (tmp_path / "truth.csv").write_text("id,abnormal\nverslag_000.txt,true\n", encoding="utf-8")
    panel.set_truth_table(tmp_path / "truth.csv")
    qtbot.waitUntil(lambda: panel.id_combo.count() == 2 and not panel.busy, timeout=10_000)
    # Whether Validate could be pressed, seen each time the run starts or ends.
    seen = []
    window.session.running_changed.connect(
        lambda running: seen.append((running, panel.validate_button.isEnabled())))
    with qtbot.waitSignal(window.session.run_finished, timeout=90_000):
        window.run_panel.run_button.click()
    assert seen == [(True, False), (False, True)]


def test_metrics_follow_the_window_locale(qapp):
    """Issue 26, item 4: "0.80" beside "1,9 GB" in the Dutch window; metrics follow the locale."""
    from PySide6.QtCore import QLocale

    from pluk.core.validation.result import Metric
    from pluk.gui.validation_tables import metric_text

    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.Dutch, QLocale.Country.Netherlands))
    try:
        shown = metric_text(Metric(value=0.8125, ci_low=0.75, ci_high=0.875))
        assert shown == "0,813 (0,750–0,875)"
    finally:
        QLocale.setDefault(before)
    assert metric_text(Metric(value=0.8125, ci_low=0.75, ci_high=0.875)).startswith("0.81")
    assert metric_text(None) == "n/a"


def _tissue(rid, tissue, p=None, agreed=None):
    """A hand-made record of the tissue field: with the option probability p of its answer
    (the rest shared by the other options) and, for a run with --passes 3, its agreement."""
    from tests.core.test_validation import ok

    record = ok(rid, tissue=tissue)
    if p is not None:
        rest = (1 - p) / 2
        record["probabilities"] = {"tissue": {"Biopsy": rest, "Resection": rest,
                                              "Excision": rest, tissue: p}}
    if agreed is not None:
        record.update(passes=3, agreement={"tissue": agreed})
    return record


def _calibration_panel(qtbot, tmp_path, records):
    """The Validation tab showing these records against a three-row reference table (no model
    needed for what these tests check: the view of the field chosen in the summary)."""
    from pluk.core.validation.evaluate import validate_run
    from pluk.gui.validation_panel import ValidationPanel
    from tests.core.test_validation import make_run

    folder = make_run(tmp_path, records)
    (tmp_path / "truth.csv").write_text("id,tissue,psa\na,Biopsy,1\nb,Biopsy,1\nc,Excision,1\n",
                                        encoding="utf-8")
    report = validate_run(folder.path, tmp_path / "truth.csv", "id", resamples=20)
    panel = ValidationPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.run_dir = folder.path
    panel.show_report(report)
    return panel, report


def test_the_validation_tab_shows_the_reliability_diagram(qtbot, tmp_path):
    from PySide6.QtGui import QColor

    from pluk.core.validation.reliability_png import BAR, plot_box
    from pluk.gui.validation_calibration import PICTURE_SIZE

    panel, report = _calibration_panel(qtbot, tmp_path, [
        _tissue("a", "Biopsy", 0.95), _tissue("b", "Biopsy", 0.95), _tissue("c", "Excision")])
    assert panel.summary.currentRow() == 0  # tissue
    view = panel.reliability
    assert view.picture.isVisible() and not view.source.isVisible()  # one confidence: no choice
    assert "ECE 0.050" in view.label.text() and "over 2 answer" in view.label.text()
    assert not view.picture.pixmap().isNull()  # shown, scaled to its pane
    image = view.picture.full.toImage()
    assert (image.width(), image.height()) == (PICTURE_SIZE, PICTURE_SIZE)
    # Both answers right at 0.95: the last bin's bar is full height.
    left, top, right, bottom = plot_box(PICTURE_SIZE, PICTURE_SIZE)
    x = left + round(0.93 * (right - left))
    assert image.pixelColor(x, (top + bottom) // 2) == QColor(*BAR)

    # A number field has no calibration: the picture goes.
    assert [f.field for f in report.fields] == ["tissue", "psa"]
    panel.summary.setCurrentCell(1, 0)
    assert not view.picture.isVisible() and view.label.text() == ""


def test_a_run_with_passes_shows_the_agreement_calibration_too(qtbot, tmp_path):
    # Issue 23, item 4: a run with --passes has two confidences per choice field; the view
    # switches between them.
    panel, _report = _calibration_panel(qtbot, tmp_path, [
        _tissue("a", "Biopsy", 0.95, agreed=3), _tissue("b", "Biopsy", 0.95, agreed=2),
        _tissue("c", "Resection", 0.9, agreed=2)])
    view = panel.reliability
    assert view.source.isVisible() and view.source.count() == 2
    assert "option probabilities" in view.label.text()
    probability_picture = view.picture.full.toImage()
    view.source.setCurrentIndex(1)
    assert view.source.currentData() == "agreement"
    assert "agreement across passes" in view.label.text() and "over 3 answer" in view.label.text()
    assert view.picture.full.toImage() != probability_picture
    # A number field has neither confidence: the choice goes with the picture.
    panel.summary.setCurrentCell(1, 0)
    assert not view.source.isVisible()
