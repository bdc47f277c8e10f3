"""The small form behind "Download from repo…": a Hub repository, a .gguf file in it, and a
revision (branch, tag or commit). It only asks; the model manager downloads."""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from pluk.core.models.download import hub_endpoint

_REPO = re.compile(r"^[\w.-]+/[\w.-]+$")


def problem(repo: str, filename: str, revision: str) -> str | None:
    """What is wrong with the answers, in words, or None."""
    if not _REPO.match(repo):
        return QCoreApplication.translate(
            "RepoDownloadDialog",
            "The repository is owner/name, for example Qwen/Qwen2.5-7B-Instruct-GGUF.")
    if not filename.endswith(".gguf") or "/" in filename:
        return QCoreApplication.translate(
            "RepoDownloadDialog", "The file is one .gguf file in the repository's top folder.")
    if not revision or any(c.isspace() for c in revision):
        return QCoreApplication.translate(
            "RepoDownloadDialog", "The revision is a branch, tag or commit, for example main.")
    return None


class RepoDownloadDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Download from a Hub repository"))
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Download one GGUF file from <b>{hub}</b>. Only this download "
                               "uses the network.").format(hub=hub_endpoint()))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.repo_edit = QLineEdit()
        self.repo_edit.setPlaceholderText(self.tr("owner/name"))
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText("model-Q4_K_M.gguf")
        self.revision_edit = QLineEdit("main")
        form.addRow(self.tr("Repository"), self.repo_edit)
        form.addRow(self.tr("File"), self.file_edit)
        form.addRow(self.tr("Revision"), self.revision_edit)
        layout.addLayout(form)
        self.problem_label = QLabel()
        self.problem_label.setObjectName("problem")
        self.problem_label.setWordWrap(True)
        layout.addWidget(self.problem_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Download"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, str, str]:
        return (self.repo_edit.text().strip(), self.file_edit.text().strip(),
                self.revision_edit.text().strip())

    def accept(self) -> None:
        found = problem(*self.values())
        if found:
            self.problem_label.setText(found)
            return
        super().accept()
