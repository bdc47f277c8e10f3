"""The model manager dialog: the catalogue with fit verdicts for this computer, import through
the dialog and by a drop on the window (the model then shows up in the picker), verify and
remove, and a real download from a local fake Hub with progress, and its cancel."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from pluk.core.models.gguf_info import file_sha256
from pluk.core.models import download, store
from pluk.core.models.catalogue import load_catalogue
from pluk.core.models.download import format_bytes
from pluk.core.models.hardware import HardwareInfo
from pluk.gui import model_manager_dialog
from pluk.gui.model_manager_dialog import ModelManagerDialog
from pluk.gui.repo_download_dialog import RepoDownloadDialog, problem
from tests.core.models.conftest import write_gguf
from tests.core.models.fake_hub import FakeHub

REPO = "acme/Tiny-GGUF"
FILE = "tiny-Q4_K_M.gguf"
GB = 1024**3
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
               "all_proxy", "HF_TOKEN")


@pytest.fixture(autouse=True)
def no_models_left(pluk_home):
    """PLUK_HOME is shared by the GUI tests: leave no installed model behind."""
    yield
    for model in store.list_installed():
        store.remove(model.id)
    shutil.rmtree(store.staging_dir(), ignore_errors=True)


@pytest.fixture
def hub(monkeypatch):
    for var in _PROXY_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setattr(download, "CHUNK_SIZE", 64 * 1024)  # several progress steps
    with FakeHub() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.endpoint)
        yield fake


@pytest.fixture
def offline_app(monkeypatch):
    """Offline as the app starts (`pluk` calls enforce_offline_env first), restored after."""
    import huggingface_hub.constants as constants

    from pluk.core.models.offline import enforce_offline_env

    for name in ("HF_HUB_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "HF_HUB_DISABLE_UPDATE_CHECK"):
        monkeypatch.setenv(name, "1")
        monkeypatch.setattr(constants, name, getattr(constants, name))
    enforce_offline_env()


def _hardware(total_gb: float, free_gb: float) -> HardwareInfo:
    return HardwareInfo(os="Linux", machine="x86_64", ram_total_bytes=int(total_gb * GB),
                        ram_available_bytes=int(free_gb * GB), cpu_logical=8,
                        cpu_features=["avx", "avx2"])


def _recording_progress(dialog, on_first=None, bar_texts=None) -> list:
    """Record every Progress the dialog shows, and the bar's text after it (and act on the
    first one)."""
    seen = []
    show = dialog._show_progress

    def spy(progress):
        seen.append(progress)
        if on_first is not None and len(seen) == 1:
            on_first()
        show(progress)
        if bar_texts is not None:
            bar_texts.append(dialog.progress_bar.format())

    dialog._show_progress = spy  # looked up when the next job is connected
    return seen


def _picker_paths(window) -> list[str]:
    combo = window.model_picker.combo
    return [combo.itemData(i) for i in range(combo.count())]


def test_catalogue_is_listed_with_fit_verdicts(qtbot, pluk_home):
    catalogue = load_catalogue()
    dialog = ModelManagerDialog(n_ctx=8192, hardware=_hardware(16, 12))
    qtbot.addWidget(dialog)
    table = dialog.catalogue_table

    assert table.rowCount() == len(catalogue.models)
    verdicts = dict(zip((table.item(r, 0).data(Qt.ItemDataRole.UserRole)
                         for r in range(table.rowCount())), table.column_text("This computer")))
    smallest = min(catalogue.models, key=lambda m: m.size_bytes)
    largest = max(catalogue.models, key=lambda m: m.size_bytes)
    assert verdicts[smallest.id] == "fits"
    assert verdicts[largest.id] == "does not fit"
    assert set(verdicts.values()) <= {"fits", "tight", "does not fit"}
    row = table.row_of(largest.id)
    assert "memory" in table.item(row, 5).toolTip()  # the reason behind the verdict

    titles = table.column_text("Model")
    marked = [t for t in titles if t.startswith("★")]
    assert marked == [f"★ {catalogue.default.title} (default)"]
    assert table.column_text("Licence") == [m.licence for m in catalogue.models]
    assert table.column_text("Quantization") == [m.quantization for m in catalogue.models]
    assert table.column_text("RAM needed")[0] == f"{catalogue.models[0].ram_gb:.1f} GB"
    assert table.column_text("Size") == [format_bytes(m.size_bytes) for m in catalogue.models]
    assert "only" in dialog.network_note.text() and "network" in dialog.network_note.text()

    assert not dialog.download_button.isEnabled()  # nothing chosen yet
    table.select_id(smallest.id)
    assert dialog.download_button.isEnabled()

    # Without given hardware the dialog probes this machine off the GUI thread.
    probing = ModelManagerDialog()
    qtbot.addWidget(probing)
    qtbot.waitUntil(lambda: probing.hardware is not None, timeout=15_000)
    assert "checking…" not in probing.catalogue_table.column_text("This computer")
    assert "This computer:" in probing.hardware_label.text()


def test_import_verify_remove_through_the_dialog_update_the_picker(qtbot, window, tiny_model,
                                                                  monkeypatch):
    monkeypatch.setattr(model_manager_dialog.QFileDialog, "getOpenFileNames",
                        staticmethod(lambda *a, **k: ([str(tiny_model)], "")))
    window.models_action.trigger()
    dialog = window.window_actions.model_manager
    assert dialog is not None and dialog.isVisible()
    seen = _recording_progress(dialog)
    with qtbot.waitSignal(dialog.models_changed, timeout=20_000):
        dialog.import_button.click()

    [entry] = store.list_installed()
    assert entry.source == "import" and entry.sha256 == file_sha256(tiny_model, use_cache=False)
    assert Path(entry.path).is_file() and Path(entry.path) != tiny_model  # copied
    assert seen and seen[-1].done == tiny_model.stat().st_size
    assert dialog.installed_table.column_text("sha256") == [entry.sha256[:12]]
    assert "Installed" in dialog.status_label.text()
    # The window's picker lists the new model and has chosen it; the run will use it.
    assert entry.path in _picker_paths(window)
    assert window.model_picker.current_path() == Path(entry.path)
    assert window.session.model_path == Path(entry.path)

    dialog.installed_table.select_id(entry.id)
    dialog.verify_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    assert "intact" in dialog.status_label.text()

    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes))
    with qtbot.waitSignal(dialog.models_changed, timeout=5_000):
        dialog.remove_button.click()
    assert store.list_installed() == [] and not Path(entry.path).exists()
    assert dialog.installed_table.rowCount() == 0
    assert entry.path not in _picker_paths(window)
    assert str(tiny_model) in _picker_paths(window)  # the file chosen on disk stays listed


def test_dropping_a_gguf_on_the_window_imports_it(qtbot, window, tiny_model, report_folder,
                                                  tmp_path):
    dropped = tmp_path / "Dropped-Model.gguf"
    shutil.copyfile(tiny_model, dropped)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped)), QUrl.fromLocalFile(str(report_folder))])
    point = window.rect().center()
    enter = QDragEnterEvent(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(point), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.session.model_changed, timeout=20_000,
                          check_params_cb=lambda path: path is not None
                          and path.parent.name == "dropped-model"):
        QApplication.sendEvent(window, drop)
    assert drop.isAccepted()

    [entry] = store.list_installed()
    assert entry.id == "dropped-model" and entry.filename == "Dropped-Model.gguf"
    assert window.model_picker.current_path() == Path(entry.path)
    # The folder dropped with it went to the reports, and the model did not.
    qtbot.waitUntil(lambda: window.inputs.report_count() == 5, timeout=20_000)
    assert all(not r.id.endswith(".gguf") for r in window.session.reports)


def test_download_from_a_hub_shows_progress_and_installs(qtbot, window, hub, offline_app,
                                                         tmp_path, monkeypatch):
    from pluk.core.models.offline import is_offline

    data = write_gguf(tmp_path / "payload.gguf", n_floats=150_000, seed=1).read_bytes()
    sha = hub.add(REPO, FILE, data)
    hub.chunk_delay = 0.02  # about 0.2 s in all: progress arrives in several steps

    def fill_and_accept(form):
        form.repo_edit.setText(REPO)
        form.file_edit.setText(FILE)
        return True

    monkeypatch.setattr(RepoDownloadDialog, "exec", fill_and_accept)
    dialog = window.window_actions.open_model_manager()
    bar_texts = []
    seen = _recording_progress(dialog, bar_texts=bar_texts)
    with qtbot.waitSignal(dialog.models_changed, timeout=30_000):
        dialog.repo_button.click()

    [entry] = store.list_installed()
    assert entry.sha256 == sha and entry.source == "hub" and entry.repo == REPO
    downloading = [p for p in seen if p.phase == "downloading"]
    assert downloading[-1].done == downloading[-1].total == len(data)
    assert any(p.bytes_per_second for p in downloading)
    assert any(" of " in text and "/s" in text for text in bar_texts), bar_texts
    assert any(r["method"] == "GET" for r in hub.requests)
    assert window.model_picker.current_path() == Path(entry.path)
    assert not dialog.progress_bar.isVisible()
    assert is_offline()  # the download lifted offline mode for its own requests only


def test_cancelled_download_installs_nothing(qtbot, pluk_home, hub, offline_app, tmp_path):
    data = write_gguf(tmp_path / "payload.gguf", n_floats=150_000, seed=2).read_bytes()
    hub.add(REPO, FILE, data)
    hub.chunk_delay = 0.2  # about 2 s: time to press Cancel, even on a busy machine
    dialog = ModelManagerDialog(hardware=_hardware(16, 12))
    qtbot.addWidget(dialog)
    dialog.show()
    _recording_progress(dialog, on_first=lambda: dialog.cancel_button.click())
    changed = []
    dialog.models_changed.connect(changed.append)

    dialog.download_from_repo(REPO, FILE)
    assert dialog.busy and dialog.cancel_button.isVisible()
    assert not dialog.repo_button.isEnabled()  # one transfer at a time
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)

    assert "cancelled" in dialog.status_label.text()
    assert store.list_installed() == [] and changed == []
    assert dialog.installed_table.rowCount() == 0
    from pluk.core import paths

    installed_files = [p for p in paths.models_dir().rglob("*.gguf")
                       if store.STAGING_DIR not in p.parts]
    assert installed_files == []
    assert dialog.repo_button.isEnabled() and not dialog.cancel_button.isVisible()


def test_repo_form_checks_its_answers():
    assert problem(REPO, FILE, "main") is None
    assert "owner/name" in problem("not-a-repo", FILE, "main")
    assert ".gguf" in problem(REPO, "weights.bin", "main")
    assert "revision" in problem(REPO, FILE, "")


def test_the_catalogue_says_how_fast_a_model_would_run_here(qtbot, pluk_home):
    """Issue 26, item 8: a 14B model was marked as fitting a 2-core CPU with no word about
    speed. The speed is a rough estimate from the size and the cores (core/models/speed.py)."""
    two_cores = _hardware(64, 60).model_copy(update={"cpu_logical": 2, "cpu_physical": 2})
    dialog = ModelManagerDialog(n_ctx=8192, hardware=two_cores)
    qtbot.addWidget(dialog)
    table = dialog.catalogue_table
    catalogue = load_catalogue()
    verdicts = dict(zip((table.item(r, 0).data(Qt.ItemDataRole.UserRole)
                         for r in range(table.rowCount())), table.column_text("This computer")))
    smallest = min(catalogue.models, key=lambda m: m.size_bytes)
    largest = max(catalogue.models, key=lambda m: m.size_bytes)
    assert verdicts[largest.id] == "fits, slow" and verdicts[smallest.id] == "fits"
    tip = table.item(table.row_of(largest.id), 5).toolTip()
    assert "reports a minute" in tip and "Slow on this computer" in tip
    # On a GPU that holds it, the same model is not estimated, and not slow.
    from pluk.core.models.hardware import GPUInfo

    gpu = ModelManagerDialog(n_ctx=8192, hardware=two_cores.model_copy(
        update={"gpus": [GPUInfo(name="card", memory_total_bytes=80 * GB)]}))
    qtbot.addWidget(gpu)
    row = gpu.catalogue_table.row_of(largest.id)
    assert gpu.catalogue_table.item(row, 5).text() == "fits"
    assert "reports a minute" not in gpu.catalogue_table.item(row, 5).toolTip()


def test_a_model_pack_from_a_usb_stick_imports_through_the_dialog(qtbot, window, tiny_model,
                                                                  tmp_path, monkeypatch):
    """Issue 30, item 4: the third way to get a model on an air-gapped machine. A pack made by
    `pluk models export-pack` on another machine (here: this one, then forgotten) imports,
    checked against its sha256; a damaged one is refused with nothing installed."""
    from pluk.core.models.importer import import_model
    from pluk.core.models.pack import export_pack

    entry = import_model(tiny_model, copy=True)
    pack = tmp_path / "usb" / "pack"
    export_pack(entry.id, pack)
    store.remove(entry.id)
    assert store.list_installed() == []
    assert "model pack" in window.model_picker.no_model_text()

    monkeypatch.setattr(model_manager_dialog.QFileDialog, "getExistingDirectory",
                        staticmethod(lambda *a, **k: str(pack)))
    window.models_action.trigger()
    dialog = window.window_actions.model_manager
    with qtbot.waitSignal(dialog.models_changed, timeout=20_000):
        dialog.pack_button.click()
    [installed] = store.list_installed()
    assert installed.sha256 == entry.sha256 and installed.source == "pack"
    assert window.model_picker.current_path() == Path(installed.path)

    store.remove(installed.id)
    model_file = next(p for p in pack.iterdir() if p.suffix == ".gguf")
    data = bytearray(model_file.read_bytes())
    data[-1] ^= 0xFF  # one bit off at the end: same size, another sha256
    model_file.write_bytes(bytes(data))
    dialog.pack_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    assert store.list_installed() == []
    assert "sha256" in dialog.status_label.text()
