"""Step 2, the task: a picker over the built-in library and the user's own tasks, showing the
description and the fields, with New / Edit buttons that open the task editor."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTreeWidget, QTreeWidgetItem, QWidget)

from pluk.core import paths
from pluk.core.tasks import TaskDefinition, list_tasks
from pluk.gui.task_fields_table import type_label
from pluk.gui.widgets import Card, muted


def _is_user_task(path: Path) -> bool:
    try:
        path.resolve().relative_to(paths.user_tasks_dir().resolve())
        return True
    except ValueError:
        return False


class TaskPanel(Card):
    task_chosen = Signal(object)          # TaskDefinition | None
    edit_requested = Signal(object, object)  # task data dict | None, user file path | None

    def __init__(self, parent: QWidget | None = None):
        super().__init__("2", "Task", parent)
        self._tasks: list[tuple[Path, TaskDefinition]] = []
        row = QHBoxLayout()
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(24)
        self.combo.currentIndexChanged.connect(self._on_index)
        self.new_button = QPushButton("New…")
        self.edit_button = QPushButton("Edit…")
        self.new_button.clicked.connect(lambda: self.edit_requested.emit(None, None))
        self.edit_button.clicked.connect(self._request_edit)
        row.addWidget(self.combo, 1)
        row.addWidget(self.new_button)
        row.addWidget(self.edit_button)
        self.body.addLayout(row)
        self.description = muted()
        self.body.addWidget(self.description)
        self.fields = QTreeWidget()
        self.fields.setHeaderLabels(["Field", "Type", "Meaning"])
        self.fields.setRootIsDecorated(False)
        self.fields.setAlternatingRowColors(True)
        header = self.fields.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.body.addWidget(self.fields, 1)
        self.problems = QLabel()
        self.problems.setObjectName("problem")
        self.problems.setWordWrap(True)
        self.problems.hide()
        self.body.addWidget(self.problems)

    def reload(self, select_id: str | None = None) -> None:
        current = select_id or (self.current_task().id if self.current_task() else None)
        self._tasks, problems = list_tasks()
        self.combo.blockSignals(True)
        self.combo.clear()
        for path, task in self._tasks:
            mine = " (mine)" if _is_user_task(path) else ""
            self.combo.addItem(f"{task.title}{mine}", task.id)
            self.combo.setItemData(self.combo.count() - 1, str(path), Qt.ItemDataRole.ToolTipRole)
        self.combo.blockSignals(False)
        index = self.combo.findData(current) if current else -1
        self.combo.setCurrentIndex(index if index >= 0 else (0 if self._tasks else -1))
        self._on_index(self.combo.currentIndex())
        self.problems.setVisible(bool(problems))
        self.problems.setText("Some task files could not be loaded:\n" + "\n".join(problems))

    def current_task(self) -> TaskDefinition | None:
        index = self.combo.currentIndex()
        return self._tasks[index][1] if 0 <= index < len(self._tasks) else None

    def current_path(self) -> Path | None:
        index = self.combo.currentIndex()
        return self._tasks[index][0] if 0 <= index < len(self._tasks) else None

    def select(self, task_id: str) -> bool:
        index = self.combo.findData(task_id)
        if index >= 0:
            self.combo.setCurrentIndex(index)
        return index >= 0

    def _on_index(self, _index: int) -> None:
        task = self.current_task()
        self.fields.clear()
        if task is None:
            self.description.setText("No task. Press New… to define one.")
            self.edit_button.setEnabled(False)
        else:
            self.description.setText(task.description)
            self.edit_button.setEnabled(True)
            user = _is_user_task(self.current_path())
            self.edit_button.setText("Edit…" if user else "Edit a copy…")
            self.edit_button.setToolTip(
                "Change this task" if user else
                "Built-in tasks stay as they are: edit a copy saved in your task folder")
            for spec in task.fields:
                kind = type_label(spec.model_dump())
                if spec.type == "enum":
                    kind += ": " + " | ".join(spec.values)
                if spec.unit:
                    kind += f" ({spec.unit})"
                item = QTreeWidgetItem([spec.name + ("" if not spec.optional else " ?"), kind,
                                        spec.description])
                item.setToolTip(2, spec.description)
                item.setToolTip(0, "optional: may be empty" if spec.optional else "required")
                self.fields.addTopLevelItem(item)
        self.task_chosen.emit(task)

    def _request_edit(self) -> None:
        from pluk.gui.task_editor import task_data

        task, path = self.current_task(), self.current_path()
        if task is None:
            return
        data = task_data(task)
        if _is_user_task(path):
            self.edit_requested.emit(data, path)
        else:
            data.update(id=f"{task.id}_copy", title=f"{task.title} (copy)")
            self.edit_requested.emit(data, None)
