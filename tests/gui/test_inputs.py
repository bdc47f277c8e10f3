"""Dropping a folder from the file manager lists its reports, with unreadable ones inline."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication


def _mime(paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def test_dropping_a_folder_lists_its_reports(qtbot, window, report_folder):
    mime = _mime([report_folder])
    point = window.rect().center()
    enter = QDragEnterEvent(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    assert drop.isAccepted()

    qtbot.waitUntil(lambda: window.inputs.report_count() == 5, timeout=20_000)
    tree = window.inputs.tree
    rows = {tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(5)}
    assert rows["verslag_000.txt"].text(1) == "txt"
    assert rows["verslag_000.txt"].text(2).endswith("B")
    assert "unsupported" in rows["oud.doc"].text(3)  # the reason, shown inline
    assert "5 reports" in window.inputs.summary.text()
    assert "1 cannot be read" in window.inputs.summary.text()
    assert [r.id for r in window.session.reports] == sorted(rows)


def test_a_drag_without_files_is_refused(window):
    mime = QMimeData()
    mime.setText("not a file")
    enter = QDragEnterEvent(window.rect().center(), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    enter.ignore()
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


def test_a_table_file_asks_for_its_columns(qtbot, window, tmp_path, monkeypatch):
    from pluk.gui import inputs_panel

    table = tmp_path / "export.csv"
    table.write_text("nummer,verslag\nA1,PSA 5 ng/ml\nA2,geen afwijkingen\n", encoding="utf-8")
    asked = []
    original = inputs_panel.TableColumnsDialog

    class Answer:
        def __init__(self, path, columns, parent):
            asked.append(columns)
            self.dialog = original(path, columns, parent)
            self.dialog.id_combo.setCurrentIndex(self.dialog.id_combo.findData("nummer"))
            self.dialog.text_combo.setCurrentIndex(self.dialog.text_combo.findData("verslag"))

        def exec(self):
            return True

        def options(self):
            return self.dialog.options()

    monkeypatch.setattr(inputs_panel, "TableColumnsDialog", Answer)
    window.inputs.request_add([str(table)])
    qtbot.waitUntil(lambda: window.inputs.report_count() == 2, timeout=20_000)
    assert asked == [["nummer", "verslag"]]
    assert [r.id for r in window.session.reports] == ["A1", "A2"]


def test_the_readers_ocr_progress_shows_while_reading(qtbot, window, tmp_path, monkeypatch):
    """Issue 29, item 11, in the window: the OCR of a long scan reports its pages. The readers'
    status lines cross from the reading thread by a signal; OCR itself is stood in for here
    (tesseract is not on every development machine; the readers' own tests count its pages),
    the rest is the window's real reading path."""
    import threading

    from pluk.core.readers import read_inputs as real_read_inputs
    from pluk.gui import session as session_module

    seen, release = [], threading.Event()

    def reading(inputs, **kwargs):
        kwargs["on_status"]("OCR of scan.pdf: 25 scanned pages")
        kwargs["on_status"]("OCR of scan.pdf: page 10 of 25")
        release.wait(10)
        kwargs.pop("on_status")
        return real_read_inputs(inputs, **kwargs)

    monkeypatch.setattr(session_module, "read_inputs", reading)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("PSA 5.", encoding="utf-8")
    window.inputs.request_add([str(tmp_path / "in")])
    qtbot.waitUntil(lambda: "page 10 of 25" in window.inputs.summary.text(), timeout=10_000)
    seen.append(window.inputs.summary.text())
    release.set()
    qtbot.waitUntil(lambda: window.inputs.report_count() == 1, timeout=20_000)
    assert seen == ["Reading scan.pdf by OCR: page 10 of 25…"]
