"""The details a data manager trips over: drops are copies and light up the drop zone; tasks
are grouped with a search and never default to a benchmark task; types are words and ranges
are read as typed; the CSV follows the locale; exports and validations are confirmed in the
window, Validate says why it is off, the user guide is inside the app; and the small things:
plurals, one size unit, a readable progress bar, grey disabled menu items, no stretched last
column, the whole confusion matrix."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPalette

from pluk.core.models.download import format_bytes
from pluk.gui.task_fields_table import build_field, type_words
from pluk.gui.theme import STYLE_SHEET
from pluk.gui.widgets import human_size
from tests.gui.conftest import write_reports
from tests.gui.run_folders import make_run


_MIME: list[QMimeData] = []  # an event does not own its data: keep it alive for the test


def _drag_event(kind, paths, actions=Qt.DropAction.CopyAction | Qt.DropAction.MoveAction):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    _MIME.append(mime)
    if kind is QDropEvent:
        return QDropEvent(QPointF(5, 5), actions, mime, Qt.MouseButton.LeftButton,
                          Qt.KeyboardModifier.NoModifier)
    return QDragEnterEvent(QPoint(5, 5), actions, mime, Qt.MouseButton.LeftButton,
                           Qt.KeyboardModifier.NoModifier)


def test_a_drop_is_a_copy_and_the_drop_zone_lights_up(qtbot, window, tmp_path):
    folder = write_reports(tmp_path / "reports", 2)
    drops = window.drops
    enter = _drag_event(QDragEnterEvent, [folder])
    enter.setDropAction(Qt.DropAction.MoveAction)  # what a file manager may propose
    assert drops.eventFilter(window, enter)
    assert enter.isAccepted() and enter.dropAction() == Qt.DropAction.CopyAction
    assert window.inputs.hint.property("dragging") is True
    drop = _drag_event(QDropEvent, [folder])
    drop.setDropAction(Qt.DropAction.MoveAction)
    with qtbot.waitSignal(drops.paths_dropped) as dropped:
        assert drops.eventFilter(window, drop)
    assert drop.dropAction() == Qt.DropAction.CopyAction
    assert dropped.args[0] == [str(folder)]
    assert window.inputs.hint.property("dragging") is False
    # A source that only offers a move is not taken: the user's files stay where they are.
    move_only = _drag_event(QDragEnterEvent, [folder], Qt.DropAction.MoveAction)
    assert not drops.eventFilter(window, move_only)


def test_tasks_are_grouped_searchable_and_default_to_a_clinical_one(qtbot, window):
    panel = window.task_panel
    panel.reload(select_id="no_such_task")  # nothing remembered: the first clinical task
    task = panel.current_task()
    assert task is not None and not task.id.startswith("dragon")
    model = panel.combo.model()
    headings = [model.item(r).text() for r in range(model.rowCount())
                if not model.item(r).isEnabled()]
    assert headings == ["Clinical tasks", "Your own tasks", "DRAGON benchmark tasks"]
    titles = [model.item(r).text() for r in range(model.rowCount())]
    assert titles.index("Clinical tasks") < titles.index(task.title) < titles.index(
        "DRAGON benchmark tasks")
    panel.reload(select_id="gui_test")  # the last used one wins
    assert panel.current_task().id == "gui_test"
    panel.search.setText("pathology")
    panel.search.returnPressed.emit()
    assert panel.current_task().id == "pathology_tissue_nl" and panel.search.text() == ""


def test_field_types_are_words_and_optional_is_written_out(qtbot, window):
    assert [type_words(t) for t in ("bool", "int", "float", "string", "enum",
                                    "list of int")] == [
        "yes/no", "whole number", "number", "text", "choice", "list of whole number"]
    panel = window.task_panel
    assert panel.select("gui_test")
    kinds = [panel.fields.topLevelItem(i).text(1) for i in range(panel.fields.topLevelItemCount())]
    assert kinds[0] == "yes/no" and kinds[1].startswith("choice: none | mild | severe")
    assert kinds[1].endswith("optional")
    assert all("?" not in panel.fields.topLevelItem(i).text(0) for i in range(2))


@pytest.mark.parametrize("typed, expected", [
    ("0..1000", (0, 1000)), ("0-1000", (0, 1000)), ("0 – 1000", (0, 1000)),
    ("-5..5", (-5, 5)), ("..20", (None, 20)), ("3-", (3, None)), ("7", (7, None)),
    ("0,5-2,5", (0.5, 2.5))])
def test_a_range_is_read_as_typed(typed, expected):
    kind = "float" if "," in typed else "int"
    field = build_field({}, name="n", label=kind, values=typed, unit="", optional=False,
                        description="")
    assert (field.get("minimum"), field.get("maximum")) == expected


def test_the_csv_follows_the_locale_unless_the_settings_say(monkeypatch):
    from pluk.core.settings import Settings
    from pluk.gui import i18n
    from pluk.gui.export_dialog import ExportDialog

    monkeypatch.setattr(i18n, "comma_locale", lambda: True)
    dutch = i18n.csv_format(Settings())
    assert (dutch["delimiter"], dutch["decimal"]) == (";", ",")
    chosen = i18n.csv_format(Settings(csv_delimiter="\t", csv_decimal="."))
    assert (chosen["delimiter"], chosen["decimal"]) == ("\t", ".")
    dialog = ExportDialog(Path("run"), dutch)
    assert dialog.delimiter_combo.currentData() == ";"
    assert dialog.decimal_combo.currentData() == ","  # the setting is there to see and change
    monkeypatch.setattr(i18n, "comma_locale", lambda: False)
    english = i18n.csv_format(Settings())
    assert (english["delimiter"], english["decimal"], english["booleans"]) == (
        ",", ".", ("yes", "no"))


def test_an_export_is_confirmed_in_the_window(qtbot, window, tmp_path, tiny_model,
                                              monkeypatch):
    from pluk.gui import export_dialog

    reports = write_reports(tmp_path / "reports", 3)
    run_dir = make_run(tmp_path / "runs", "done", reports, tiny_model, done=3,
                       status="finished")
    with qtbot.waitSignal(window.session.run_opened, timeout=10_000):
        window.window_actions.open_run(run_dir)
    out = tmp_path / "out.csv"
    monkeypatch.setattr(export_dialog.ExportDialog, "exec", lambda self: True)
    monkeypatch.setattr(export_dialog.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(out), "")))
    window.export_action.trigger()
    notice = window.results.notice
    assert notice.isVisibleTo(window) and "Exported 3 records" in notice.text()
    assert notice.open_button.isVisibleTo(window) and notice.path == out
    with out.open(encoding="utf-8-sig", newline="") as fh:
        assert next(csv.DictReader(fh))["abnormal"] == "yes"  # as the window shows it


def test_validate_says_why_it_is_off(qtbot, window, tmp_path, tiny_model):
    panel = window.validation
    assert not panel.validate_button.isEnabled()
    assert "Open a run" in panel.validate_button.toolTip()
    reports = write_reports(tmp_path / "reports", 3)
    run_dir = make_run(tmp_path / "runs", "done", reports, tiny_model, done=3,
                       status="finished")
    with qtbot.waitSignal(window.session.run_opened, timeout=10_000):
        window.window_actions.open_run(run_dir)
    assert "reference table" in panel.validate_button.toolTip()


def test_validation_is_confirmed_and_shows_every_matrix_row(qtbot, window, tmp_path,
                                                           tiny_model):
    reports = write_reports(tmp_path / "reports", 4)
    run_dir = make_run(tmp_path / "runs", "done", reports, tiny_model, done=4,
                       status="finished")
    with qtbot.waitSignal(window.session.run_opened, timeout=10_000):
        window.window_actions.open_run(run_dir)
    truth = tmp_path / "truth.csv"
    rows = ["id,abnormal,severity"] + [f"verslag_{n:03d}.txt,{v},{s}" for n, (v, s) in
                                       enumerate((("true", "mild"), ("false", "none"),
                                                  ("true", "severe"), ("", "mild")))]
    truth.write_text("\n".join(rows) + "\n", encoding="utf-8")
    panel = window.validation
    panel.set_truth_table(truth)
    qtbot.waitUntil(lambda: panel.id_combo.count() == 3 and not panel.busy, timeout=10_000)
    panel.validate_button.click()
    qtbot.waitUntil(lambda: panel.report is not None and not panel.busy, timeout=30_000)
    assert "Validated 2 fields" in panel.notice.text()
    window.tabs.setCurrentWidget(panel)
    window.resize(1280, 720)
    panel.summary.setCurrentCell(1, 0)  # severity: none, mild, severe and —/null
    qtbot.wait(20)
    matrix = panel.confusion
    assert matrix.rowCount() >= 4
    shown = sum(matrix.rowHeight(r) for r in range(matrix.rowCount()))
    assert matrix.viewport().height() >= shown  # no row behind a scroll bar
    assert window.minimumSizeHint().height() <= 720  # and the window still fits
    panel.save_report(tmp_path / "report")
    assert "validation report" in panel.notice.text()


def test_a_number_field_gets_words_not_an_empty_matrix(qtbot):
    from pluk.core.validation.result import FieldResult
    from pluk.gui.validation_tables import ConfusionView

    field = FieldResult.model_validate({
        "field": "psa", "type": "float", "kind": "numeric", "truth_column": "psa",
        "unit": "ng/ml", "n": 3, "truth_problems": [], "metrics": {}, "disagreement_count": 0,
        "disagreements": [], "counts": {"both_numbers": 2, "both_null": 1,
                                        "truth_null_only": 0, "prediction_null_only": 0}})
    view = ConfusionView()
    qtbot.addWidget(view)
    view.show()
    view.show_field(field)
    assert not view.table.isVisible() and "both numbers 2" in view.label.text()


def test_the_user_guide_is_inside_the_app(qtbot, window):
    from pluk.gui.user_guide import UserGuide

    guide = UserGuide(window.session.settings, window)
    qtbot.addWidget(guide)
    text = guide.browser.toPlainText()
    for words in ("A task is a list of fields", "Checking the results", "Where the files go",
                  str(window.session.settings.runs_folder())):
        assert words in text
    assert window.guide_action.text() == "User guide"


def test_small_things(qtbot, window, tmp_path):
    # One size, one unit: the reports list and the model manager agree.
    assert human_size(4_700_000_000) == format_bytes(4_700_000_000) == "4.7 GB"
    # "1 record", "2 records".
    from pluk.core.runs.records import Record
    from pluk.core.tasks.loader import parse_task
    from tests.gui.conftest import TEST_TASK

    results = window.results
    results.show_run(tmp_path / "run", parse_task(TEST_TASK, "t"),
                     [Record(id="a", source="a", sha256="x", status="ok",
                             fields={"abnormal": True, "severity": None})])
    assert results.count.text().startswith("1 record ·")
    # The last column keeps its width.
    assert not results.table.horizontalHeader().stretchLastSection()
    # A full bar never says "Ready to run"; the text on the bar's fill is readable.
    panel = window.run_panel
    panel.bar.setRange(0, 1)
    panel.bar.setValue(1)
    panel.set_ready(None)
    assert not (panel.bar.value() == panel.bar.maximum() and panel.bar.format() == "Ready to run")
    assert "QProgressBar::chunk { background: #5eead4" in STYLE_SHEET
    # Disabled menu items are grey, not ink; the focus frame is a visible colour.
    from pluk.gui.theme import DISABLED, FOCUS, INK, theme_palette

    palette = theme_palette(QPalette())
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    assert disabled.name() == DISABLED and disabled.name() != INK
    assert palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText).name() == INK
    assert "QMenu::item:disabled { color: " + DISABLED in STYLE_SHEET
    assert f"QPushButton:focus {{ border: 2px solid {FOCUS}" in STYLE_SHEET


def test_a_long_task_title_is_elided_in_the_picker_and_whole_in_its_list(qtbot, window):
    panel = window.task_panel
    assert panel.select("prostate_mri_nl")
    title = panel.current_task().title
    panel.combo.resize(140, panel.combo.height())
    shown = panel.combo.shown_text()
    assert shown.endswith("…") and shown[:-1] in title  # cut, and says so
    assert panel.combo.toolTip() == title
    panel.combo.showPopup()
    assert panel.combo.view().width() > 140  # the list shows titles whole
    panel.combo.hidePopup()


def test_table_headers_are_never_cut(qtbot, window):
    from pluk.gui.task_fields_table import FieldsTable
    from pluk.gui.validation_tables import fit_columns, table

    def cut(view) -> list[str]:
        header = view.horizontalHeader()
        return [view.horizontalHeaderItem(c).text() for c in range(view.columnCount())
                if view.columnWidth(c) < header.fontMetrics().horizontalAdvance(
                    view.horizontalHeaderItem(c).text())]

    fields = FieldsTable()
    qtbot.addWidget(fields)
    fields.resize(900, 300)  # the task editor's side of its splitter
    fields.show()
    assert not cut(fields)
    summary = table(["Field", "Type", "n", "Accuracy", "Within tolerance", "Disagreements"])
    qtbot.addWidget(summary)
    summary.setRowCount(1)
    fit_columns(summary)
    assert not cut(summary)


def test_without_a_model_the_window_says_models_can_download_one(qtbot, monkeypatch):
    from pluk.gui import model_picker

    monkeypatch.setattr(model_picker, "candidate_models", lambda extra=(): [])
    picker = model_picker.ModelPicker()
    qtbot.addWidget(picker)
    picker.reload([])
    assert picker.current_path() is None
    text = picker.info.text()
    assert "Models…" in text and "download" in text and ".gguf" in text


def test_a_model_the_engine_runs_another_way_says_so_in_its_details(qtbot, tmp_path,
                                                                   monkeypatch):
    """The load probe's fallback (its child's crash injected: this machine's engine has no AMX
    path to crash in) shows under the model, from the probe's cache, without a new probe."""
    from pluk.core.models import load_probe
    from pluk.core.models.gguf_info import file_sha256
    from pluk.core.models.random_model import ModelShape, build_random_gguf
    from pluk.gui import model_picker

    model = build_random_gguf(tmp_path / "q4.gguf",
                              ModelShape(quantization="Q4_0", seed=11))
    file_sha256(model)
    monkeypatch.setenv(load_probe.FAULT_ENV, "compute")
    assert load_probe.probe_load(model).fallback == "no_extra_bufts"
    monkeypatch.delenv(load_probe.FAULT_ENV)
    monkeypatch.setattr(load_probe, "_run_probe", lambda *a: pytest.fail("probed again"))
    monkeypatch.setattr(model_picker, "candidate_models", lambda extra=(): [model])
    picker = model_picker.ModelPicker()
    qtbot.addWidget(picker)
    picker.reload([])
    qtbot.waitUntil(lambda: not picker.checking and "Checking" not in picker.info.text())
    assert "runs without llama.cpp's extra buffer types" in picker.info.text().replace(
        "&#x27;", "'")
