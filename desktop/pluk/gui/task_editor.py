"""The task editor: define or change a task without writing code, and save it to the user's
task folder. Beside the form it shows, live, the JSON schema the answers must follow, the prompt
the model will see, and the task file; every problem the core finds is listed under the form.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QPlainTextEdit, QPushButton, QSplitter, QTabWidget,
                               QVBoxLayout, QWidget)

from pluk.core import paths
from pluk.core.errors import TaskError
from pluk.core.extraction.prompt import system_prompt
from pluk.core.tasks import TaskDefinition, json_schema
from pluk.core.tasks.loader import parse_task
from pluk.gui.task_fields_table import FieldsTable

LANGUAGES = [("nl", QT_TRANSLATE_NOOP("TaskEditor", "Dutch")),
             ("en", QT_TRANSLATE_NOOP("TaskEditor", "English")),
             ("de", QT_TRANSLATE_NOOP("TaskEditor", "German")),
             ("fr", QT_TRANSLATE_NOOP("TaskEditor", "French"))]
SAMPLE_REPORT = QT_TRANSLATE_NOOP("TaskEditor", "(the text of each report goes here)")
NEW_TASK: dict[str, Any] = {
    "format_version": 1, "id": "my_task", "title": "My task",
    "description": "What to extract from each report.", "language": "nl",
    "fields": [{"name": "finding", "type": "string", "optional": True,
                "description": "The main finding, in a few words."}],
}


def task_data(task: TaskDefinition) -> dict[str, Any]:
    return task.model_dump(mode="json", exclude_none=True)


def _mono() -> QFont:
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


class TaskEditor(QDialog):
    task_saved = Signal(object, object)  # path, TaskDefinition

    def __init__(self, data: dict[str, Any] | None = None, *, path: Path | None = None,
                 sample_text: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Task editor"))
        self.resize(1180, 720)
        self._base = copy.deepcopy(data or NEW_TASK)
        self._path = path  # the user task file being edited, if any
        self._sample = sample_text or QCoreApplication.translate("TaskEditor", SAMPLE_REPORT)
        self._task: TaskDefinition | None = None
        self._build()
        self.load(self._base)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        splitter = QSplitter()
        form_side = QWidget()
        form_layout = QVBoxLayout(form_side)
        form_layout.setContentsMargins(0, 0, 6, 0)
        form = QFormLayout()
        self.id_edit = QLineEdit()
        self.id_edit.setToolTip(self.tr("Letters, digits, _ . -; also the file name"))
        self.title_edit = QLineEdit()
        self.language_combo = QComboBox()
        for code, name in LANGUAGES:
            self.language_combo.addItem(
                f"{QCoreApplication.translate('TaskEditor', name)} ({code})", code)
        self.description_edit = QPlainTextEdit()
        self.description_edit.setFixedHeight(70)
        self.instructions_edit = QPlainTextEdit()
        self.instructions_edit.setFixedHeight(60)
        self.instructions_edit.setPlaceholderText(self.tr("Optional extra guidance for the "
                                                          "model"))
        form.addRow(self.tr("Id"), self.id_edit)
        form.addRow(self.tr("Title"), self.title_edit)
        form.addRow(self.tr("Language"), self.language_combo)
        form.addRow(self.tr("Description"), self.description_edit)
        form.addRow(self.tr("Instructions"), self.instructions_edit)
        form_layout.addLayout(form)
        form_layout.addWidget(QLabel(self.tr("<b>Fields</b> — one per value to extract")))
        self.fields_table = FieldsTable()
        form_layout.addWidget(self.fields_table, 1)
        hint = QLabel(self.tr("Types: yes/no, whole number, number, text, choice (the values "
                              "separated by |), or a list of one of these. A range is typed "
                              "as 0..1000 or 0-1000."))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        form_layout.addWidget(hint)
        row = QHBoxLayout()
        for text, slot in ((self.tr("Add field"), self.fields_table.add_field),
                           (self.tr("Remove"), self.fields_table.remove_field),
                           (self.tr("Move up"), lambda: self.fields_table.move_field(-1)),
                           (self.tr("Move down"), lambda: self.fields_table.move_field(1))):
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        form_layout.addLayout(row)
        self.problems = QLabel()
        self.problems.setObjectName("problem")
        self.problems.setWordWrap(True)
        form_layout.addWidget(self.problems)
        splitter.addWidget(form_side)

        self.previews = QTabWidget()
        self.schema_view = QPlainTextEdit(readOnly=True)
        self.prompt_view = QPlainTextEdit(readOnly=True)
        self.file_view = QPlainTextEdit(readOnly=True)
        for view, title in ((self.prompt_view, self.tr("Prompt preview")),
                            (self.schema_view, self.tr("JSON schema")),
                            (self.file_view, self.tr("Task file"))):
            view.setFont(_mono())
            view.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
            self.previews.addTab(view, title)
        splitter.addWidget(self.previews)
        splitter.setSizes([700, 480])
        layout.addWidget(splitter, 1)

        buttons = QHBoxLayout()
        self.location = QLabel()
        self.location.setObjectName("muted")
        buttons.addWidget(self.location, 1)
        self.save_button = QPushButton(self.tr("Save task"))
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton(self.tr("Close"))
        cancel.clicked.connect(self.reject)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)

        for edit in (self.id_edit, self.title_edit):
            edit.textChanged.connect(self.refresh)
        for edit in (self.description_edit, self.instructions_edit):
            edit.textChanged.connect(self.refresh)
        self.language_combo.currentIndexChanged.connect(self.refresh)
        self.fields_table.changed.connect(self.refresh)

    # -- data ------------------------------------------------------------------------------

    def load(self, data: dict[str, Any]) -> None:
        self._base = copy.deepcopy(data)
        self.id_edit.setText(data.get("id", ""))
        self.title_edit.setText(data.get("title", ""))
        language = data.get("language", "en")
        if self.language_combo.findData(language) < 0:
            self.language_combo.addItem(language, language)
        self.language_combo.setCurrentIndex(self.language_combo.findData(language))
        self.description_edit.setPlainText(data.get("description", ""))
        self.instructions_edit.setPlainText(data.get("instructions", ""))
        self.fields_table.set_fields(data.get("fields", []))
        self.refresh()
        self._saved = self.data()  # as the form gives it back: what "changed" compares with

    def changed(self) -> bool:
        """The form differs from the task as loaded or last saved."""
        return self.data() != self._saved

    def reject(self) -> None:
        """Close (also Escape and the window's close button): with changes, ask first whether
        to save them, throw them away or keep editing; never lose them silently."""
        if self.changed():
            box = QMessageBox(QMessageBox.Icon.Question, self.tr("Save the changes?"),
                              self.tr("This task has changes that are not saved."), parent=self)
            save = box.addButton(self.tr("Save"), QMessageBox.ButtonRole.AcceptRole)
            discard = box.addButton(self.tr("Discard changes"),
                                    QMessageBox.ButtonRole.DestructiveRole)
            box.addButton(self.tr("Keep editing"), QMessageBox.ButtonRole.RejectRole)
            save.setEnabled(self._task is not None)  # a task with problems cannot be saved
            box.setDefaultButton(save if self._task is not None else None)
            box.exec()
            if box.clickedButton() is save:
                self.save()  # closes the editor once saved
                return
            if box.clickedButton() is not discard:
                return
        super().reject()

    def data(self) -> dict[str, Any]:
        """The task file's content as the form stands (it may not be valid yet)."""
        data = copy.deepcopy(self._base)
        data.update(id=self.id_edit.text().strip(), title=self.title_edit.text().strip(),
                    description=self.description_edit.toPlainText().strip(),
                    language=self.language_combo.currentData(),
                    fields=self.fields_table.fields())
        instructions = self.instructions_edit.toPlainText().strip()
        if instructions:
            data["instructions"] = instructions
        else:
            data.pop("instructions", None)
        return data

    def definition(self) -> TaskDefinition | None:
        return self._task

    def target_path(self) -> Path:
        if self._path is not None and self._path.stem == self.id_edit.text().strip():
            return self._path
        return paths.user_tasks_dir() / f"{self.id_edit.text().strip()}.json"

    def refresh(self) -> None:
        data = self.data()
        self.file_view.setPlainText(json.dumps(data, indent=2, ensure_ascii=False))
        try:
            task = parse_task(data, "this task")
        except TaskError as exc:
            self._task = None
            self.problems.setText(str(exc).replace("this task: ", ""))
            self.save_button.setEnabled(False)
            return
        self._task = task
        self.problems.setText("")
        self.save_button.setEnabled(True)
        self.schema_view.setPlainText(json.dumps(json_schema(task), indent=2, ensure_ascii=False))
        self.prompt_view.setPlainText(
            "── system ──\n" + system_prompt(task, task.examples or None)
            + "\n\n── user ──\nReport:\n" + self._sample)
        self.location.setText(self.tr("Saves to {path}").format(path=self.target_path()))

    def save(self) -> Path | None:
        task = self._task
        if task is None:
            return None
        from pluk.core.tasks import list_tasks

        path = self.target_path()
        tasks, _ = list_tasks()
        for other_path, other in tasks:
            if other.id == task.id and other_path.resolve() != path.resolve():
                QMessageBox.warning(self, self.tr("Choose another id"),
                                    self.tr("The id '{id}' is already used by {path}. Give "
                                            "this task its own id.").format(id=task.id,
                                                                            path=other_path))
                return None
        if path.exists() and path != self._path:
            answer = QMessageBox.question(self, self.tr("Replace the task?"),
                                          self.tr("{name} exists in your task folder. Replace "
                                                  "it?").format(name=path.name))
            if answer != QMessageBox.StandardButton.Yes:
                return None
        path.write_text(json.dumps(self.data(), indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        self._path = path
        self._saved = self.data()
        self.task_saved.emit(path, task)
        self.accept()
        return path
