"""The editable table of a task's fields: name, type, allowed values or range, unit, optional,
description; one row per field, turned into and from the task file's field dictionaries.

Types are shown in words a data manager uses (yes/no, whole number, number, text, choice, list
of ...); a range may be typed as 0..1000, 0-1000 or 0 – 1000.

Settings the table has no column for (a string's max_length, a list's max_items, the fields of
an object) are kept from the field as loaded, so editing a task never loses what it cannot show.
"""

from __future__ import annotations

import copy
from typing import Any

import re

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from pluk.gui.widgets import short_number

SIMPLE_TYPES = ["bool", "int", "float", "string", "enum"]
TYPE_LABELS = SIMPLE_TYPES + [f"list of {t}" for t in SIMPLE_TYPES]
KEYS_BY_TYPE = {
    "bool": set(), "int": {"minimum", "maximum"}, "float": {"minimum", "maximum"},
    "string": {"max_length"}, "enum": {"values"}, "list": {"items", "max_items"},
    "object": {"fields"},
}
COMMON_KEYS = ("name", "type", "description", "unit", "optional")
COLUMNS = [QT_TRANSLATE_NOOP("FieldsTable", "Name"), QT_TRANSLATE_NOOP("FieldsTable", "Type"),
           QT_TRANSLATE_NOOP("FieldsTable", "Allowed values or range"),
           QT_TRANSLATE_NOOP("FieldsTable", "Unit"), QT_TRANSLATE_NOOP("FieldsTable", "Optional"),
           QT_TRANSLATE_NOOP("FieldsTable", "Description")]
NAME, TYPE, VALUES, UNIT, OPTIONAL, DESCRIPTION = range(6)
VALUES_TIP = QT_TRANSLATE_NOOP(
    "FieldsTable", "choice: the allowed values separated by |, e.g. 'benign | malignant'\n"
    "whole number / number: a range such as 0..20 or 0-20 (either side may be left out)")
TYPE_WORDS = {
    "bool": QT_TRANSLATE_NOOP("FieldsTable", "yes/no"),
    "int": QT_TRANSLATE_NOOP("FieldsTable", "whole number"),
    "float": QT_TRANSLATE_NOOP("FieldsTable", "number"),
    "string": QT_TRANSLATE_NOOP("FieldsTable", "text"),
    "enum": QT_TRANSLATE_NOOP("FieldsTable", "choice"),
    "object": QT_TRANSLATE_NOOP("FieldsTable", "group of fields"),
}
# "0..20", "0-20", "0 – 20", "-5..5", "..20", "0.5-"; a leading minus is the number's own.
_RANGE = re.compile(r"^\s*(-?[\d.,]*)\s*(?:\.\.|–|—|-|to|tot)\s*(-?[\d.,]*)\s*$")


def _tr(text: str) -> str:
    return QCoreApplication.translate("FieldsTable", text)


def type_words(label: str) -> str:
    """'list of int' -> 'list of whole numbers', in the window's language."""
    kind, _, item_kind = label.partition(" of ")
    if kind == "list":
        return QCoreApplication.translate("FieldsTable", "list of {items}").format(
            items=_tr(TYPE_WORDS.get(item_kind, item_kind)))
    return _tr(TYPE_WORDS.get(kind, kind))


def type_label(field: dict[str, Any]) -> str:
    kind = field.get("type", "string")
    if kind == "list":
        return f"list of {(field.get('items') or {}).get('type', 'string')}"
    return kind


def _values_text(field: dict[str, Any]) -> str:
    kind = field.get("type")
    if kind == "list":
        return _values_text(field.get("items") or {})
    if kind == "enum":
        return " | ".join(field.get("values") or [])
    if kind in ("int", "float") and (field.get("minimum") is not None
                                     or field.get("maximum") is not None):
        lo, hi = field.get("minimum"), field.get("maximum")
        return f"{'' if lo is None else short_number(lo)}..{'' if hi is None else short_number(hi)}"
    return ""


def _number(text: str, kind: str) -> int | float | str:
    try:
        return int(text) if kind == "int" else float(text.replace(",", "."))
    except ValueError:
        return text  # left as typed, so validation names the problem


def _apply_values(field: dict[str, Any], text: str) -> None:
    kind = field["type"]
    text = text.strip()
    if kind == "enum":
        field["values"] = [v.strip() for v in text.split("|") if v.strip()]
    elif kind in ("int", "float"):
        field.pop("minimum", None)
        field.pop("maximum", None)
        if text:
            match = _RANGE.match(text)
            lo, hi = (match.group(1), match.group(2)) if match else (text, "")
            if lo.strip():
                field["minimum"] = _number(lo.strip(), kind)
            if hi.strip():
                field["maximum"] = _number(hi.strip(), kind)


def build_field(original: dict[str, Any], *, name: str, label: str, values: str, unit: str,
                optional: bool, description: str) -> dict[str, Any]:
    kind, _, item_kind = label.partition(" of ")
    old = copy.deepcopy(original)
    field: dict[str, Any] = {"name": name, "type": kind}
    if description:
        field["description"] = description
    if unit:
        field["unit"] = unit
    field["optional"] = optional
    if kind == old.get("type"):
        for key in KEYS_BY_TYPE.get(kind, ()):
            if key in old:
                field[key] = old[key]
    if kind == "list":
        items = field.get("items") or {}
        if items.get("type") != item_kind:
            items = {"type": item_kind}
        _apply_values(items, values)
        field["items"] = items
    elif kind != "object":
        _apply_values(field, values)
    return field


class FieldsTable(QTableWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([_tr(c) for c in COLUMNS])
        self.horizontalHeaderItem(VALUES).setToolTip(_tr(VALUES_TIP))
        for column, name in enumerate(COLUMNS):
            self.horizontalHeaderItem(column).setToolTip(
                _tr(VALUES_TIP) if column == VALUES else _tr(name))
        self.verticalHeader().setVisible(False)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        metrics = header.fontMetrics()
        for column, width in ((NAME, 140), (TYPE, 150), (VALUES, 130), (UNIT, 70),
                              (OPTIONAL, 66)):
            # At least the header's own text (bold, with padding), so no header is cut.
            needed = metrics.horizontalAdvance(_tr(COLUMNS[column])) * 12 // 10 + 24
            self.setColumnWidth(column, max(width, needed))
        self.itemChanged.connect(lambda _item: self.changed.emit())

    # -- rows <-> field dictionaries -----------------------------------------------------

    def set_fields(self, fields: list[dict[str, Any]]) -> None:
        self.blockSignals(True)
        self.setRowCount(0)
        for field in fields:
            self._insert(self.rowCount(), field)
        self.blockSignals(False)
        self.changed.emit()

    def fields(self) -> list[dict[str, Any]]:
        return [self.field_at(row) for row in range(self.rowCount())]

    def field_at(self, row: int) -> dict[str, Any]:
        name_item = self.item(row, NAME)
        original = name_item.data(Qt.ItemDataRole.UserRole) or {}
        return build_field(
            original, name=name_item.text().strip(), label=self.cellWidget(row, TYPE).currentData(),
            values=self.item(row, VALUES).text(), unit=self.item(row, UNIT).text().strip(),
            optional=self.item(row, OPTIONAL).checkState() == Qt.CheckState.Checked,
            description=self.item(row, DESCRIPTION).text().strip())

    def _insert(self, row: int, field: dict[str, Any]) -> None:
        was_blocked = self.blockSignals(True)
        self.insertRow(row)
        name = QTableWidgetItem(field.get("name", ""))
        name.setData(Qt.ItemDataRole.UserRole, copy.deepcopy(field))
        self.setItem(row, NAME, name)
        combo = QComboBox()
        labels = list(TYPE_LABELS)
        label = type_label(field)
        if label not in labels:  # object fields: kept whole, their inner fields as loaded
            labels.append(label)
        for choice in labels:
            combo.addItem(type_words(choice), choice)
        combo.setCurrentIndex(combo.findData(label))
        combo.currentIndexChanged.connect(lambda _index: self.changed.emit())
        self.setCellWidget(row, TYPE, combo)
        values = QTableWidgetItem(_values_text(field))
        values.setToolTip(_tr(VALUES_TIP))
        self.setItem(row, VALUES, values)
        self.setItem(row, UNIT, QTableWidgetItem(field.get("unit") or ""))
        optional = QTableWidgetItem()
        optional.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled
                          | Qt.ItemFlag.ItemIsSelectable)
        optional.setCheckState(Qt.CheckState.Checked if field.get("optional")
                               else Qt.CheckState.Unchecked)
        self.setItem(row, OPTIONAL, optional)
        self.setItem(row, DESCRIPTION, QTableWidgetItem(field.get("description", "")))
        self.blockSignals(was_blocked)

    # -- editing ---------------------------------------------------------------------------

    def add_field(self) -> None:
        names = {f["name"] for f in self.fields()}
        n = len(names) + 1
        while f"field_{n}" in names:
            n += 1
        row = self.rowCount()
        self._insert(row, {"name": f"field_{n}", "type": "string", "optional": True})
        self.setCurrentCell(row, NAME)
        self.changed.emit()

    def remove_field(self) -> None:
        row = self.currentRow()
        if row >= 0:
            self.removeRow(row)
            self.changed.emit()

    def move_field(self, step: int) -> None:
        row = self.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.rowCount():
            return
        moving = self.field_at(row)
        self.removeRow(row)
        self._insert(target, moving)
        self.setCurrentCell(target, NAME)
        self.changed.emit()
