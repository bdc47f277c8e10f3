"""The two tables of the model manager: the curated catalogue (size, memory, licence,
quantization, whether it fits this computer, the default marked) and the installed models
(size, quantization, short sha256, where it came from). They show; the dialog decides."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from pluk.core.models.catalogue import CatalogueEntry
from pluk.core.models.hardware import Advice, HardwareInfo, ModelShape, advise, is_slow
from pluk.core.models.store import InstalledModel
from pluk.gui.widgets import human_size as format_bytes
from pluk.gui.widgets import integer, number

_C = "ModelTable"
VERDICT_TEXT = {"fits": QT_TRANSLATE_NOOP("ModelTable", "fits"),
                "tight": QT_TRANSLATE_NOOP("ModelTable", "tight"),
                "does_not_fit": QT_TRANSLATE_NOOP("ModelTable", "does not fit"),
                "unknown": QT_TRANSLATE_NOOP("ModelTable", "unknown")}
VERDICT_COLOR = {"fits": "#166534", "tight": "#92400e", "does_not_fit": "#991b1b",
                 "unknown": "#6b7280"}
SOURCE_TEXT = {"catalogue": QT_TRANSLATE_NOOP("ModelTable", "catalogue download"),
               "hub": QT_TRANSLATE_NOOP("ModelTable", "Hub download"),
               "import": QT_TRANSLATE_NOOP("ModelTable", "imported"),
               "pack": QT_TRANSLATE_NOOP("ModelTable", "model pack")}
CATALOGUE_HEADERS = [QT_TRANSLATE_NOOP("ModelTable", "Model"),
                     QT_TRANSLATE_NOOP("ModelTable", "Size"),
                     QT_TRANSLATE_NOOP("ModelTable", "RAM needed"),
                     QT_TRANSLATE_NOOP("ModelTable", "Licence"),
                     QT_TRANSLATE_NOOP("ModelTable", "Quantization"),
                     QT_TRANSLATE_NOOP("ModelTable", "This computer"),
                     QT_TRANSLATE_NOOP("ModelTable", "Installed")]
INSTALLED_HEADERS = [QT_TRANSLATE_NOOP("ModelTable", "Model"),
                     QT_TRANSLATE_NOOP("ModelTable", "Size"),
                     QT_TRANSLATE_NOOP("ModelTable", "Quantization"), "sha256",
                     QT_TRANSLATE_NOOP("ModelTable", "Source"),
                     QT_TRANSLATE_NOOP("ModelTable", "This computer")]


def _tr(text: str) -> str:
    return QCoreApplication.translate(_C, text)


def verdict_item(advice: Advice | None) -> QTableWidgetItem:
    """The fit column: the verdict in words and colour, the reasons in the tooltip."""
    if advice is None:
        return _item(QCoreApplication.translate("ModelTable", "checking…"))
    speed = advice.reports_per_minute
    slow = is_slow(advice)
    text = _tr(VERDICT_TEXT[advice.verdict])
    item = _item(QCoreApplication.translate("ModelTable", "{verdict}, slow").format(
        verdict=text) if slow else text)
    item.setForeground(QColor(VERDICT_COLOR["tight" if slow else advice.verdict]))
    item.setData(Qt.ItemDataRole.UserRole + 1, advice.verdict)
    tip = [QCoreApplication.translate(
        "ModelTable", "About {size} of memory at {n_ctx} tokens of context.").format(
        size=format_bytes(advice.memory_needed_bytes), n_ctx=integer(advice.n_ctx))]
    if speed is not None:
        tip.append(QCoreApplication.translate(
            "ModelTable", "About {n} reports a minute on this computer's processor (a rough "
            "estimate from the model's size and the cores).").format(
            n=number(speed, 1 if speed < 10 else 0)))
    if slow:
        tip.append(QCoreApplication.translate(
            "ModelTable", "Slow on this computer: a smaller model, or a GPU, is faster."))
    if advice.gpu_layers:
        tip.append(QCoreApplication.translate("ModelTable", "All layers on the GPU.")
                   if advice.gpu_layers < 0 else QCoreApplication.translate(
                       "ModelTable", "{n} layers on the GPU.").format(n=advice.gpu_layers))
    if advice.suggested_n_ctx and advice.suggested_n_ctx != advice.n_ctx:
        tip.append(QCoreApplication.translate(
            "ModelTable", "Fits with a context of {n} tokens.").format(
            n=integer(advice.suggested_n_ctx)))
    if advice.warning:
        tip.append(advice.warning)
    item.setToolTip("\n".join(tip))
    return item


def _item(text: str, key: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if key is not None:
        item.setData(Qt.ItemDataRole.UserRole, key)
    return item


class ModelTable(QTableWidget):
    """A read-only table whose rows carry a model id (UserRole on column 0)."""

    def __init__(self, headers: list[str]):
        super().__init__(0, len(headers))
        self.keys = list(headers)  # the English names, as column_text takes them
        self.setHorizontalHeaderLabels([_tr(h) for h in headers])
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def selected_id(self) -> str | None:
        rows = self.selectionModel().selectedRows()
        if not rows:
            return None
        return self.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)

    def row_of(self, model_id: str) -> int:
        for row in range(self.rowCount()):
            if self.item(row, 0).data(Qt.ItemDataRole.UserRole) == model_id:
                return row
        return -1

    def select_id(self, model_id: str) -> bool:
        row = self.row_of(model_id)
        if row >= 0:
            self.selectRow(row)
        return row >= 0

    def column_text(self, header: str) -> list[str]:
        col = self.keys.index(header)
        return [self.item(r, col).text() for r in range(self.rowCount())]

    def _restore(self, selected: str | None) -> None:
        if selected is not None:
            self.select_id(selected)


class CatalogueTable(ModelTable):
    HEADERS = CATALOGUE_HEADERS

    def __init__(self):
        super().__init__(self.HEADERS)

    def fill(self, entries: list[CatalogueEntry], installed: set[str],
             hardware: HardwareInfo | None, n_ctx: int) -> None:
        selected = self.selected_id()
        self.setRowCount(0)
        for entry in entries:
            row = self.rowCount()
            self.insertRow(row)
            # The mark leads, so a narrow column elides the title and not the mark.
            title = _item(QCoreApplication.translate("ModelTable", "★ {title} (default)").format(
                title=entry.title)
                          if entry.default else entry.title, entry.id)
            tip = [entry.id, f"{entry.repo} · {entry.filename} @ {entry.revision}"]
            if entry.default:
                title.setFont(_bold())
                tip.append(QCoreApplication.translate("ModelTable",
                                                      "The default for a CPU workstation."))
            if entry.notes:
                tip.append(entry.notes)
            title.setToolTip("\n".join(tip))
            advice = (advise(ModelShape.from_catalogue(entry), hardware, n_ctx)
                      if hardware is not None else None)
            licence = _item(entry.licence)
            if entry.licence_url:
                licence.setToolTip(entry.licence_url)
            cells = [title, _item(format_bytes(entry.size_bytes)),
                     _item(f"{number(entry.ram_gb)} GB"), licence, _item(entry.quantization),
                     verdict_item(advice),
                     _item(QCoreApplication.translate("ModelTable", "installed")
                           if entry.id in installed else "")]
            for col, cell in enumerate(cells):
                self.setItem(row, col, cell)
        self._restore(selected)


class InstalledTable(ModelTable):
    HEADERS = INSTALLED_HEADERS

    def __init__(self):
        super().__init__(self.HEADERS)

    def fill(self, models: list[InstalledModel], hardware: HardwareInfo | None,
             n_ctx: int) -> None:
        selected = self.selected_id()
        self.setRowCount(0)
        for model in models:
            row = self.rowCount()
            self.insertRow(row)
            name = _item(model.id, model.id)
            name.setToolTip(f"{model.filename}\n{model.path}")
            sha = _item(model.sha256[:12])
            sha.setToolTip(model.sha256)
            source = _tr(SOURCE_TEXT.get(model.source, model.source))
            if model.in_place:
                source += " " + QCoreApplication.translate("ModelTable", "(used where it lies)")
            if model.repo:
                source += f": {model.repo}"
            advice = (advise(ModelShape.from_installed(model), hardware, n_ctx)
                      if hardware is not None else None)
            cells = [name, _item(format_bytes(model.size_bytes)),
                     _item(model.gguf.quantization or "?"), sha, _item(source),
                     verdict_item(advice)]
            for col, cell in enumerate(cells):
                self.setItem(row, col, cell)
        self._restore(selected)


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font
