"""What the window's menu items and buttons do beyond one panel: the dialogs (task editor,
export, settings, the model manager, a failed run, resuming an interrupted run), routing dropped
files (reports to the inputs, .gguf models to an import) and quitting during a run."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from pluk import __version__
from pluk.core.errors import PlukError
from pluk.core.runs.find import InterruptedRun, interrupted_runs
from pluk.core.settings import save_settings
from pluk.gui.background import LatestCall
from pluk.gui.drop import split_model_files
from pluk.gui.errors import log_file, show_run_failed
from pluk.gui.export_dialog import ExportDialog
from pluk.gui.model_manager_dialog import ModelManagerDialog
from pluk.gui.session import Session
from pluk.gui.settings_dialog import SettingsDialog
from pluk.gui.task_editor import TaskEditor

log = logging.getLogger(__name__)


class WindowActions(QObject):
    def __init__(self, window: QWidget, session: Session):
        super().__init__(window)
        self.window = window
        self.session = session
        self.model_manager: ModelManagerDialog | None = None
        self._interrupted = LatestCall(self)
        self._interrupted.succeeded.connect(self._ask_resume)
        self._interrupted.failed.connect(
            lambda exc: log.warning("looking for interrupted runs failed: %s", exc))

    # -- dialogs -----------------------------------------------------------------------------

    def open_task_editor(self, data: dict | None = None, path: Path | None = None) -> TaskEditor:
        sample = next((r.text for r in self.session.reports if r.text), None)
        editor = TaskEditor(data, path=path, sample_text=sample, parent=self.window)
        editor.task_saved.connect(self._task_saved)
        editor.open()
        return editor

    def _task_saved(self, path: Path, task) -> None:
        self.window.task_panel.reload(select_id=task.id)
        self.window.statusBar().showMessage(f"Saved task {task.id} to {path}", 8000)

    def export_results(self) -> Path | None:
        run_dir = self.window.results.run_dir
        if run_dir is None:
            return None
        try:
            path = ExportDialog(run_dir, self.session.settings.csv_delimiter,
                                self.window).ask_and_write()
        except (PlukError, OSError) as exc:
            QMessageBox.warning(self.window, "Export failed", str(exc))
            return None
        if path is not None:
            self.window.statusBar().showMessage(f"Exported to {path}", 10000)
        return path

    def set_reviewer(self, name: str) -> None:
        """The Review tab's reviewer name, kept in the settings for the next session."""
        if name and name != self.session.settings.reviewer:
            self.session.settings.reviewer = name
            save_settings(self.session.settings)

    def edit_settings(self) -> None:
        dialog = SettingsDialog(self.session.settings, self.window)
        if dialog.exec():
            self.session.settings = dialog.settings()
            save_settings(self.session.settings)
            self.window.history.set_roots(self.run_roots())

    def open_model_manager(self) -> ModelManagerDialog:
        """One dialog for the window's life: closing it hides it, and a download goes on."""
        if self.model_manager is None:
            ctx_cap = self.session.settings.run.context.ctx_cap
            self.model_manager = ModelManagerDialog(n_ctx=ctx_cap, parent=self.window)
            self.model_manager.models_changed.connect(self.window.model_picker.refresh)
        self.model_manager.show()
        self.model_manager.raise_()
        self.model_manager.activateWindow()
        return self.model_manager

    def route_drop(self, paths: list[str]) -> None:
        """Dropped .gguf files are models to import; everything else is reports."""
        models, others = split_model_files(paths)
        if others:
            self.window.inputs.request_add(others)
        if models:
            self.open_model_manager().import_files([Path(p) for p in models])

    def run_roots(self) -> list[Path]:
        from pluk.core import paths

        roots = [paths.runs_dir()]
        if self.session.settings.output_dir:
            roots.append(Path(self.session.settings.output_dir))
        return roots

    def show_failure(self, message: str) -> None:
        self.window.run_panel.show_failure(message)
        show_run_failed(self.window, message)

    def open_run(self, run_dir: Path) -> None:
        if self.session.running:
            QMessageBox.information(self.window, "A run is going on",
                                    "Stop the current run before opening another one.")
            return
        self.session.open_run(run_dir)  # the window shows the results when they have come

    def show_open_failure(self, message: str) -> None:
        QMessageBox.warning(self.window, "Cannot open this run", message)

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file().parent)))

    def about(self) -> None:
        QMessageBox.about(self.window, "About Pluk",
                          f"<b>Pluk {__version__}</b><br>Offline extraction of structured data "
                          "from clinical reports with a local language model.<br>"
                          "Nothing leaves this computer.<br><br>"
                          f"Log file: {log_file()}")

    # -- interrupted runs ----------------------------------------------------------------------

    def offer_resume(self) -> None:
        """A manifest still 'running' at start-up means Pluk stopped mid-run (a crash, a power
        cut): offer to continue it where it stopped. The runs folders are read off the GUI
        thread; the question comes when they have been."""
        roots = self.run_roots()
        self._interrupted.start(lambda: interrupted_runs(roots))

    @Slot(object)
    def _ask_resume(self, runs: list[InterruptedRun]) -> None:
        for run in runs:
            if self.session.running:
                return  # the user started a run meanwhile; the question would come too late
            box = QMessageBox(QMessageBox.Icon.Question, "Resume the interrupted run?",
                              f"The run <b>{run.folder.name}</b> "
                              f"({run.manifest.task.get('title', '')}) was interrupted after "
                              f"{run.records_written} reports. Resume it? Finished reports are "
                              "kept and not redone.", parent=self.window)
            resume = box.addButton("Resume", QMessageBox.ButtonRole.AcceptRole)
            box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is resume:
                try:
                    self.session.resume_run(run.folder)
                except PlukError as exc:
                    QMessageBox.warning(self.window, "Cannot resume", str(exc))
                    continue
                self.window.show_results()
            return  # one question per start-up; the rest stay listed in Previous runs

    # -- quitting ------------------------------------------------------------------------------

    def confirm_quit(self) -> bool:
        manager = self.model_manager
        if manager is not None and manager.busy:
            answer = QMessageBox.question(
                self.window, "Stop the model transfer?",
                f"{manager.job.title} is going on. Stop it and quit? A download continues "
                "where it stopped the next time.")
            if answer != QMessageBox.StandardButton.Yes:
                return False
            manager.cancel_and_wait()
        if not self.session.running:
            return True
        answer = QMessageBox.question(
            self.window, "Stop the run?",
            "A run is going on. Stop it and quit? Finished reports are kept and the run can be "
            "resumed later.")
        return answer == QMessageBox.StandardButton.Yes
