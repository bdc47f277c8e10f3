"""How a record's report was read, in words: split in sections (too long for the context), text
from OCR, several documents grouped into one report, and the record's warnings.

Owns the short text of the results' Reading column ("split in 4 · OCR 93% · 3 documents") and
its tooltip (`ReadingWords`), and the detail pane's Reading tab (`ReadingView`), which lists
all of it: the split's token counts, sections, merge rule and the section each value came
from; the OCR engine, languages, pages and confidence; each grouped document with its own
warnings or error; and every warning of the record. A record that was read whole, from one document, without OCR or
warnings has nothing here: its Reading cell is empty.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QObject, QT_TRANSLATE_NOOP
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QWidget

from pluk.core.readers.reports import OcrInfo
from pluk.core.runs.records import Record

PROBLEM = QColor("#991b1b")
LOW_CONFIDENCE = 80.0
MERGE_WORDS = {
    "first": QT_TRANSLATE_NOOP("ReadingView", "first: the first section that gives a value"),
    "last": QT_TRANSLATE_NOOP("ReadingView", "last: the last section that gives a value"),
    "probable": QT_TRANSLATE_NOOP("ReadingView", "probable: the most probable value"),
}


def _int(value: int) -> str:
    return QLocale().toString(int(value))


def _pages(pages: list[int]) -> str:
    """1-based page numbers as runs: "1–3, 5"."""
    runs: list[list[int]] = []
    for page in sorted(set(pages)):
        if runs and page == runs[-1][1] + 1:
            runs[-1][1] = page
        else:
            runs.append([page, page])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def _percent(confidence: float) -> str:
    return f"{QLocale().toString(float(confidence), 'f', 0)}%"


def ocr_infos(record: Record) -> list[tuple[str | None, OcrInfo]]:
    """The OCR summaries of a record: its own (label None), then each grouped document's."""
    found: list[tuple[str | None, OcrInfo]] = [(None, record.ocr)] if record.ocr else []
    found += [(part.id, part.ocr) for part in record.parts if part.ocr is not None]
    return found


def lowest_confidence(record: Record) -> float | None:
    """The lowest mean OCR confidence of the record's text: the weakest page set is what a
    reader has to check."""
    values = [info.mean_confidence for _, info in ocr_infos(record)
              if info.mean_confidence is not None]
    return min(values) if values else None


def has_reading(record: Record) -> bool:
    return bool(record.split or ocr_infos(record) or record.parts or record.warnings)


class ReadingWords(QObject):
    """The Reading column's words for a record: its cell and its tooltip. A QObject because
    lupdate finds plural forms only in self.tr()."""

    def summary(self, record: Record) -> str:
        """What is special about how this report was read: "split in 4 · OCR 93%"."""
        pieces = []
        if record.split is not None:
            pieces.append(self.tr("split in %n", "", len(record.split.sections)))
        if ocr_infos(record):
            confidence = lowest_confidence(record)
            pieces.append(self.tr("OCR") if confidence is None else self.tr(
                "OCR {confidence}").format(confidence=_percent(confidence)))
        if record.parts:
            pieces.append(self.tr("%n document(s)", "", len(record.parts)))
        if record.warnings:
            pieces.append(self.tr("%n warning(s)", "", len(record.warnings)))
        return " · ".join(pieces)

    def tooltip(self, record: Record) -> str | None:
        """One line per fact, the documents and the warnings listed; None: nothing to say."""
        lines = []
        if record.split is not None:
            lines.append(self.split_line(record))
        lines += [self.ocr_line(label, info) for label, info in ocr_infos(record)]
        if record.parts:
            lines.append(self.tr("Grouped from %n document(s): {names}", "",
                                 len(record.parts)).format(
                names=", ".join(part.id for part in record.parts)))
        if record.warnings:
            lines.append(self.tr("%n warning(s):", "", len(record.warnings)))
            lines += [f"• {warning}" for warning in record.warnings]
        return "\n".join(lines) or None

    def split_line(self, record: Record) -> str:
        split = record.split
        return self.tr("Read in %n overlapping section(s): the report has {tokens} tokens, "
                       "one section holds at most {room}.", "", len(split.sections)).format(
            tokens=_int(split.report_tokens), room=_int(split.room))

    def ocr_line(self, label: str | None, info: OcrInfo) -> str:
        text = self.tr("Text from OCR ({engine}, {languages}), pages {pages}").format(
            engine=info.engine, languages=info.languages, pages=_pages(info.pages) or "—")
        if label:
            text = f"{label}: {text}"
        if info.mean_confidence is not None:
            text += "; " + self.tr("mean confidence {confidence}").format(
                confidence=_percent(info.mean_confidence))
        if info.unread_pages:
            text += "; " + self.tr("pages left out: {pages}").format(
                pages=_pages(info.unread_pages))
        return text


class ReadingView(QTreeWidget):
    """The detail pane's Reading tab: split, OCR, grouped documents and warnings of one record,
    each a heading with its facts below it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHeaderLabels([self.tr("What"), self.tr("Detail")])
        self.setAlternatingRowColors(True)
        self.setWordWrap(True)
        self.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.header().setStretchLastSection(True)

    def show_record(self, record: Record | None) -> None:
        self.clear()
        if record is None:
            return
        if record.split is not None:
            self._split(record)
        if record.ocr is not None:
            self._ocr(self._heading(self.tr("Text from OCR"), ""), record.ocr)
        if record.parts:
            self._documents(record)
        if record.warnings:
            heading = self._heading(self.tr("Warnings ({n})").format(n=len(record.warnings)),
                                    "")
            for warning in record.warnings:
                self._fact(heading, self.tr("warning"), warning, problem=True)
        if not self.topLevelItemCount() and record.error:
            self._heading(self.tr("error"), record.error)
        elif not self.topLevelItemCount():
            self._heading(self.tr("Read whole"), self.tr(
                "The report fitted the context, came from one document and needed no OCR; "
                "there were no warnings."))
        self.expandAll()
        # "What" as wide as its longest line up to 45%: the detail keeps room (and its tooltip).
        self.resizeColumnToContents(0)
        room = max(self.viewport().width(), 300)
        self.setColumnWidth(0, min(self.columnWidth(0), int(room * 0.45)))

    def texts(self) -> list[str]:
        """Every line as "what: detail", depth first (for tests and copying)."""
        out = []

        def walk(item: QTreeWidgetItem) -> None:
            for index in range(item.childCount()):
                child = item.child(index)
                out.append(f"{child.text(0)}: {child.text(1)}" if child.text(1)
                           else child.text(0))
                walk(child)

        walk(self.invisibleRootItem())
        return out

    # -- building ---------------------------------------------------------------------------

    def _heading(self, what: str, detail: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([what, detail])
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        item.setToolTip(1, detail)
        self.addTopLevelItem(item)
        return item

    def _fact(self, parent: QTreeWidgetItem, what: str, detail: str,
              problem: bool = False) -> QTreeWidgetItem:
        item = QTreeWidgetItem([what, detail])
        item.setToolTip(1, detail)
        if problem:
            item.setForeground(1, QBrush(PROBLEM))
        parent.addChild(item)
        return item

    def _split(self, record: Record) -> None:
        split = record.split
        heading = self._heading(self.tr("Split"), self.tr("%n section(s)", "",
                                                          len(split.sections)))
        self._fact(heading, self.tr("Report tokens"), _int(split.report_tokens))
        self._fact(heading, self.tr("Room per section"),
                   self.tr("{n} tokens").format(n=_int(split.room)))
        self._fact(heading, self.tr("Overlap"),
                   self.tr("{n} tokens").format(n=_int(split.overlap_tokens)))
        merge = MERGE_WORDS.get(split.merge)
        self._fact(heading, self.tr("Merge rule"),
                   QCoreApplication.translate("ReadingView", merge) if merge else split.merge)
        for number, section in enumerate(split.sections, start=1):
            self._fact(heading, self.tr("Section {n}").format(n=number), self.tr(
                "{tokens} tokens, characters {start}–{end}").format(
                tokens=_int(section.tokens), start=_int(section.start), end=_int(section.end)))
        if split.sources:
            sources = self._fact(heading, self.tr("Values from"), "")
            for name, index in split.sources.items():
                self._fact(sources, name, self.tr("section {n}").format(n=index + 1))

    def _ocr(self, heading: QTreeWidgetItem, info: OcrInfo) -> None:
        self._fact(heading, self.tr("Engine"), info.engine)
        self._fact(heading, self.tr("Languages"), info.languages)
        self._fact(heading, self.tr("Pages"), _pages(info.pages) or "—")
        if info.mean_confidence is not None:
            # Typed pages measure 90 and more (bench/ocr_bench.py): below 80 is worth a look.
            self._fact(heading, self.tr("Mean confidence"), _percent(info.mean_confidence),
                       problem=info.mean_confidence < LOW_CONFIDENCE)
        if info.unread_pages:
            self._fact(heading, self.tr("Pages left out"), _pages(info.unread_pages),
                       problem=True)

    def _documents(self, record: Record) -> None:
        heading = self._heading(self.tr("Grouped"), self.tr("%n document(s)", "",
                                                            len(record.parts)))
        for number, part in enumerate(record.parts, start=1):
            if part.error:
                detail = self.tr("{format}, could not be read").format(format=part.format)
            elif part.start is not None and part.end is not None:
                detail = self.tr("{format}, characters {start}–{end}").format(
                    format=part.format, start=_int(part.start), end=_int(part.end))
            else:
                detail = part.format
            item = self._fact(heading, f"{number}. {part.id}", detail, problem=bool(part.error))
            item.setToolTip(0, part.source)
            self._fact(item, self.tr("Source"), part.source)
            if part.error:
                self._fact(item, self.tr("error"), part.error, problem=True)
            for warning in part.warnings:
                self._fact(item, self.tr("warning"), warning, problem=True)
            if part.ocr is not None:
                self._ocr(self._fact(item, self.tr("Text from OCR"), ""), part.ocr)
