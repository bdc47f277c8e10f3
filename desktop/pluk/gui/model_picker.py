"""Step 3, the model: a picker over the installed models and the .gguf files in the models
folder, plus any GGUF file chosen on disk, with its size, quantization and architecture.

Kept apart from the rest so the model manager (download, verify, remove) can replace the
candidate list without touching the window.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QPushButton, QWidget

from pluk.core import paths
from pluk.core.errors import ModelError
from pluk.core.models.gguf_info import read_gguf_info
from pluk.gui.widgets import Card, human_size, muted

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


def describe(path: Path) -> str:
    try:
        info = read_gguf_info(path)
    except ModelError as exc:
        return f"<span style='color:#991b1b'>{exc}</span>"
    bits = [human_size(info.size_bytes)]
    if info.quantization:
        bits.append(info.quantization)
    if info.architecture:
        bits.append(info.architecture)
    if info.parameters:
        bits.append(f"{info.parameters / 1e9:.2f} B parameters" if info.parameters >= 1e8
                    else f"{info.parameters / 1e6:.1f} M parameters")
    if info.context_length:
        bits.append(f"context {info.context_length:,}")
    if not info.has_chat_template:
        bits.append("no chat template (a plain prompt is used)")
    return " · ".join(bits)


class ModelPicker(Card):
    model_chosen = Signal(object)  # Path | None
    manage_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("3", "Model", parent)
        row = QHBoxLayout()
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(24)
        self.combo.currentIndexChanged.connect(self._on_index)
        self.browse_button = QPushButton("Choose file…")
        self.browse_button.clicked.connect(self.choose_file)
        self.manage_button = QPushButton("Models…")
        self.manage_button.setToolTip("Download, import, verify or remove models")
        self.manage_button.clicked.connect(self.manage_requested)
        row.addWidget(self.combo, 1)
        row.addWidget(self.browse_button)
        row.addWidget(self.manage_button)
        self.body.addLayout(row)
        self.info = muted("No model yet: choose a .gguf file.")
        self.info.setTextFormat(Qt.TextFormat.RichText)
        self.body.addWidget(self.info)

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
        name, _ = QFileDialog.getOpenFileName(self, "Choose a GGUF model", start,
                                              "GGUF models (*.gguf);;All files (*)")
        if name:
            self.set_path(Path(name))

    def set_path(self, path: Path) -> None:
        index = self.combo.findData(str(path))
        if index < 0:
            self.combo.addItem(path.name, str(path))
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)
        self._on_index(index)

    def current_path(self) -> Path | None:
        data = self.combo.currentData()
        return Path(data) if data else None

    def _on_index(self, _index: int) -> None:
        path = self.current_path()
        self.info.setText(describe(path) if path else "No model yet: choose a .gguf file.")
        self.info.setToolTip(str(path) if path else "")
        self.model_chosen.emit(path)
