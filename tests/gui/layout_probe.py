"""The window staged as a data manager sees it, for the layout test and the screenshot script:
reports loaded, a finished run open with its results, a review under way, a validation against
a reference table, and the previous runs listed. `list_rows` counts the rows each list shows
in full; `visit_every_tab` shows each tab the way a user clicks through them.

Nothing is mocked: real widgets, a real run folder (made without a model, tests.support), the
real validation of that run."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QWidget

from tests.support.english_mri import labels
from tests.support.review_run import make_review_run

REPORT_COUNT = 9


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Process events until `condition()` holds; TimeoutError past `timeout` seconds."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError("the window did not get there in time")
        QCoreApplication.processEvents()
        time.sleep(0.01)


def settle(seconds: float = 0.2) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.01)


def stage(window, root: Path) -> Path:
    """Reports, a run, a review and a validation in `window`; returns the run folder."""
    run_dir, records = make_review_run(root, n=REPORT_COUNT)
    window.inputs.request_add([str(root / "reports")])
    wait_until(lambda: window.inputs.report_count() == REPORT_COUNT)
    window.task_panel.select("prostate_mri_nl")
    window.window_actions.open_run(run_dir)
    wait_until(lambda: window.results.model.rowCount() == REPORT_COUNT
               and len(window.review.records) == REPORT_COUNT)
    window.results.table.selectRow(0)
    truth = root / "reference.csv"
    with truth.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "psa", "prostate_volume", "highest_pirads",
                         "extraprostatic_extension"])
        for report_id, values in list(labels().items())[:REPORT_COUNT]:
            writer.writerow([f"{report_id}.txt", values["psa"], values["prostate_volume"],
                             values["highest_pirads"], values["extraprostatic_extension"]])
    window.validation.set_truth_table(truth)
    wait_until(lambda: window.validation.id_combo.count() > 0)
    window.validation.validate()
    wait_until(lambda: window.validation.report is not None, timeout=60)
    window.validation.summary.setCurrentCell(0, 0)
    window.history.set_roots([root])
    return run_dir


def visit_every_tab(window, on_tab: Callable[[int, str], None] | None = None) -> None:
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        settle()
        if on_tab is not None:
            on_tab(index, window.tabs.tabText(index))


def lists(window) -> dict[str, QAbstractItemView]:
    """Every list a user reads in the window, by a name for the messages."""
    return {"reports": window.inputs.tree, "task fields": window.task_panel.fields,
            "results": window.results.table, "review reports": window.review.record_list,
            "review fields": window.review.fields,
            "validation summary": window.validation.summary,
            "validation disagreements": window.validation.disagreements,
            "previous runs": window.history.tree}


def list_rows(view: QAbstractItemView) -> float:
    """How many rows of the view fit its viewport, below any header: fewer than 5 and a list is
    hard to use. Measured by the view's row height, so an empty list counts too; only the part
    of it on screen counts (a panel scrolled out of its scroll area is not seen)."""
    viewport = view.viewport().visibleRegion().boundingRect().height()
    model = view.model()
    if model is not None and model.rowCount() > 0:
        height = view.visualRect(model.index(0, 0)).height()
    else:
        height = view.fontMetrics().height() + 6
    return viewport / max(height, 1)


def header_cut(view: QAbstractItemView) -> list[str]:
    """The horizontal header texts that do not fit their column."""
    header: QHeaderView | None = getattr(view, "horizontalHeader", lambda: None)() or \
        getattr(view, "header", lambda: None)()
    if header is None or header.isHidden():
        return []
    model, metrics, cut = view.model(), header.fontMetrics(), []
    for section in range(header.count()):
        if header.isSectionHidden(section):
            continue
        text = str(model.headerData(section, header.orientation()) or "")
        if metrics.horizontalAdvance(text) + 12 > header.sectionSize(section):
            cut.append(text)
    return cut


def inside_screen(widget: QWidget) -> bool:
    screen = widget.screen().availableGeometry()
    return screen.contains(widget.frameGeometry())
