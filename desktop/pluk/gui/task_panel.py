"""Step 2, the task: a picker over the built-in library and the user's own tasks, grouped
(clinical tasks, the user's own, the DRAGON benchmark) with a search field, showing the
description and the fields in words, with New / Edit buttons that open the task editor, and
"Import data dictionary…", which turns a REDCap data dictionary or a Castor study structure
into a task and opens it in the editor to be checked and saved.

The default is the task used last, else the first clinical task: never a benchmark task.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QCompleter, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QPushButton, QTreeWidget, QTreeWidgetItem, QWidget)

from pluk.core import paths
from pluk.core.tasks import TaskDefinition, list_tasks
from pluk.core.tasks.suggest import SAMPLE_REPORTS, suggest
from pluk.gui.i18n import task_description, task_title
from pluk.gui.task_fields_table import type_label, type_words
from pluk.gui.widgets import (Card, LinesLabel, PickerCombo, breakable, fit_label, keep_rows,
                             muted)

GROUPS = ("clinical", "mine", "dragon")
TASK_ROLE = Qt.ItemDataRole.UserRole


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _translated(task: TaskDefinition, what: str) -> list[str]:
    """The task's title or description in each of its translations."""
    return [getattr(text, what) for text in task.translations.values() if getattr(text, what)]


def _is_user_task(path: Path) -> bool:
    return _inside(path, paths.user_tasks_dir())


def task_group(path: Path) -> str:
    """'mine' (the user's task folder), 'dragon' (the benchmark's tasks) or 'clinical'."""
    if _is_user_task(path):
        return "mine"
    if _inside(path, paths.builtin_tasks_dir() / "dragon"):
        return "dragon"
    return "clinical"


class TaskPanel(Card):
    task_chosen = Signal(object)          # TaskDefinition | None
    edit_requested = Signal(object, object)  # task data dict | None, user file path | None

    def __init__(self, parent: QWidget | None = None):
        super().__init__("2", self.tr("Task"), parent)
        self._tasks: list[tuple[Path, TaskDefinition]] = []
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search tasks…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(200)
        self.search.setToolTip(self.tr("Type part of a task's title or id, then choose it"))
        self._titles = QStringListModel(self)
        completer = QCompleter(self._titles, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self._searched)
        self.search.setCompleter(completer)
        self.search.returnPressed.connect(lambda: self._searched(self.search.text()))
        self.header.addWidget(self.search)
        row = QHBoxLayout()
        self.combo = PickerCombo(10)
        self.combo.setModel(QStandardItemModel(self.combo))
        self.combo.currentIndexChanged.connect(self._on_index)
        self.new_button = QPushButton(self.tr("New…"))
        self.edit_button = QPushButton(self.tr("Edit…"))
        self.import_button = QPushButton(self.tr("Import data dictionary…"))
        self.import_button.setToolTip(self.tr("Make a task from a REDCap data dictionary or a "
                                              "Castor study structure (CSV); its runs export "
                                              "back in REDCap's or Castor's import format"))
        self.new_button.clicked.connect(lambda: self.edit_requested.emit(None, None))
        self.edit_button.clicked.connect(self._request_edit)
        self.import_button.clicked.connect(lambda: self.import_dictionary())
        row.addWidget(self.combo, 1)
        row.addWidget(self.new_button)
        row.addWidget(self.import_button)
        row.addWidget(self.edit_button)
        self.body.addLayout(row)
        self.description = LinesLabel(2)  # the whole text in its tooltip
        self.description.setObjectName("muted")
        self.body.addWidget(self.description)
        # "These reports look like ...": shown when the loaded reports fit another task far
        # better than the chosen one (core/tasks/suggest.py); the user decides.
        self._report_texts: list[str] = []
        self._suggested: str | None = None
        self.suggestion = fit_label(QLabel())
        self.suggestion.setObjectName("problem")
        self.use_suggestion = QPushButton(self.tr("Use it"))
        self.use_suggestion.clicked.connect(self._use_suggestion)
        hint = QHBoxLayout()
        hint.addWidget(self.suggestion, 1)
        hint.addWidget(self.use_suggestion)
        self.body.addLayout(hint)
        self.suggestion.hide()
        self.use_suggestion.hide()
        self.fields = QTreeWidget()
        self.fields.setHeaderLabels([self.tr("Field"), self.tr("Type"), self.tr("Meaning")])
        self.fields.setRootIsDecorated(False)
        self.fields.setAlternatingRowColors(True)
        header = self.fields.header()
        # Widths set when filled (_fit_columns), so no scroll bar takes a row of the five.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        keep_rows(self.fields, scroll_bar=False)
        self.body.addWidget(self.fields, 1)
        self.problems = QLabel()
        self.problems.setObjectName("problem")
        fit_label(self.problems)
        self.problems.hide()
        self.body.addWidget(self.problems)
        self.import_notes = fit_label(muted())
        self.import_notes.hide()
        self.body.addWidget(self.import_notes)

    def group_title(self, group: str) -> str:
        return {"clinical": self.tr("Clinical tasks"), "mine": self.tr("Your own tasks"),
                "dragon": self.tr("DRAGON benchmark tasks")}[group]

    def reload(self, select_id: str | None = None) -> None:
        current = select_id or (self.current_task().id if self.current_task() else None)
        tasks, problems = list_tasks()
        grouped = {group: [] for group in GROUPS}
        for path, task in tasks:
            grouped[task_group(path)].append((path, task))
        self._tasks = [entry for group in GROUPS for entry in grouped[group]]
        model: QStandardItemModel = self.combo.model()
        self.combo.blockSignals(True)
        model.clear()
        bold = QFont()
        bold.setBold(True)
        for group in GROUPS:
            if not grouped[group]:
                continue
            heading = QStandardItem(self.group_title(group))
            heading.setFlags(Qt.ItemFlag.NoItemFlags)  # a heading: shown, never chosen
            heading.setFont(bold)
            model.appendRow(heading)
            for path, task in grouped[group]:
                item = QStandardItem(task_title(task))
                item.setData(task.id, TASK_ROLE)
                item.setData(f"{task_title(task)}\n{task.id} · {path}",
                             Qt.ItemDataRole.ToolTipRole)
                model.appendRow(item)
        self.combo.blockSignals(False)
        self._titles.setStringList([f"{task_title(t)} ({t.id})" for _, t in self._tasks])
        index = self.combo.findData(current, TASK_ROLE) if current else -1
        if index < 0 and grouped["clinical"] + grouped["mine"]:
            first = (grouped["clinical"] or grouped["mine"])[0][1]
            index = self.combo.findData(first.id, TASK_ROLE)
        if index < 0 and self._tasks:
            index = self.combo.findData(self._tasks[0][1].id, TASK_ROLE)
        self.combo.setCurrentIndex(index)
        self._on_index(self.combo.currentIndex())
        self.problems.setVisible(bool(problems))
        self.problems.setText(self.tr("Some task files could not be loaded:") + "\n"
                              + "\n".join(breakable(p) for p in problems))

    def _entry(self) -> tuple[Path, TaskDefinition] | None:
        task_id = self.combo.currentData(TASK_ROLE)
        return next(((p, t) for p, t in self._tasks if t.id == task_id), None)

    def current_task(self) -> TaskDefinition | None:
        entry = self._entry()
        return entry[1] if entry else None

    def current_path(self) -> Path | None:
        entry = self._entry()
        return entry[0] if entry else None

    def select(self, task_id: str) -> bool:
        index = self.combo.findData(task_id, TASK_ROLE)
        if index >= 0:
            self.combo.setCurrentIndex(index)
        return index >= 0

    def _searched(self, text: str) -> None:
        text = text.strip().lower()
        if not text:
            return
        exact = [t for _, t in self._tasks if f"{task_title(t)} ({t.id})".lower() == text]
        # Title and id first, in every language the task has them, then the descriptions:
        # "prostaat" finds the prostate task in an English window too.
        found = exact or [t for _, t in self._tasks if any(
            text in title.lower() for title in (t.id, t.title, *_translated(t, "title")))] or [
            t for _, t in self._tasks if any(text in d.lower() for d in (
                t.description, *_translated(t, "description")))]
        if found:
            self.select(found[0].id)
            self.search.clear()

    def suggest_for(self, reports: list) -> None:
        """Remember the loaded reports' texts and say whether another task fits them better."""
        self._report_texts = [r.text for r in reports[:SAMPLE_REPORTS] if r.text]
        self._update_suggestion()

    def _update_suggestion(self) -> None:
        current = self.current_task()
        candidates = [t for p, t in self._tasks if task_group(p) != "dragon"]
        found = suggest(candidates, current.id if current else None, self._report_texts)
        self._suggested = found.id if found else None
        if found:
            self.suggestion.setText(self.tr("These reports look like “{title}”.").format(
                title=task_title(found)))
        self.suggestion.setVisible(found is not None)
        self.use_suggestion.setVisible(found is not None)

    def _use_suggestion(self) -> None:
        if self._suggested:
            self.select(self._suggested)

    def _on_index(self, _index: int) -> None:
        task = self.current_task()
        self.fields.clear()
        self.combo.setToolTip(task_title(task) if task else "")
        if task is None:
            self.description.setText(self.tr("No task. Press New… to define one."))
            self.edit_button.setEnabled(False)
        else:
            self.description.setText(task_description(task))
            self.edit_button.setEnabled(True)
            user = _is_user_task(self.current_path())
            self.edit_button.setText(self.tr("Edit…") if user else self.tr("Edit a copy…"))
            self.edit_button.setToolTip(
                self.tr("Change this task") if user else
                self.tr("Built-in tasks stay as they are: edit a copy saved in your task folder"))
            for spec in task.fields:
                self.fields.addTopLevelItem(self._field_item(spec))
        self._fit_columns()
        self._update_suggestion()
        self.task_chosen.emit(task)

    def _fit_columns(self) -> None:
        """Name and type as wide as they need, up to 45% and 35% of the list; the meaning takes
        the rest. Cut text is in each cell's tooltip."""
        room = max(self.fields.viewport().width(), 300)
        for column, share in ((0, 0.45), (1, 0.35)):
            self.fields.resizeColumnToContents(column)
            self.fields.setColumnWidth(column, min(self.fields.columnWidth(column),
                                                   int(room * share)))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_columns()

    def _field_item(self, spec) -> QTreeWidgetItem:
        kind = type_words(type_label(spec.model_dump()))
        if spec.type == "enum":
            kind += ": " + " | ".join(spec.values)
        if spec.unit:
            kind += f" ({spec.unit})"
        if spec.optional:
            kind += " · " + self.tr("optional")
        item = QTreeWidgetItem([spec.name, kind, spec.description])
        item.setToolTip(0, spec.name)
        item.setToolTip(1, kind)
        item.setToolTip(2, spec.description)
        return item

    def _request_edit(self) -> None:
        from pluk.gui.task_editor import task_data

        task, path = self.current_task(), self.current_path()
        if task is None:
            return
        data = task_data(task)
        if _is_user_task(path):
            self.edit_requested.emit(data, path)
        else:
            # The copy is the user's, titled in the window's language; the built-in task's
            # translations would name the original.
            data.pop("translations", None)
            data.update(id=f"{task.id}_copy", title=self.tr("{title} (copy)").format(
                title=task_title(task)))
            self.edit_requested.emit(data, None)

    def import_dictionary(self, path: Path | None = None,
                          option_groups: Path | None = None) -> bool:
        """Import a data dictionary (asking for the file when `path` is None) and open the task
        in the editor; a file that cannot be imported shows its one-line reason here."""
        from pluk.core.tasks.dictionary import import_dictionary, needs_option_groups
        from pluk.core.tasks.edc_build import DictionaryError

        if path is None:
            name, _ = QFileDialog.getOpenFileName(
                self, self.tr("Import a data dictionary"), str(Path.home()),
                self.tr("REDCap data dictionary or Castor structure (*.csv)"))
            if not name:
                return False
            path = Path(name)
        try:
            task, notes = import_dictionary(path, option_groups)
        except DictionaryError as exc:
            if option_groups is None and needs_option_groups(exc):
                name, _ = QFileDialog.getOpenFileName(
                    self, self.tr("Castor's option groups for {name}").format(name=path.name),
                    str(path.parent), self.tr("Castor option groups (*.csv)"))
                if name:
                    return self.import_dictionary(path, Path(name))
            self._show_import(self.tr("Not imported: {reason}").format(reason=exc))
            return False
        from pluk.gui.task_editor import task_data

        self._show_import(self.tr("Imported {count} fields from {name}. Check them, then save "
                                  "the task.").format(count=len(task.fields), name=path.name)
                          + "".join(f"\n• {note}" for note in notes))
        self.edit_requested.emit(task_data(task), None)
        return True

    def _show_import(self, text: str) -> None:
        self.import_notes.setText(text)
        self.import_notes.setVisible(bool(text))
