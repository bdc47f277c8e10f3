"""The Validation tab's calibration view: for the chosen yes/no or choice field, the expected
calibration error of its option probabilities and the reliability diagram, the same picture the
core writes beside validation.md (drawn by the core's `reliability_png`, shown as a pixmap).
A run with --passes has a second confidence, the share of the answers that agreed: a choice
above the picture then switches between the two."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QVBoxLayout, QWidget

from pluk.core.validation.reliability_png import reliability_png
from pluk.core.validation.result import FieldResult
from pluk.gui.validation_tables import metric_text
from pluk.gui.widgets import fit_label, muted

PICTURE_SIZE = 320  # drawn at this size, shown scaled to the room the tab gives it
SOURCES = {"probability": QT_TRANSLATE_NOOP("ReliabilityView", "option probabilities"),
           "agreement": QT_TRANSLATE_NOOP("ReliabilityView", "agreement across passes")}


class _Picture(QLabel):
    """A square picture that shrinks or grows with its pane, never cropped."""

    def __init__(self):
        super().__init__()
        self.full = QPixmap()
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(120, 120)

    def set_full(self, pixmap: QPixmap) -> None:
        self.full = pixmap
        self._fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        if self.full.isNull():
            self.clear()
            return
        side = max(1, min(self.width(), self.height()))
        self.setPixmap(self.full.scaled(side, side, Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation))


class ReliabilityView(QWidget):
    """The ECE in words and the reliability diagram of one field; empty for other fields."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = fit_label(muted())
        self.source = QComboBox()
        self.source.setToolTip(self.tr("Which confidence to check: the model's option "
                                       "probability, or the share of the passes that agreed"))
        self.source.currentIndexChanged.connect(self._show_source)
        self.field: FieldResult | None = None
        self.picture = _Picture()
        self.picture.setToolTip(self.tr(
            "Reliability diagram: confidence (across, 0 to 1) against accuracy (up, 0 to 1). "
            "A bar per bin with answers, its dark tick the bin's mean confidence; a calibrated "
            "probability has its bars on the grey diagonal."))
        layout.addWidget(self.label)
        layout.addWidget(self.source)
        layout.addWidget(self.picture, 1)
        self.clear()

    def clear(self) -> None:
        self.label.setText("")
        self.source.hide()
        self.picture.set_full(QPixmap())
        self.picture.hide()

    def show_field(self, field: FieldResult | None) -> None:
        self.clear()
        self.field = field
        if field is None or field.kind != "categorical":
            return
        sources = [c.source for c in field.calibration or [] if c.source in SOURCES]
        if not sources:
            self.label.setText(self.tr("No option probabilities in these records: no "
                                       "calibration to show."))
            return
        self.source.blockSignals(True)
        self.source.clear()
        for source in sources:
            self.source.addItem(QCoreApplication.translate("ReliabilityView", SOURCES[source]),
                                source)
        self.source.blockSignals(False)
        self.source.setVisible(len(sources) > 1)
        self._show_source()

    def _show_source(self) -> None:
        source = self.source.currentData()
        field = self.field
        found = next((c for c in (field.calibration if field else None) or []
                      if c.source == source), None)
        if found is None:
            return
        text = (self.tr("Calibration of the option probabilities: ECE {ece} over %n "
                        "answer(s), {bins} equal-width bins (0 is perfectly calibrated).", "",
                        found.n) if source == "probability" else
                self.tr("Calibration of the agreement across passes: ECE {ece} over %n "
                        "answer(s), {bins} equal-width bins (0 is perfectly calibrated).", "",
                        found.n))
        self.label.setText(text.format(ece=metric_text(found.ece), bins=found.bin_count))
        pixmap = QPixmap()
        pixmap.loadFromData(reliability_png(found.bins, PICTURE_SIZE, PICTURE_SIZE), "PNG")
        self.picture.set_full(pixmap)
        self.picture.show()
