"""The model manager: the catalogue with what each model needs and whether it fits this
computer, the installed models, and the jobs that change them: download (from the catalogue or
any Hub repo), import of a local GGUF file, verify, remove.

Downloads are the only network access in Pluk, and the dialog says so. Transfers run one at a
time as ModelJobs on a worker thread (more imports, for example several dropped files, wait in
a queue); the dialog only shows their progress. It stays alive when closed, so a download goes
on in the background and reopening shows it. After a change it emits `models_changed` so the
window's model picker re-reads its list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QGroupBox,
                               QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from pluk.core import paths
from pluk.core.errors import PlukError
from pluk.core.models import store
from pluk.core.models.catalogue import CatalogueEntry, load_catalogue
from pluk.core.models.download import hub_endpoint
from pluk.core.models.hardware import HardwareInfo, ModelShape, advise, detect_hardware
from pluk.core.models.transfer import Progress
from pluk.gui.background import BackgroundCall
from pluk.gui.model_jobs import (JobCall, ModelJob, describe_progress, download_catalogue_call,
                                 download_repo_call, import_call, import_pack_call,
                                 verify_call)
from pluk.gui.model_tables import CatalogueTable, InstalledTable
from pluk.gui.repo_download_dialog import RepoDownloadDialog
from pluk.gui.widgets import human_size as format_bytes
from pluk.gui.widgets import integer, muted

log = logging.getLogger(__name__)
OnSuccess = Callable[[object], None]


def gpu_fallback() -> list[str]:
    """Why the engine's GPU backends cannot run here ([] when they run, or the engine has none):
    a CUDA installer on a machine without an NVIDIA driver or GPU runs on the CPU, and says so."""
    try:
        from pluk.core.models.backends import describe

        return describe().gpu_unusable
    except (ImportError, OSError):  # no engine at all: the run itself reports that
        return []


def hardware_summary(hw: HardwareInfo | None, n_ctx: int, gpu_unusable: list[str] = ()) -> str:
    if hw is None:
        return QCoreApplication.translate("ModelManagerDialog",
                                          "Checking this computer's memory…")
    if hw.ram_total_bytes is None:
        memory = QCoreApplication.translate("ModelManagerDialog", "unknown memory")
    else:
        memory = QCoreApplication.translate("ModelManagerDialog", "{size} memory").format(
            size=format_bytes(hw.ram_total_bytes))
        if hw.ram_available_bytes:
            memory += QCoreApplication.translate("ModelManagerDialog", " ({size} free)").format(
                size=format_bytes(hw.ram_available_bytes))
    cores = hw.cpu_usable or hw.cpu_logical
    gpu = (", ".join(f"{g.name or 'GPU'} {format_bytes(g.memory_total_bytes)}" for g in hw.gpus)
           if hw.gpus else QCoreApplication.translate("ModelManagerDialog",
                                                      "no NVIDIA GPU found"))
    text = QCoreApplication.translate(
        "ModelManagerDialog", "This computer: {memory}, {cores} CPU cores, {gpu}. Fit verdicts "
        "are for a context of {n_ctx} tokens.").format(memory=memory, cores=cores or "?",
                                                       gpu=gpu, n_ctx=integer(n_ctx))
    if gpu_unusable:
        text += " " + QCoreApplication.translate(
            "ModelManagerDialog", "The engine's GPU code cannot run here ({reasons}): Pluk runs "
            "on the CPU.").format(reasons="; ".join(gpu_unusable))
    return text


class ModelManagerDialog(QDialog):
    models_changed = Signal(object)  # str path of a model just installed (to select), or None

    def __init__(self, n_ctx: int = 8192, hardware: HardwareInfo | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Models"))
        self.resize(1080, 700)
        self.n_ctx = n_ctx
        self.hardware = hardware
        self.catalogue: list[CatalogueEntry] = []
        self.installed: list[store.InstalledModel] = []
        self.job: ModelJob | None = None
        self._queue: list[tuple[str, JobCall, OnSuccess]] = []
        self._on_success: OnSuccess = lambda _result: None
        self._result: list[object] = []
        self._hardware_call: BackgroundCall | None = None
        self._build()
        self.refresh()
        if hardware is None:
            self._detect_hardware()

    # -- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.network_note = QLabel(self.tr(
            "Downloads are the <b>only</b> time Pluk uses the network: they fetch one model "
            "file from <b>{hub}</b>. Imports, runs and exports never leave this computer. On an "
            "air-gapped workstation, import a .gguf file or a model pack instead.").format(
            hub=hub_endpoint()))
        self.network_note.setWordWrap(True)
        layout.addWidget(self.network_note)
        self.hardware_label = muted(hardware_summary(self.hardware, self.n_ctx))
        layout.addWidget(self.hardware_label)

        catalogue_box = QGroupBox(self.tr("Catalogue"))
        box = QVBoxLayout(catalogue_box)
        self.catalogue_table = CatalogueTable()
        box.addWidget(self.catalogue_table)
        row = QHBoxLayout()
        self.download_button = QPushButton(self.tr("Download"))
        self.download_button.setObjectName("primary")
        self.repo_button = QPushButton(self.tr("Download from repo…"))
        row.addWidget(self.download_button)
        row.addWidget(self.repo_button)
        row.addStretch(1)
        box.addLayout(row)
        layout.addWidget(catalogue_box, 3)

        installed_box = QGroupBox(self.tr("Installed"))
        box = QVBoxLayout(installed_box)
        self.installed_table = InstalledTable()
        box.addWidget(self.installed_table)
        row = QHBoxLayout()
        self.import_button = QPushButton(self.tr("Import…"))
        self.pack_button = QPushButton(self.tr("Import model pack…"))
        self.pack_button.setToolTip(self.tr("A folder made with 'pluk models export-pack' (on "
                                            "a USB stick, say): its model is checked against "
                                            "the pack's sha256 while it is copied in"))
        self.copy_check = QCheckBox(self.tr("Copy into Pluk's models folder"))
        self.copy_check.setChecked(True)
        self.copy_check.setToolTip(self.tr("Unchecked: the file is used where it lies and must "
                                           "stay there"))
        self.verify_button = QPushButton(self.tr("Verify"))
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setObjectName("danger")
        for widget in (self.import_button, self.pack_button, self.copy_check):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.verify_button)
        row.addWidget(self.remove_button)
        box.addLayout(row)
        layout.addWidget(installed_box, 2)

        row = QHBoxLayout()
        self.job_label = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        row.addWidget(self.job_label)
        row.addWidget(self.progress_bar, 1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

        self.download_button.clicked.connect(self.download_selected)
        self.repo_button.clicked.connect(self.ask_repo_download)
        self.import_button.clicked.connect(self.choose_import)
        self.pack_button.clicked.connect(self.choose_pack)
        self.verify_button.clicked.connect(self.verify_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.cancel_button.clicked.connect(self.cancel)
        self.catalogue_table.itemSelectionChanged.connect(self._update_buttons)
        self.installed_table.itemSelectionChanged.connect(self._update_buttons)
        self._show_job(None)

    # -- what is shown -----------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the catalogue and the registry."""
        problems = []
        try:
            self.catalogue = list(load_catalogue().models)
        except PlukError as exc:
            self.catalogue = []
            problems.append(str(exc))
        try:
            self.installed = store.list_installed()
        except PlukError as exc:
            self.installed = []
            problems.append(str(exc))
        installed_ids = {m.catalogue_id for m in self.installed if m.catalogue_id}
        self.catalogue_table.fill(self.catalogue, installed_ids, self.hardware, self.n_ctx)
        self.installed_table.fill(self.installed, self.hardware, self.n_ctx)
        if problems:
            self._say(" ".join(problems), error=True)
        self._update_buttons()

    def _detect_hardware(self) -> None:
        # nvidia-smi can take a second or more: never on the GUI thread.
        self._hardware_call = BackgroundCall(lambda: (detect_hardware(), gpu_fallback()), self)
        self._hardware_call.succeeded.connect(self._hardware_detected)
        self._hardware_call.failed.connect(self._hardware_failed)
        self._hardware_call.start()

    def _hardware_detected(self, found: tuple[HardwareInfo, list[str]]) -> None:
        hw, gpu_unusable = found
        self.hardware = hw
        self.hardware_label.setText(hardware_summary(hw, self.n_ctx, gpu_unusable))
        self.refresh()

    def _hardware_failed(self, exc: Exception) -> None:
        log.warning("hardware probe failed: %s", exc)
        self.hardware_label.setText(self.tr("Could not read this computer's memory; no fit "
                                            "verdicts."))

    def _update_buttons(self) -> None:
        busy = self.busy
        entry = self._selected_entry()
        installed = {m.catalogue_id for m in self.installed}
        self.download_button.setEnabled(not busy and entry is not None
                                        and entry.id not in installed)
        self.repo_button.setEnabled(not busy)
        self.import_button.setEnabled(not busy)
        self.pack_button.setEnabled(not busy)
        chosen = self.installed_table.selected_id() is not None
        self.verify_button.setEnabled(not busy and chosen)
        self.remove_button.setEnabled(not busy and chosen)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status_label.setStyleSheet("color: #991b1b;" if error else "")
        self.status_label.setText(text)

    def _selected_entry(self) -> CatalogueEntry | None:
        model_id = self.catalogue_table.selected_id()
        return next((e for e in self.catalogue if e.id == model_id), None)

    # -- actions -----------------------------------------------------------------------------

    def download_selected(self) -> None:
        entry = self._selected_entry()
        if entry is None:
            return
        if self.hardware is not None:
            advice = advise(ModelShape.from_catalogue(entry), self.hardware, self.n_ctx)
            if advice.verdict == "does_not_fit":
                answer = QMessageBox.question(
                    self, self.tr("This model does not fit"),
                    self.tr("{model} needs about {needed} of memory; this computer has "
                            "{has}. Download it anyway?").format(
                        model=entry.title, needed=format_bytes(advice.memory_needed_bytes),
                        has=format_bytes(self.hardware.ram_total_bytes)))
                if answer != QMessageBox.StandardButton.Yes:
                    return
        self._enqueue(self.tr("Downloading {name}").format(name=entry.title),
                      download_catalogue_call(entry.id),
                      self._installed)

    def ask_repo_download(self) -> None:
        form = RepoDownloadDialog(self)
        if form.exec():
            self.download_from_repo(*form.values())

    def download_from_repo(self, repo: str, filename: str, revision: str = "main") -> None:
        self._enqueue(self.tr("Downloading {name}").format(name=filename),
                      download_repo_call(repo, filename, revision),
                      self._installed)

    def choose_import(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, self.tr("Import GGUF models"),
                                                str(Path.home()),
                                                self.tr("GGUF models (*.gguf);;All files (*)"))
        self.import_files([Path(n) for n in names])

    def choose_pack(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Model pack folder"),
                                                  str(Path.home()))
        if folder:
            self.import_pack(Path(folder))

    def import_pack(self, folder: Path) -> None:
        self._enqueue(self.tr("Importing the pack in {name}").format(name=folder.name),
                      import_pack_call(folder), self._installed)

    def import_files(self, files: list[Path]) -> None:
        """Check, hash and install each file, one after the other (also for dropped files)."""
        copy = self.copy_check.isChecked()
        for path in files:
            self._enqueue(self.tr("Importing {name}").format(name=Path(path).name),
                          import_call(Path(path), copy),
                          self._installed)

    def verify_selected(self) -> None:
        model_id = self.installed_table.selected_id()
        if model_id is not None:
            self._enqueue(self.tr("Verifying {name}").format(name=model_id),
                          verify_call(model_id), self._verified)

    def remove_selected(self) -> None:
        model_id = self.installed_table.selected_id()
        model = next((m for m in self.installed if m.id == model_id), None)
        if model is None:
            return
        what = (self.tr("Pluk forgets it; the file stays where it is.") if model.in_place
                else self.tr("Its file ({size}) is deleted from {folder}.").format(
                    size=format_bytes(model.size_bytes), folder=paths.models_dir()))
        answer = QMessageBox.question(self, self.tr("Remove the model?"),
                                      self.tr("Remove <b>{model}</b>? {what}").format(
                                          model=model.id, what=what))
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            store.remove(model.id)
        except (PlukError, OSError) as exc:  # Windows refuses to delete a file in use
            self._say(self.tr("Could not remove {model}: {reason}").format(model=model.id,
                                                                            reason=exc),
                      error=True)
            return
        self._say(self.tr("Removed {model}.").format(model=model.id))
        self.refresh()
        self.models_changed.emit(None)

    # -- jobs --------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.job is not None

    def cancel(self) -> None:
        """Stop the running job and drop the ones waiting."""
        self._queue.clear()
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.job_label.setText(self.tr("{job}: stopping…").format(job=self.job.title))

    def cancel_and_wait(self, timeout: float = 15.0) -> bool:
        """On quit: cancel and give the worker a moment to leave the core call cleanly."""
        job = self.job
        self.cancel()
        return job.wait(timeout) if job is not None else True

    def _enqueue(self, title: str, call: JobCall, on_success: OnSuccess) -> None:
        self._queue.append((title, call, on_success))
        if self.job is None:
            self._start_next()

    def _start_next(self) -> None:
        if not self._queue:
            return
        title, call, on_success = self._queue.pop(0)
        job = ModelJob(title, call, self)
        job.progressed.connect(self._show_progress)
        job.succeeded.connect(self._succeeded)
        job.failed.connect(self._failed)
        job.cancelled.connect(self._cancelled)
        job.ended.connect(self._job_ended)
        self.job = job
        self._on_success = on_success
        self._result = []
        self._say("")
        self._show_job(title)
        job.start()

    def _show_job(self, title: str | None) -> None:
        for widget in (self.job_label, self.progress_bar, self.cancel_button):
            widget.setVisible(title is not None)
        self.cancel_button.setEnabled(title is not None)
        if title is not None:
            self.job_label.setText(title)
            self.progress_bar.setRange(0, 0)  # busy until the first byte count
            self.progress_bar.setFormat("")
        self._update_buttons()

    def _show_progress(self, progress: Progress) -> None:
        fraction = progress.fraction
        if fraction is None:
            self.progress_bar.setRange(0, 0)
        else:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(int(min(fraction, 1.0) * 1000))
        self.progress_bar.setFormat(describe_progress(progress))
        self.progress_bar.setToolTip(describe_progress(progress))

    def _installed(self, model: store.InstalledModel) -> None:
        self._say(self.tr("Installed {model} ({size}, sha256 {sha}…).").format(
            model=model.id, size=format_bytes(model.size_bytes), sha=model.sha256[:12]))
        self.refresh()
        self.installed_table.select_id(model.id)
        self.models_changed.emit(model.path)

    def _verified(self, result: store.VerifyResult) -> None:
        if result.ok:
            self._say(self.tr("{model}: the file is intact (sha256 matches).").format(
                model=result.id))
        else:
            self._say(f"{result.id}: {result.message}.", error=True)

    def _succeeded(self, result: object) -> None:
        self._result.append(result)  # handled once the job has ended and the dialog is idle

    def _failed(self, message: str) -> None:
        title = self.job.title if self.job is not None else self.tr("The job")
        self._say(self.tr("{job} failed: {reason}").format(job=title, reason=message),
                  error=True)

    def _cancelled(self, message: str) -> None:
        self._say(message)

    def _job_ended(self) -> None:
        job, self.job = self.job, None
        if job is not None:
            job.deleteLater()
        self._show_job(None)
        if self._result:
            self._on_success(self._result.pop())
        self._start_next()
