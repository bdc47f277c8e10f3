"""The window's way in and out of an EDC: "Import data dictionary…" beside New in the task
panel (REDCap, Castor with its option groups, a bad file's reason), the imported task checked
and saved in the editor with its mapping, and REDCap/Castor in the export dialog."""

from __future__ import annotations

import csv
from pathlib import Path

from pluk.core import paths
from pluk.core.tasks import load_task_file
from pluk.core.tasks.redcap import import_redcap
from pluk.gui import export_dialog, task_panel
from pluk.gui.export_dialog import ExportDialog
from pluk.gui.task_editor import TaskEditor
from tests.support.edc_check import problems
from tests.support.edc_dictionaries import make_run, write_castor, write_redcap


def _answer_open_dialogs(monkeypatch, *names: Path) -> list[str]:
    """The file dialogs answer with these paths, in turn; returns their titles as asked."""
    answers, asked = [str(n) for n in names], []

    def answer(parent, title, *rest, **kw):
        asked.append(title)
        return (answers.pop(0) if answers else "", "")

    monkeypatch.setattr(task_panel.QFileDialog, "getOpenFileName", staticmethod(answer))
    return asked


def _editor(window) -> TaskEditor:
    editors = [e for e in window.findChildren(TaskEditor) if e.isVisible()]
    assert len(editors) == 1
    return editors[0]


def test_a_redcap_dictionary_becomes_a_saved_task_with_its_mapping(qtbot, window, tmp_path,
                                                                    monkeypatch):
    panel = window.task_panel
    assert panel.import_button.text() == "Import data dictionary…"
    assert panel.import_button.parentWidget() is panel.new_button.parentWidget()
    dictionary = write_redcap(tmp_path / "study.csv")
    _answer_open_dialogs(monkeypatch, dictionary)
    panel.import_button.click()
    editor = _editor(window)
    qtbot.addWidget(editor)
    assert editor.definition() is not None, editor.problems.text()
    assert editor.definition().edc.system == "redcap"
    assert "Imported 12 fields from study.csv" in panel.import_notes.text()
    assert "'bmi' is skipped" in panel.import_notes.text()
    editor.save_button.click()
    saved = load_task_file(paths.user_tasks_dir() / "study.json")
    expected, _ = import_redcap(dictionary)
    # the editor keeps every field and the whole mapping as the import made them
    assert saved.model_dump() == expected.model_dump()
    assert panel.current_task().id == "study"
    (paths.user_tasks_dir() / "study.json").unlink()


def test_castor_asks_for_its_option_groups_and_a_bad_file_says_why(qtbot, window, tmp_path,
                                                                   monkeypatch):
    panel = window.task_panel
    structure, options = write_castor(tmp_path / "castor")
    asked = _answer_open_dialogs(monkeypatch, structure, options)
    assert panel.import_dictionary()
    assert len(asked) == 2 and "option groups" in asked[1]
    editor = _editor(window)
    qtbot.addWidget(editor)
    assert editor.definition().edc.system == "castor"
    editor.reject()
    not_a_dictionary = tmp_path / "notes.csv"
    not_a_dictionary.write_text("a,b\n1,2\n", encoding="utf-8")
    assert not panel.import_dictionary(not_a_dictionary)
    assert panel.import_notes.text().startswith("Not imported: ")
    assert "not a REDCap data dictionary" in panel.import_notes.text()
    assert panel.import_notes.isVisible()


def test_the_export_dialog_writes_a_redcap_import_file(qtbot, tmp_path, monkeypatch, pluk_home):
    dictionary = write_redcap(tmp_path / "study.csv")
    task, _ = import_redcap(dictionary)
    run = make_run(tmp_path, task, [{"age": 70, "sex": "Female", "gleason": "GG5",
                                     "sites": ["Apex"], "smoker": None,
                                     "biopsy_date": "last week"}])
    dialog = ExportDialog(run)
    qtbot.addWidget(dialog)
    formats = [dialog.format_combo.itemData(i) for i in range(dialog.format_combo.count())]
    assert {"redcap", "castor"} <= set(formats)
    dialog.format_combo.setCurrentIndex(formats.index("redcap"))
    assert not dialog.nested_combo.isEnabled() and not dialog.delimiter_combo.isEnabled()
    chosen = tmp_path / "to_redcap"  # no extension: the dialog adds .csv
    monkeypatch.setattr(ExportDialog, "exec", lambda self: True)
    monkeypatch.setattr(export_dialog.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(chosen), "")))
    path, count = dialog.ask_and_write()
    assert path.name == "to_redcap.csv" and count == 1
    with path.open(encoding="utf-8", newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["age"], row["sex"], row["gleason"], row["sites___3"]) == ("70", "2", "5", "1")
    assert problems(dictionary, path) == []
    assert row["biopsy_date"] == "" and any("'biopsy_date': 1 value left empty" in n
                                            for n in dialog.notes)
