"""The typed editor of a correction in the Review tab: a choice list for yes/no and category
fields, a line for numbers and text, JSON for lists and objects. It reads what was typed as
the field's type ("9,7" is 9.7); whether the value fits the field's bounds is the core's
check_value, so the window refuses exactly what the core would."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QStackedWidget, QWidget)

from pluk.core.runs.reviews import ReviewError, check_value
from pluk.gui.results_model import display

NOT_STATED = QT_TRANSLATE_NOOP("ValueEditor", "— not stated in the report")


def _bounds(spec: Any) -> str:
    parts = []
    if getattr(spec, "minimum", None) is not None:
        parts.append(f"≥ {display(spec.minimum)}")
    if getattr(spec, "maximum", None) is not None:
        parts.append(f"≤ {display(spec.maximum)}")
    if spec.unit:
        parts.append(spec.unit)
    return " ".join(parts)


class ValueEditor(QWidget):
    """One field's correction; `submitted` when Enter is pressed in the line."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec: Any = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        self.choice = QComboBox()
        self.line = QLineEdit()
        self.line.returnPressed.connect(self.submitted)
        self.json = QPlainTextEdit()
        self.json.setMaximumHeight(90)
        for widget in (self.choice, self.line, self.json):
            self.stack.addWidget(widget)
        self.hint = QLabel()
        self.hint.setObjectName("muted")
        # Only as tall as the page shown, and no wider than a value needs: a PI-RADS choice
        # was a 400 px box (issue 26).
        self.stack.currentChanged.connect(self._fit_page)
        self.stack.setMaximumWidth(420)
        self._fit_page()
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.hint)

    def set_field(self, spec: Any, value: Any) -> None:
        """Edit `spec`, starting from `value` (the model's or the last reviewed one)."""
        self.spec = spec
        self.hint.setText(_bounds(spec))
        if spec.type in ("bool", "enum"):
            self.choice.clear()
            options = ([(display(True), True), (display(False), False)]
                       if spec.type == "bool" else [(v, v) for v in spec.values])
            not_stated = QCoreApplication.translate("ValueEditor", NOT_STATED)
            for label, data in options + [(not_stated, None)]:
                self.choice.addItem(label, data)
            index = next((i for i in range(self.choice.count())
                          if self.choice.itemData(i) == value
                          and type(self.choice.itemData(i)) is type(value)), -1)
            self.choice.setCurrentIndex(max(index, 0))
            self.stack.setCurrentWidget(self.choice)
        elif spec.type in ("list", "object"):
            self.json.setPlainText("" if value is None else json.dumps(value,
                                                                       ensure_ascii=False))
            self.stack.setCurrentWidget(self.json)
        else:
            self.line.setText("" if value is None else display(value) if spec.type != "string"
                              else str(value))
            self.line.setPlaceholderText(self.tr("empty: not stated in the report"))
            self.stack.setCurrentWidget(self.line)

    def focus(self) -> None:
        widget = self.stack.currentWidget()
        widget.setFocus()
        if widget is self.line:
            self.line.selectAll()

    def typed(self) -> Any:
        """What was entered, as the field's type; ReviewError when it cannot be read so."""
        kind = self.spec.type
        if kind in ("bool", "enum"):
            return self.choice.currentData()
        if kind in ("list", "object"):
            text = self.json.toPlainText().strip()
            if not text:
                return None
            try:
                return json.loads(text)
            except json.JSONDecodeError as exc:
                raise ReviewError(self.tr("{field} is not valid JSON: {reason}").format(
                    field=self.spec.name, reason=exc.msg)) from None
        text = self.line.text().strip()
        if not text:
            return None
        if kind == "string":
            return self.line.text()
        try:
            number = float(text.replace(",", ".").replace(" ", ""))
        except ValueError:
            raise ReviewError(self.tr("{text} is not a number").format(
                text=repr(text))) from None
        return int(number) if kind == "int" and number.is_integer() else number

    def value(self) -> Any:
        """The correction as the field stores it; ReviewError with the reason it is refused."""
        return check_value(self.spec, self.typed())

    def _fit_page(self, _index: int = 0) -> None:
        page = self.stack.currentWidget()
        self.stack.setFixedHeight(min(page.sizeHint().height(), page.maximumHeight()))
