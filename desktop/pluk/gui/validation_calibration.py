"""The Validation tab's calibration view: for the chosen yes/no or choice field, the expected
calibration error of its option probabilities and the reliability diagram, the same picture the
core writes beside validation.md (drawn by the core's `reliability_png`, shown as a pixmap)."""

from __future__ import annotations

from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from pluk.core.validation.reliability_png import reliability_png
from pluk.core.validation.report import format_metric
from pluk.core.validation.result import FieldResult

PICTURE_SIZE = 220


class ReliabilityView(QWidget):
    """The ECE in words and the reliability diagram of one field; empty for other fields."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setObjectName("muted")
        self.label.setWordWrap(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.picture = QLabel()
        self.picture.setToolTip(self.tr(
            "Reliability diagram: confidence (across, 0 to 1) against accuracy (up, 0 to 1). "
            "A bar per bin with answers, its dark tick the bin's mean confidence; a calibrated "
            "probability has its bars on the grey diagonal."))
        layout.addWidget(self.label)
        layout.addWidget(self.picture)
        self.clear()

    def clear(self) -> None:
        self.label.setText("")
        self.picture.clear()
        self.picture.hide()

    def show_field(self, field: FieldResult | None) -> None:
        self.clear()
        if field is None or field.kind != "categorical":
            return
        found = next((c for c in field.calibration or [] if c.source == "probability"), None)
        if found is None:
            self.label.setText(self.tr("No option probabilities in these records: no "
                                       "calibration to show."))
            return
        self.label.setText(self.tr(
            "Calibration of the option probabilities: ECE {ece} over %n answer(s), {bins} "
            "equal-width bins (0 is perfectly calibrated).", "", found.n).format(
            ece=format_metric(found.ece), bins=found.bin_count))
        pixmap = QPixmap()
        pixmap.loadFromData(reliability_png(found.bins, PICTURE_SIZE, PICTURE_SIZE), "PNG")
        self.picture.setPixmap(pixmap)
        self.picture.show()
