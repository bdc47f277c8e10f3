"""The task editor round-trips a task and saves new ones to the user's task folder."""

from __future__ import annotations

import json

from pluk.core import paths
from pluk.core.tasks import load_task, load_task_file
from pluk.gui.task_editor import TaskEditor, task_data
from pluk.gui.task_fields_table import DESCRIPTION, NAME, VALUES


def test_every_builtin_task_round_trips_unchanged(qtbot, pluk_home):
    for task_id in ("prostate_mri_nl", "radiology_findings_nl", "pathology_tissue_nl"):
        task = load_task(task_id)
        editor = TaskEditor(task_data(task))
        qtbot.addWidget(editor)
        assert editor.definition() is not None, editor.problems.text()
        assert editor.definition().model_dump() == task.model_dump()
        assert json.loads(editor.file_view.toPlainText())["id"] == task_id
        assert '"properties"' in editor.schema_view.toPlainText()
        assert task.title in editor.prompt_view.toPlainText()


def test_a_new_task_is_defined_saved_and_listed(qtbot, window):
    editor = window.window_actions.open_task_editor()
    qtbot.addWidget(editor)
    editor.id_edit.setText("tumour_grade")
    editor.title_edit.setText("Tumour grade")
    editor.description_edit.setPlainText("The WHO grade of the tumour.")
    table = editor.fields_table
    table.item(0, NAME).setText("grade")
    # The type list shows words ("choice"); its data is the task file's type.
    table.cellWidget(0, 1).setCurrentText("choice")
    table.item(0, VALUES).setText("G1 | G2 | G3")
    table.add_field()
    table.item(1, NAME).setText("size_mm")
    table.cellWidget(1, 1).setCurrentText("number")
    table.item(1, VALUES).setText("0..500")
    table.item(1, DESCRIPTION).setText("Largest diameter.")
    assert editor.definition() is not None, editor.problems.text()
    assert "G3" in editor.schema_view.toPlainText()

    editor.save_button.click()
    path = paths.user_tasks_dir() / "tumour_grade.json"
    saved = load_task_file(path)
    assert saved.model_dump() == editor.definition().model_dump()
    assert saved.field("grade").values == ["G1", "G2", "G3"]
    assert (saved.field("size_mm").minimum, saved.field("size_mm").maximum) == (0, 500)
    assert window.task_panel.current_task().id == "tumour_grade"
    path.unlink()


def test_problems_are_listed_and_block_saving(qtbot, pluk_home):
    editor = TaskEditor()
    qtbot.addWidget(editor)
    editor.fields_table.item(0, NAME).setText("not a name")
    assert editor.definition() is None
    assert not editor.save_button.isEnabled()
    assert "fields[0]" in editor.problems.text()


def test_close_asks_before_changes_are_lost(qtbot, pluk_home, monkeypatch):
    """Issue 26, item 5: Close threw changes away without asking."""
    from PySide6.QtWidgets import QMessageBox

    asked: list[str] = []

    def answer(button_text):
        def exec_(box):
            asked.append(box.text())
            next(b for b in box.buttons() if b.text() == button_text).click()
            return 0
        monkeypatch.setattr(QMessageBox, "exec", exec_)

    editor = TaskEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.reject()  # nothing changed: closes without a question
    assert not editor.isVisible() and asked == []

    editor = TaskEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.id_edit.setText("kept_task")
    answer("Keep editing")
    editor.reject()
    assert editor.isVisible() and "not saved" in asked[-1]
    assert editor.id_edit.text() == "kept_task"
    answer("Save")
    editor.reject()  # saves, then closes
    path = paths.user_tasks_dir() / "kept_task.json"
    assert not editor.isVisible() and load_task_file(path).id == "kept_task"
    path.unlink()

    editor = TaskEditor()
    qtbot.addWidget(editor)
    editor.show()
    editor.title_edit.setText("Thrown away")
    answer("Discard changes")
    editor.close()  # the window's close button asks too
    assert not editor.isVisible() and len(asked) == 3
