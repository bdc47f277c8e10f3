"""Settings → Engine: whether reports run on this computer or on an inference server (its URL,
model and concurrency), with a Test connection button that lists the server's models.

The connection test runs off the GUI thread (background.LatestCall); the API key is never
typed here: it stays in the OS keyring (service "pluk") or an environment variable, and the
box only says which.
"""

from __future__ import annotations

from pydantic import ValidationError
from PySide6.QtCore import Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit,
                               QPushButton, QSpinBox, QWidget)

from pluk.core.engine.server_http import ServerInfo, check_server, check_url, origin
from pluk.core.errors import PlukError
from pluk.core.options import ServerOptions, bounds
from pluk.gui.background import LatestCall

LOCAL, SERVER = "local", "server"
EXAMPLE_URL = "https://llm.hospital.example:8080"  # an address, the same in every language


class EngineBox(QGroupBox):
    """Edits RunOptions.server: None for this computer, else the server's options (what the
    box does not show, such as a CA bundle set on the command line, is kept)."""

    def __init__(self, server: ServerOptions | None, parent: QWidget | None = None):
        super().__init__(self.tr("Engine"), parent)
        self._kept = server
        form = QFormLayout(self)
        self.where = QComboBox()
        self.where.addItem(self.tr("this computer"), LOCAL)
        self.where.addItem(self.tr("a server"), SERVER)
        self.url = QLineEdit(server.url if server else "")
        self.url.setPlaceholderText(EXAMPLE_URL)
        self.model = QComboBox()
        self.model.setEditable(True)
        self.model.lineEdit().setPlaceholderText(self.tr("the first the server lists"))
        if server and server.model:
            self.model.addItem(server.model)
        self.concurrency = QSpinBox()
        self.concurrency.setRange(0, int(bounds(ServerOptions, "concurrency")[1]))
        self.concurrency.setSpecialValueText(self.tr("as the server says"))
        self.concurrency.setValue((server.concurrency or 0) if server else 0)
        self.keyring = QCheckBox(self.tr("API key in the OS keyring (service pluk)"))
        self.keyring.setChecked(bool(server and server.api_key_keyring))
        self.test_button = QPushButton(self.tr("Test connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.result = QLabel()
        self.result.setWordWrap(True)
        form.addRow(self.tr("Run the reports on"), self.where)
        form.addRow(self.tr("Server URL"), self.url)
        form.addRow(self.tr("Model"), self.model)
        form.addRow(self.tr("Requests at once"), self.concurrency)
        form.addRow(self.keyring)
        form.addRow(self.test_button, self.result)
        self._test = LatestCall(self)
        self._test.succeeded.connect(self._tested)
        self._test.failed.connect(self._test_failed)
        self._test.busy_changed.connect(lambda busy: self.test_button.setEnabled(not busy))
        self.where.currentIndexChanged.connect(self._show_fields)
        self.where.setCurrentIndex(1 if server else 0)
        self._show_fields()

    def _show_fields(self) -> None:
        on_server = self.where.currentData() == SERVER
        for widget in (self.url, self.model, self.concurrency, self.keyring, self.test_button,
                       self.result):
            widget.setEnabled(on_server)

    def server_options(self) -> ServerOptions | None:
        """The options as edited; ValueError (one sentence) when the URL is not usable."""
        if self.where.currentData() == LOCAL:
            return None
        kept = self._kept.model_dump() if self._kept else {}
        try:
            return ServerOptions.model_validate(kept | {
                "url": self.url.text().strip(),
                "model": self.model.currentText().strip() or None,
                "concurrency": self.concurrency.value() or None,
                "api_key_keyring": self.keyring.isChecked()})
        except ValidationError as exc:
            raise ValueError(exc.errors()[0]["msg"].removeprefix("Value error, ")) from None

    @Slot()
    def test_connection(self) -> None:
        try:
            options = self.server_options()
        except ValueError as exc:
            self.result.setText(str(exc))
            return
        if options is None:
            return
        try:
            check_url(options.url)  # a port like 99999 is one sentence here, not a ValueError
        except PlukError as exc:
            self.result.setText(str(exc))
            return
        self.result.setText(self.tr("Connecting to {server}…").format(
            server=origin(options.url)))
        self._test.start(lambda: check_server(options))

    @Slot(object)
    def _tested(self, info: ServerInfo) -> None:
        chosen = self.model.currentText()
        self.model.clear()
        self.model.addItems([str(m["id"]) for m in info.models])
        self.model.setCurrentText(chosen or info.model)
        slots = (self.tr("{n} slots").format(n=info.slots) if info.slots
                 else self.tr("slots not reported"))
        self.result.setText(self.tr("Connected: {kind}; models: {count}; {slots}").format(
            kind=info.variant, count=len(info.models), slots=slots))

    @Slot(object)
    def _test_failed(self, exc: Exception) -> None:
        self.result.setText(self.tr("No connection: {reason}").format(reason=exc))
