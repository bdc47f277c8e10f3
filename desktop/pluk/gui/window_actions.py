"""What the window's menu items and buttons do beyond one panel: the dialogs (task editor,
export, settings, the model manager, the user guide, a failed run), Run, Stop and Resume (a
stopped or interrupted run is continued, never silently redone), routing dropped files (reports
to the inputs, .gguf models to an import) and quitting during a run, which leaves the run
resumable and has the next start offer it. A run another window works on is never offered."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from pluk import __version__
from pluk.core.errors import PlukError, RunFolderError
from pluk.core.runs.find import InterruptedRun, interrupted_runs
from pluk.core.runs.folder import RunFolder
from pluk.core.runs.lock import run_in_use
from pluk.core.settings import save_settings
from pluk.gui.background import LatestCall
from pluk.gui.drop import split_model_files
from pluk.gui.errors import log_file, show_run_failed
from pluk.gui.export_dialog import ExportDialog
from pluk.gui.i18n import csv_format
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
        self.window.statusBar().showMessage(
            self.tr("Saved task {id} to {path}").format(id=task.id, path=path), 8000)

    def export_results(self) -> Path | None:
        run_dir = self.window.results.run_dir
        if run_dir is None:
            return None
        dialog = ExportDialog(run_dir, csv_format(self.session.settings), self.window)
        try:
            written = dialog.ask_and_write()
        except (PlukError, OSError) as exc:
            QMessageBox.warning(self.window, self.tr("Export failed"), str(exc))
            return None
        if written is None:
            return None
        path, count = written
        message = self.tr("Exported %n record(s) to {path}", "", count).format(path=path)
        if dialog.notes:  # values a REDCap or Castor import file could not take
            message += " " + self.tr("Left out: {notes}").format(notes="; ".join(dialog.notes))
        self.window.results.notice.show_message(message, path)
        return path

    def set_reviewer(self, name: str) -> None:
        """The Review tab's reviewer name, kept in the settings for the next session."""
        if name and name != self.session.settings.reviewer:
            self.session.settings.reviewer = name
            save_settings(self.session.settings)

    def edit_settings(self) -> None:
        dialog = SettingsDialog(self.session.settings, self.window)
        if dialog.exec():
            language = self.session.settings.language
            self.session.settings = dialog.settings()
            save_settings(self.session.settings)
            self.window.history.set_roots(self.run_roots())
            if self.session.settings.language != language:
                QMessageBox.information(self.window, self.tr("Language"),
                                        self.tr("Pluk uses the new language the next time it "
                                                "starts."))

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
            QMessageBox.information(self.window, self.tr("A run is going on"),
                                    self.tr("Stop the current run before opening another one."))
            return
        self.session.open_run(run_dir)  # the window shows the results when they have come

    def show_open_failure(self, message: str) -> None:
        QMessageBox.warning(self.window, self.tr("Cannot open this run"), message)

    def show_guide(self) -> None:
        from pluk.gui.user_guide import UserGuide

        guide = UserGuide(self.session.settings, self.window)
        guide.show()

    # -- Run, Stop, Resume ---------------------------------------------------------------------

    def run(self) -> Path | None:
        """Run: with a stopped run of this task open, ask whether to resume it or start anew,
        saying what each does; otherwise start a new run."""
        session, results = self.session, self.window.results
        task = results.model.task
        if (session.resumable() and task is not None and session.task is not None
                and task.id == session.task.id):
            done = len(results.model.records)
            box = QMessageBox(QMessageBox.Icon.Question, self.tr("Resume the stopped run?"),
                              self.tr("The run {folder} was stopped with %n report(s) done.\n\n"
                                      "Resume continues it: the finished reports are kept and "
                                      "not redone.\nNew run does every report again, in a new "
                                      "run folder; the stopped run stays as it is.", "",
                                      done).format(folder=session.run_dir.name),
                              parent=self.window)
            resume = box.addButton(self.tr("Resume"), QMessageBox.ButtonRole.AcceptRole)
            new = box.addButton(self.tr("New run"), QMessageBox.ButtonRole.ActionRole)
            box.addButton(QMessageBox.StandardButton.Cancel)
            box.exec()
            if box.clickedButton() is resume:
                self.resume(session.run_dir)
                return session.run_dir
            if box.clickedButton() is not new:
                return None
        return session.start_run()

    def stop(self) -> None:
        self.session.stop_run()

    def resume(self, run_dir: Path | None = None) -> bool:
        """Continue a stopped or interrupted run (the open one by default)."""
        run_dir = run_dir or self.session.run_dir
        if run_dir is None:
            return False
        try:
            self.session.resume_run(run_dir)
        except PlukError as exc:
            QMessageBox.warning(self.window, self.tr("Cannot resume"), str(exc))
            return False
        self.window.show_results()
        return True

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_file().parent)))

    def about(self) -> None:
        QMessageBox.about(self.window, self.tr("About Pluk"),
                          f"<b>Pluk {__version__}</b><br>"
                          + self.tr("Offline extraction of structured data from clinical "
                                    "reports with a local language model.<br>Nothing leaves "
                                    "this computer.<br><br>Log file: {path}").format(
                              path=log_file()))

    # -- interrupted runs ----------------------------------------------------------------------

    def offer_resume(self) -> None:
        """A manifest still 'running' at start-up means Pluk stopped mid-run (a crash, a power
        cut), and a run stopped by quitting was promised to be offered: offer to continue it
        where it stopped. A run another window works on is left alone. The runs folders are
        read off the GUI thread; the question comes when they have been."""
        roots = self.run_roots()
        quit_during = self.session.settings.resume_on_start
        self._interrupted.start(lambda: resumable_runs(roots, quit_during))

    @Slot(object)
    def _ask_resume(self, runs: list[InterruptedRun]) -> None:
        for run in runs:
            if self.session.running:
                return  # the user started a run meanwhile; the question would come too late
            self._forget_quit_run()
            how = (self.tr("was stopped when Pluk was closed") if run.manifest.status ==
                   "cancelled" else self.tr("was interrupted (Pluk stopped during it)"))
            box = QMessageBox(QMessageBox.Icon.Question, self.tr("Resume the stopped run?"),
                              self.tr("The run <b>{folder}</b> ({title}) {how}, with %n "
                                      "report(s) done. Resume it? The finished reports are "
                                      "kept and not redone. Not now leaves it in Previous "
                                      "runs, where Resume continues it later.", "",
                                      run.records_written).format(
                                  folder=run.folder.name, title=run.manifest.task.get(
                                      "title", ""), how=how), parent=self.window)
            resume = box.addButton(self.tr("Resume"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(self.tr("Not now"), QMessageBox.ButtonRole.RejectRole)
            box.exec()
            if box.clickedButton() is resume and not self.resume(run.folder):
                continue
            return  # one question per start-up; the rest stay listed in Previous runs
        self._forget_quit_run()

    def _forget_quit_run(self) -> None:
        if self.session.settings.resume_on_start is not None:
            self.session.settings.resume_on_start = None
            save_settings(self.session.settings)

    # -- quitting ------------------------------------------------------------------------------

    def confirm_quit(self) -> bool:
        manager = self.model_manager
        if manager is not None and manager.busy:
            answer = QMessageBox.question(
                self.window, self.tr("Stop the model transfer?"),
                self.tr("{job} is going on. Stop it and quit? A download continues where it "
                        "stopped the next time.").format(job=manager.job.title))
            if answer != QMessageBox.StandardButton.Yes:
                return False
            manager.cancel_and_wait()
        session = self.session
        if not session.running:
            return True
        done = len(self.window.results.model.records)
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Quit during the run?"),
                          self.tr("A run is going on, with %n report(s) done so far.\n\n"
                                  "Quit stops it after the report in progress. The finished "
                                  "reports are kept, and the next time Pluk starts it offers "
                                  "to resume the run without redoing them.", "", done),
                          parent=self.window)
        quit_button = box.addButton(self.tr("Stop the run and quit"),
                                    QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Keep running"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is not quit_button:
            return False
        if session.run_dir is not None:
            session.settings.resume_on_start = str(session.run_dir)
        return True


def resumable_runs(roots: list[Path], quit_during: str | None) -> list[InterruptedRun]:
    """The runs to offer at start-up: interrupted ones and the one stopped by quitting, newest
    first, without those another process works on (a second window must not resume them)."""
    runs = interrupted_runs(roots)
    if quit_during and not any(r.folder == Path(quit_during).resolve() for r in runs):
        folder = RunFolder(quit_during)
        try:
            manifest = folder.read_manifest()
            if manifest.status in ("cancelled", "running"):
                runs.insert(0, InterruptedRun(folder=folder.path, manifest=manifest,
                                              records_written=len(folder.records())))
        except RunFolderError:
            pass  # gone or damaged: nothing to offer
    return [run for run in runs if not run_in_use(run.folder)]
