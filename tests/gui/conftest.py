"""Fixtures for the GUI tests: offscreen Qt, a private PLUK_HOME, the tiny random model, a small
test task (short answers keep runs quick) and folders of reports."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

REPORTS = [
    "MRI prostaat: PSA 6,2 ng/ml, volume 45 cc. PI-RADS 4 laesie links perifeer.",
    "CT thorax: geen longnoduli, geen pleuravocht. Conclusie: geen afwijkingen.",
    "Echo abdomen: lever normaal van grootte, galblaas zonder stenen.",
    "PA colon: adenocarcinoom, pT3N0, resectievlakken vrij.",
    "MRI hersenen: geen recente ischemie, Fazekas 1.",
    "X-thorax: geen infiltraat, hart niet vergroot.",
]
TEST_TASK = {
    "format_version": 1, "id": "gui_test", "title": "GUI test task",
    "description": "Whether the report describes an abnormality, and how severe.",
    "language": "nl",
    "fields": [
        {"name": "abnormal", "type": "bool", "description": "An abnormality is described."},
        {"name": "severity", "type": "enum", "values": ["none", "mild", "severe"],
         "optional": True, "description": "How severe the main finding is."},
    ],
}


@pytest.fixture(scope="session", autouse=True)
def english(qapp):
    """The window's English translation (its plural forms: "1 record", "2 records"), as the
    app installs it; a test of the Dutch build swaps it and puts this one back."""
    from pluk.gui.i18n import install_translators

    install_translators("en", qapp)


@pytest.fixture(scope="session")
def pluk_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("pluk_home")
    os.environ["PLUK_HOME"] = str(home)
    from pluk.core import paths

    (paths.user_tasks_dir() / "gui_test.json").write_text(json.dumps(TEST_TASK),
                                                           encoding="utf-8")
    _save_baseline_settings()
    return home


def _save_baseline_settings() -> None:
    """The settings every window test starts from: what one test saves (a server engine, a
    language, a run to resume) must not reach the next one."""
    from pluk.core.options import HardwareOptions, RunOptions
    from pluk.core.settings import Settings, save_settings

    # One thread leaves the other core to the GUI thread and the rest of the machine.
    save_settings(Settings(run=RunOptions(hardware=HardwareOptions(n_threads=1)),
                           last_task="gui_test"))


@pytest.fixture(scope="session")
def tiny_model(pluk_home, tmp_path_factory) -> Path:
    from pluk.core.models.random_model import build_random_gguf

    return build_random_gguf(tmp_path_factory.mktemp("model") / "tiny.gguf")


def write_reports(folder: Path, count: int, repeat: int = 1) -> Path:
    """`count` short reports; `repeat` makes each that many times longer (and slower to run)."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        text = " ".join([REPORTS[n % len(REPORTS)]] * repeat)
        (folder / f"verslag_{n:03d}.txt").write_text(f"{text} ({n})\n", encoding="utf-8")
    return folder


def make_report_folder(folder: Path, repeat: int = 1) -> Path:
    """Four reports and one unreadable file, shown inline: five entries in all."""
    write_reports(folder, 4, repeat)
    (folder / "oud.doc").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 32)
    return folder


@pytest.fixture
def report_folder(tmp_path) -> Path:
    return make_report_folder(tmp_path / "reports")


@pytest.fixture
def window(qtbot, pluk_home, tiny_model):
    from pluk.core.settings import load_settings
    from pluk.gui.main_window import MainWindow

    _save_baseline_settings()
    win = MainWindow(load_settings())
    qtbot.addWidget(win)
    win.model_picker.set_path(tiny_model)
    assert win.task_panel.select("gui_test")
    win.show()
    # The model is checked in the background when chosen, and Run stays off until then: a test
    # that clicked Run before would wait for a run that never started (seen under load).
    qtbot.waitUntil(lambda: not win.session.model_checking, timeout=30_000)
    yield win
    if win.session.running:
        win.session.stop_run()
        qtbot.waitUntil(lambda: not win.session.running, timeout=20_000)
    win.session.shutdown()


def load_folder(qtbot, win, folder: Path, expected: int) -> None:
    win.inputs.request_add([str(folder)])
    qtbot.waitUntil(lambda: win.inputs.report_count() == expected, timeout=20_000)
