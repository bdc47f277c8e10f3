"""Step 3, the model: a picker over the installed models and the .gguf files in the models
folder, plus any GGUF file chosen on disk, with its size, quantization and architecture.

A model is checked when it is chosen (its GGUF header and metadata, read off the GUI thread):
`model_checked` says whether it can be used, and why not, so the window keeps Run disabled
with the reason instead of starting a run that fails. Kept apart from the rest so the model
manager (download, verify, remove) can replace the candidate list without touching the window.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QWidget

from pluk.core import paths
from pluk.core.errors import ModelError
from pluk.core.models.gguf_info import GGUFInfo, check_gguf_header, read_gguf_info
from pluk.gui.background import LatestCall
from pluk.gui.widgets import (Card, PickerCombo, breakable, fit_label, human_size, integer,
                              muted, number)

log = logging.getLogger(__name__)


def candidate_models(extra: list[str] = ()) -> list[Path]:
    """Installed models first, then loose .gguf files in the models folder, then `extra`."""
    found: list[Path] = []
    try:
        from pluk.core.models.store import adopt_bundled_models, list_installed

        adopt_bundled_models()  # an offline installer's model shows up on first start
        found += [Path(m.path) for m in list_installed()]
    except Exception:  # the registry is optional; a damaged one must not hide the picker
        log.debug("model registry unavailable", exc_info=True)
    found += sorted(paths.models_dir().rglob("*.gguf"))
    found += [Path(p) for p in extra]
    unique: list[Path] = []
    seen: set[str] = set()
    for path in found:
        key = str(path.resolve()) if path.exists() else str(path)
        if key not in seen and path.is_file():
            seen.add(key)
            unique.append(path)
    return unique


def check_model_file(path: Path) -> GGUFInfo:
    """The model file's facts; ModelError (one line, naming the file) when it cannot be used."""
    check_gguf_header(path)
    info = read_gguf_info(path)
    if not info.architecture:
        raise ModelError(f"{path.name} names no model architecture: it is not a model "
                         "llama.cpp can load")
    return info


def engine_fallback(path: Path) -> str | None:
    """The load probe's fallback for this file on this computer, if a run found one (from its
    cache, nothing is probed or hashed here): None for the default way or no verdict yet."""
    from pluk.core.models.gguf_info import known_sha256
    from pluk.core.models.load_probe import known_verdict

    sha = known_sha256(path)
    verdict = known_verdict(sha) if sha else None
    return verdict.fallback if verdict is not None else None


def _check(path: Path) -> tuple[GGUFInfo, str | None]:
    return check_model_file(path), engine_fallback(path)


class ModelPicker(Card):
    model_chosen = Signal(object)          # Path | None, at once
    model_checked = Signal(object, object)  # Path, the reason it cannot be used | None
    manage_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("3", self.tr("Model"), parent)
        self._checker = LatestCall(self)
        self._checker.succeeded.connect(self._on_checked)
        self._checker.failed.connect(self._on_check_failed)
        self._checking: Path | None = None
        self.problem: str | None = None
        row = QHBoxLayout()
        self.combo = PickerCombo(10)
        self.combo.currentIndexChanged.connect(self._on_index)
        self.browse_button = QPushButton(self.tr("Choose file…"))
        self.browse_button.clicked.connect(self.choose_file)
        self.manage_button = QPushButton(self.tr("Models…"))
        self.manage_button.setToolTip(self.tr("Download, import, verify or remove models"))
        self.manage_button.clicked.connect(self.manage_requested)
        row.addWidget(self.combo, 1)
        row.addWidget(self.browse_button)
        row.addWidget(self.manage_button)
        self.body.addLayout(row)
        self.info = muted(self.no_model_text())
        self.info.setTextFormat(Qt.TextFormat.RichText)
        fit_label(self.info)
        self.body.addWidget(self.info)

    def no_model_text(self) -> str:
        return self.tr("No model yet. Press <b>Models…</b> to download one (the only step that "
                       "uses the network), to import a .gguf file or a model pack from a USB "
                       "stick, or choose a .gguf file on this computer.")

    def reload(self, remembered: list[str], select: str | None = None) -> None:
        self.combo.blockSignals(True)
        self.combo.clear()
        for path in candidate_models(remembered):
            self.combo.addItem(path.name, str(path))
            self.combo.setItemData(self.combo.count() - 1, str(path),
                                   Qt.ItemDataRole.ToolTipRole)
        self.combo.blockSignals(False)
        index = self.combo.findData(select) if select else -1
        self.combo.setCurrentIndex(index if index >= 0 else (0 if self.combo.count() else -1))
        self._on_index(self.combo.currentIndex())

    def refresh(self, select: str | None = None) -> None:
        """Re-read the list after the model manager changed it: files listed now that still
        exist stay, and so does the current choice unless `select` names another."""
        listed = [self.combo.itemData(i) for i in range(self.combo.count())]
        current = self.current_path()
        self.reload(listed, select=select or (str(current) if current else None))

    def choose_file(self) -> None:
        start = str(paths.models_dir())
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a GGUF model"), start,
                                              self.tr("GGUF models (*.gguf);;All files (*)"))
        if name:
            self.set_path(Path(name))

    def set_path(self, path: Path) -> None:
        index = self.combo.findData(str(path))
        if index < 0:
            self.combo.addItem(path.name, str(path))
            index = self.combo.count() - 1
            self.combo.setItemData(index, str(path), Qt.ItemDataRole.ToolTipRole)
        if index == self.combo.currentIndex():
            self._on_index(index)
        else:
            self.combo.setCurrentIndex(index)

    def current_path(self) -> Path | None:
        data = self.combo.currentData()
        return Path(data) if data else None

    @property
    def checking(self) -> bool:
        return self._checker.busy

    def _on_index(self, _index: int) -> None:
        path = self.current_path()
        self.combo.setToolTip(str(path) if path else "")
        self.info.setToolTip(str(path) if path else "")
        self.problem = None
        self.model_chosen.emit(path)
        if path is None:
            self.info.setText(self.no_model_text())
            return
        self.info.setText(self.tr("Checking {name}…").format(name=breakable(path.name)))
        self._checking = path
        self._checker.start(lambda: _check(path))

    @Slot(object)
    def _on_checked(self, checked: tuple[GGUFInfo, str | None]) -> None:
        path = self._checking
        if path != self.current_path():
            return
        info, fallback = checked
        text = self.describe(info)
        if fallback:
            text += "<br>" + _escape(self.fallback_text(fallback))
        self.info.setText(text)
        self.model_checked.emit(path, None)

    @Slot(object)
    def _on_check_failed(self, exc: Exception) -> None:
        path = self._checking
        if path != self.current_path():
            return
        if not isinstance(exc, (ModelError, OSError)):
            log.error("checking a model failed", exc_info=exc)
        self.problem = str(exc)
        self.info.setText("<span style='color:#991b1b'>{}</span>".format(
            self.tr("This model cannot be used: {reason}").format(
                reason=breakable(_escape(str(exc))))))
        self.model_checked.emit(path, self.problem)

    def fallback_text(self, fallback: str) -> str:
        if fallback == "no_gpu_layers":
            return self.tr("On this computer it runs on the CPU only: with GPU layers llama.cpp "
                           "crashed")
        return self.tr("On this computer it runs without llama.cpp's extra buffer types (no "
                       "AMX, no weight repacking): the default way crashed")

    def describe(self, info: GGUFInfo) -> str:
        bits = [human_size(info.size_bytes)]
        if info.quantization:
            bits.append(info.quantization)
        if info.architecture:
            bits.append(info.architecture)
        if info.parameters:
            bits.append(self.tr("{n} B parameters").format(n=number(info.parameters / 1e9, 2))
                        if info.parameters >= 1e8 else
                        self.tr("{n} M parameters").format(n=number(info.parameters / 1e6)))
        if info.context_length:
            bits.append(self.tr("context {n}").format(n=integer(info.context_length)))
        if not info.has_chat_template:
            bits.append(self.tr("no chat template (a plain prompt is used)"))
        return _escape(" · ".join(bits))


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
