"""Help → User guide: a short guide inside the app, offline, in the window's language: what a
task is, the steps of a run, how to check the results, and where Pluk keeps its files (with
this computer's own folders)."""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from pluk.core import paths
from pluk.core.settings import Settings


class UserGuide(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Pluk user guide"))
        self.resize(720, 640)
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(self.html(settings))
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def html(self, settings: Settings) -> str:
        from pluk.gui.errors import log_file

        def folder(path) -> str:
            return f"<code>{escape(str(path))}</code>"

        runs = settings.output_dir or paths.runs_dir()
        sections = [
            (self.tr("What Pluk does"), self.tr(
                "Pluk reads a folder of reports and fills in, for every report, the fields of a "
                "task, with a language model that runs on this computer. Nothing leaves the "
                "computer: the only use of the network is downloading a model, when you ask "
                "for it.")),
            (self.tr("1. Reports"), self.tr(
                "Drop a folder or files on the window, or use Add folder…. Pluk reads txt, md, "
                "rtf, docx and pdf files and tables (csv, xlsx, jsonl). A file that cannot be "
                "read is listed in red with the reason; it becomes an error row in the "
                "results, never a silent gap. Your files are only read, never moved or "
                "changed.") + " " + self.tr(
                "Group documents makes the documents of one patient or case one report: one "
                "report per folder, per value of a table column, or per pattern in the file "
                "names (a regular expression, as pluk extract --group-by takes it). The list "
                "shows how many documents each grouped report holds.")),
            (self.tr("2. The task: what to extract"), self.tr(
                "A task is a list of fields, each with a name, a type (yes/no, whole number, "
                "number, text, choice or list) and a description that tells the model what the "
                "field means. Built-in tasks cannot be changed: Edit a copy… saves your own "
                "version, and New… starts an empty one. The task editor shows the prompt the "
                "model will see.")),
            (self.tr("3. The model"), self.tr(
                "Choose a model file (.gguf). Models… downloads one from the catalogue, or "
                "imports a file from a USB stick. Pluk checks the file when you choose it; a "
                "file that cannot be used is named with the reason and Run stays off.")),
            (self.tr("Run, Stop and Resume"), self.tr(
                "Run goes through every report; each result is saved as soon as it is done. "
                "Stop (or closing Pluk) ends the run after the current report: the finished "
                "reports are kept, and Resume continues the run without redoing them. Pluk "
                "offers to resume a run that was stopped by closing it, or interrupted by a "
                "crash, the next time it starts.")),
            (self.tr("Checking the results"), self.tr(
                "Every value is checked against the task: a value that does not fit is empty, "
                "with the reason, and never guessed. Select a row to see the report beside its "
                "values, with the passage each value comes from highlighted; an 'ungrounded' "
                "value has no such passage and needs a look. The Review tab takes you through "
                "the reports, most uncertain first, to accept, correct or reject each value. "
                "The Validation tab compares a run with a table of your own labels and gives "
                "accuracy, kappa and error with 95% confidence intervals.") + " " + self.tr(
                "The Reading column says which reports were read in sections (too long for the "
                "model's context), by OCR (scans, with the mean confidence) or grouped from "
                "several documents, and which have warnings; the Reading tab beside the values "
                "gives the details.")),
            (self.tr("Review shortcuts"), self.tr(
                "In the Review tab: A accepts the chosen value, Shift+A accepts every value "
                "of the report not yet reviewed and opens the next, C opens the correction "
                "(Enter saves it), R rejects with the chosen reason, N and P go to the next "
                "and previous report. The Results tab shows the reviewed values: ✓ accepted, "
                "✎ corrected, ✗ rejected (struck through), the model's value in the tooltip.")),
            (self.tr("Settings"), self.tr(
                "CPU threads: the cores the model computes with. Reports at once: how many "
                "reports the model reads together (faster on a GPU, more memory). GPU layers: "
                "how much of the model goes on the graphics card (0: CPU only). Context limit: "
                "the most text read at once; a longer report is read in sections. "
                "Temperature: keep 0 for extraction, so the same report gives the same "
                "answer.")),
            (self.tr("Exporting"), self.tr(
                "Export… writes CSV, Excel, JSON or a web page with the evidence. The CSV uses "
                "the delimiter and decimal mark of this computer's spreadsheets unless you "
                "choose others in the export dialog or in Settings.")),
            (self.tr("Where the files go"), self.tr(
                "Runs (one folder per run, with the results, records.jsonl and manifest.json, "
                "which records the model, the task and every option): {runs}<br>Your own "
                "tasks: {tasks}<br>Models: {models}<br>The log file, for support: {log}").format(
                runs=folder(runs), tasks=folder(paths.user_tasks_dir()),
                models=folder(paths.models_dir()), log=folder(log_file()))),
        ]
        body = "".join(f"<h3>{escape(title)}</h3><p>{text}</p>" for title, text in sections)
        return f"<h2>{escape(self.tr('Pluk user guide'))}</h2>{body}"
