#!/usr/bin/env bash
# Screenshots of the Pluk window for the docs: starts Pluk under Xvfb with a sample folder of
# invented reports, runs a built-in task on the tiny random-weight model, and saves PNGs of the
# main states into docs/screenshots/ (or the folder given as $1), in English, and the results
# once more in Dutch (10-results-nl.png).
#
# Needs: xvfb and xauth (xvfb-run), the xcb libraries Qt's X11 plugin loads (see the list in
# the error below), and `pip install -e ".[dev]"` in the active Python environment.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$(realpath -m "${1:-$ROOT/docs/screenshots}")"
PYTHON="${PYTHON:-python}"
if ! command -v xvfb-run >/dev/null; then
    echo "screenshots.sh: xvfb-run not found. On Debian/Ubuntu: apt-get install xvfb xauth" \
         "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0" \
         "libxcb-randr0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0" >&2
    exit 1
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
export PLUK_HOME="$WORK/home"          # a clean user folder: no settings, tasks or runs
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export QT_QPA_PLATFORM=xcb
unset QT_SCALE_FACTOR

cd "$ROOT"
xvfb-run -a -s "-screen 0 1600x1000x24" "$PYTHON" - "$OUT" "$WORK" <<'PY'
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from pluk.core.models.random_model import build_random_gguf
from pluk.gui.app import create_window, make_app
from tests.support.report_folder import make_mixed_report_folder

out, work = Path(sys.argv[1]), Path(sys.argv[2])
model = build_random_gguf(work / "models" / "pluk-tiny-test.gguf")
reports = work / "Verslagen 2024"
make_mixed_report_folder(reports)
app = make_app("en")  # the English shots; the Dutch one is made at the end


def spin(until, timeout=180.0):
    end = time.monotonic() + timeout
    while not until() and time.monotonic() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    if not until():
        raise SystemExit("screenshots.sh: timed out waiting for the window")


def settle(seconds=0.4):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)


def shot(widget, name):
    settle()
    widget.grab().save(str(out / name), "PNG")
    print(f"screenshots.sh: wrote {out / name}")


window = create_window([])
window.resize(1440, 900)
spin(lambda: window.isVisible())
shot(window, "01-start.png")

window.model_picker.set_path(model)
window.task_panel.select("prostate_mri_nl")
window.inputs.request_add([str(reports)])
spin(lambda: window.inputs.report_count() > 0)
shot(window, "02-reports.png")

window.run_panel.run_button.click()
spin(lambda: window.results.model.rowCount() >= 12)
shot(window, "03-running.png")
spin(lambda: not window.session.running)

model_rows = window.results.model.records
row = next(i for i, r in enumerate(model_rows) if r.id.endswith("mri_001.txt"))
window.results.table.selectRow(window.results.proxy.mapFromSource(
    window.results.model.index(row, 0)).row())
shot(window, "04-results.png")

window.results.status_combo.setCurrentIndex(window.results.status_combo.findData("error"))
window.results.table.selectRow(0)
window.detail.tabs.setCurrentIndex(2)
shot(window, "05-errors.png")
window.results.status_combo.setCurrentIndex(0)
window.detail.tabs.setCurrentIndex(0)

window.tabs.setCurrentIndex(window.tabs.indexOf(window.history))
shot(window, "06-previous-runs.png")

# A reference table as a researcher would label it (invented here: a fixed pseudo-random
# label per report), then the Validation tab on the same run.
import csv
import random

labels = random.Random(7)
truth = work / "labels.csv"
with truth.open("w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle)
    writer.writerow(["id", "highest_pirads", "psa", "extraprostatic_extension"])
    for record in model_rows:
        if record.status != "error":
            writer.writerow([record.id, labels.choice("12345"),
                             round(labels.uniform(2, 20), 1), labels.choice(["true", "false"])])
panel = window.validation
window.tabs.setCurrentIndex(window.tabs.indexOf(panel))
panel.set_truth_table(truth)
spin(lambda: panel.id_combo.count() > 0 and not panel.busy)
panel.tolerance_edit.setText("psa=0.5")
panel.validate_button.click()
spin(lambda: panel.report is not None and not panel.busy)
panel.summary.setCurrentCell(next(i for i, f in enumerate(panel.report.fields)
                                  if f.field == "highest_pirads"), 0)
shot(window, "08-validation.png")
window.tabs.setCurrentIndex(0)

window.task_panel.edit_button.click()
editor = next(w for w in QApplication.topLevelWidgets()
              if type(w).__name__ == "TaskEditor" and w.isVisible())
shot(editor, "07-task-editor.png")
editor.close()

# The same run in Dutch: the window's other language (Settings -> Language).
from pluk.gui.i18n import install_translators
from pluk.gui.main_window import MainWindow

run_dir = window.results.run_dir
window.session.shutdown()
window.hide()
install_translators("nl", app)
dutch = MainWindow(window.session.settings)
dutch.resize(1440, 900)
dutch.show()
dutch.model_picker.set_path(model)
dutch.task_panel.select("prostate_mri_nl")
dutch.window_actions.open_run(run_dir)
spin(lambda: dutch.results.model.rowCount() > 0 and dutch.inputs.report_count() > 0)
rows = dutch.results.model.records
row = next(i for i, r in enumerate(rows) if r.id.endswith("mri_001.txt"))
dutch.results.table.selectRow(dutch.results.proxy.mapFromSource(
    dutch.results.model.index(row, 0)).row())
shot(dutch, "10-results-nl.png")
dutch.session.shutdown()
dutch.hide()
PY
