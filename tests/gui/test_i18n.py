"""The window in Dutch and English: every string the code translates is in pluk_nl.ts with a
Dutch translation (placeholders kept), no literal text reaches a widget untranslated, the Dutch
build of the window and its dialogs shows no English, the compiled .qm files are those of the
.ts sources, and the language follows the system unless the settings name one."""

from __future__ import annotations

import ast
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QAbstractButton, QAbstractSpinBox, QComboBox, QGroupBox, QLabel,
                               QLineEdit, QMenu, QProgressBar, QTableView, QTableWidget,
                               QTabWidget, QTreeWidget, QWidget)

from pluk.gui import i18n

ROOT = Path(__file__).resolve().parents[2]
GUI = ROOT / "desktop" / "pluk" / "gui"
I18N = ROOT / "resources" / "i18n"
PLACEHOLDER = re.compile(r"\{\w*\}|%n")


def _literal(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def code_strings() -> set[tuple[str | None, str, bool]]:
    """(context, source, plural) of every literal the window's code translates: self.tr() in a
    class (its name is the context), QCoreApplication.translate and QT_TRANSLATE_NOOP."""
    found = set()

    def visit(node, cls):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Call):
                func, args = child.func, child.args
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if (name == "tr" and isinstance(func, ast.Attribute) and args
                        and _literal(args[0]) is not None):
                    found.add((cls, _literal(args[0]), len(args) >= 3))
                elif (name in ("translate", "QT_TRANSLATE_NOOP") and len(args) >= 2
                      and _literal(args[0]) and _literal(args[1]) is not None):
                    found.add((_literal(args[0]), _literal(args[1]), len(args) >= 4))
            visit(child, cls)

    for path in sorted(GUI.glob("*.py")):
        visit(ast.parse(path.read_text(encoding="utf-8")), None)
    return found


def ts_messages(name: str = "pluk_nl.ts"):
    root = ET.parse(I18N / name).getroot()
    for context in root.findall("context"):
        for message in context.findall("message"):
            yield context.find("name").text, message


def test_every_translated_string_has_its_dutch_translation():
    messages = {(ctx, m.find("source").text, m.get("numerus") == "yes"): m
                for ctx, m in ts_messages()}
    missing = code_strings() - set(messages)
    assert not missing, f"not in pluk_nl.ts (run python -m pluk.gui.i18n update): {missing}"
    for (ctx, source, plural), message in messages.items():
        translation = message.find("translation")
        assert translation.get("type") not in ("unfinished", "obsolete", "vanished"), \
            f"{ctx}: {source!r} has no Dutch translation"
        forms = [f.text or "" for f in translation.findall("numerusform")] if plural \
            else [translation.text or ""]
        for form in forms:
            assert form.strip(), f"{ctx}: {source!r} is translated as empty"
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(source)), \
                f"{ctx}: the translation of {source!r} changes its placeholders: {form!r}"


def test_english_plurals_have_singular_and_plural_forms():
    plural_sources = {(c, s) for c, s, plural in code_strings() if plural}
    english = {(ctx, m.find("source").text): [f.text for f in m.iter("numerusform")]
               for ctx, m in ts_messages("pluk_en.ts")}
    assert plural_sources <= set(english)
    assert english[("ResultsPanel", "%n record(s)")] == ["%n record", "%n records"]


# Calls that put text on screen: a literal given to one of them is shown untranslated.
SINKS = {"setText", "setToolTip", "setPlaceholderText", "addItem", "addItems", "QLabel",
         "QPushButton", "QCheckBox", "QGroupBox", "QToolBar", "setWindowTitle", "addTab",
         "setTabText", "setHeaderLabels", "setHorizontalHeaderLabels", "setFormat",
         "showMessage", "addRow", "addMenu", "QAction", "action", "setSpecialValueText",
         "setSuffix", "warning", "information", "question", "critical", "about", "QMessageBox",
         "addButton", "muted", "set_full_text", "show_message", "setHtml", "_say",
         "getOpenFileName", "getOpenFileNames", "getSaveFileName", "getExistingDirectory"}
# Literals that are no language: shortcuts, the app's name, a file name as an example.
NOT_TEXT = {"Pluk", "Ctrl+O", "Ctrl+E", "Ctrl+,", "Ctrl+R", "Esc", "model-Q4_K_M.gguf"}


def _bare_literal(node) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    else:
        return None
    words = re.sub(r"<[^>]+>|\{[^}]*\}", "", text)
    return text if re.search(r"[A-Za-z]{2}", words) and text not in NOT_TEXT else None


def test_no_literal_text_reaches_a_widget_untranslated():
    bare = []
    for path in sorted(GUI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name not in SINKS or (isinstance(func, ast.Attribute)
                                     and getattr(func.value, "id", "") == "log"):
                continue
            for arg in list(node.args) + [k.value for k in node.keywords]:
                if _bare_literal(arg):
                    bare.append(f"{path.name}:{node.lineno}: {ast.unparse(arg)[:60]}")
    assert not bare, "text shown without self.tr()/translate():\n" + "\n".join(bare)


def test_the_check_finds_a_bare_literal(tmp_path, monkeypatch):
    planted = tmp_path / "gui"
    planted.mkdir()
    (planted / "panel.py").write_text("label.setText('Ready to run')\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "GUI", planted)
    with pytest.raises(AssertionError, match="Ready to run"):
        test_no_literal_text_reaches_a_widget_untranslated()


# -- the Dutch build on screen -----------------------------------------------------------------

def shown_texts(root: QWidget) -> set[str]:
    """Every text a user can see or hover over in `root` and its children."""
    texts: list[str] = [root.windowTitle()]
    for widget in [root, *root.findChildren(QWidget)]:
        texts.append(widget.toolTip())
        if isinstance(widget, QLabel):
            texts.append(widget.text())
        elif isinstance(widget, QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabWidget):
            texts += [widget.tabText(i) for i in range(widget.count())]
        elif isinstance(widget, QTreeWidget):
            header = widget.headerItem()
            texts += [header.text(i) for i in range(header.columnCount())]
        elif isinstance(widget, QTableWidget):
            texts += [widget.horizontalHeaderItem(i).text()
                      for i in range(widget.columnCount()) if widget.horizontalHeaderItem(i)]
        elif isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            texts += [str(model.headerData(i, _horizontal()) or "")
                      for i in range(model.columnCount())]
        elif isinstance(widget, QAbstractSpinBox):
            texts += [widget.specialValueText(), getattr(widget, "suffix", lambda: "")()]
        elif isinstance(widget, QProgressBar):
            texts.append(widget.format())
        elif isinstance(widget, QMenu):
            texts.append(widget.title())
    for action in root.findChildren(QAction):
        texts += [action.text(), action.toolTip()]
    out = set()
    for text in texts:
        plain = unescape(re.sub(r"<[^>]+>", " ", text or "")).replace("&", "")
        for line in plain.splitlines():
            line = " ".join(line.split())
            if re.search(r"[A-Za-z]{2}", line):
                out.add(line)
    return out


def _horizontal():
    from PySide6.QtCore import Qt

    return Qt.Orientation.Horizontal


def data_texts(model: Path) -> set[str]:
    """What the window shows that is data, the same in every language: tasks, the model."""
    from pluk.core.tasks import list_tasks

    data = {model.name, str(model), "Pluk", "English", "Nederlands", "OK", "sha256",
            "model-Q4_K_M.gguf"}
    for path, task in list_tasks()[0]:
        data |= {task.title, task.description, task.id, str(path),
                 f"{task.title}\n{task.id} · {path}", f"{task.title} ({task.id})"}
        for spec in task.fields:
            data |= {spec.name, spec.description or ""}
    return {" ".join(t.split()) for d in data for t in d.splitlines()}


def same_in_dutch() -> set[str]:
    """Words whose Dutch is the English one (CSV, ok, Status), by the translation file."""
    same = set()
    for _ctx, message in ts_messages():
        source = message.find("source").text
        if (message.find("translation").text or "") == source:
            plain = unescape(re.sub(r"<[^>]+>", " ", source)).replace("&", "")
            same.add(" ".join(plain.split()))
    return same


def build_screens(model: Path, settings) -> dict[str, set[str]]:
    """The texts of the main window and of every dialog it opens, as first shown."""
    from pluk.gui.export_dialog import ExportDialog
    from pluk.gui.main_window import MainWindow
    from pluk.gui.model_manager_dialog import ModelManagerDialog
    from pluk.gui.repo_download_dialog import RepoDownloadDialog
    from pluk.gui.settings_dialog import SettingsDialog
    from pluk.gui.table_columns_dialog import TableColumnsDialog
    from pluk.gui.task_editor import TaskEditor
    from pluk.gui.user_guide import UserGuide

    window = MainWindow(settings)
    window.model_picker.set_path(model)
    screens = {}
    try:
        for name, widget in (
                ("window", window), ("settings", SettingsDialog(settings, window)),
                ("export", ExportDialog(model.parent, parent=window)),
                ("task editor", TaskEditor(parent=window)),
                ("models", ModelManagerDialog(parent=window)),
                ("repo", RepoDownloadDialog(window)),
                ("columns", TableColumnsDialog(model, ["a", "b"], window)),
                ("guide", UserGuide(settings, window))):
            screens[name] = shown_texts(widget)
            if name == "guide":
                screens[name] |= {line for line in widget.browser.toPlainText().splitlines()
                                  if line.strip() and "/" not in line}
    finally:
        window.session.shutdown()
        window.deleteLater()
    return screens


def test_the_dutch_window_and_its_dialogs_show_no_english(qtbot, pluk_home, tiny_model, qapp):
    from pluk.core.settings import load_settings

    settings = load_settings()
    english = build_screens(tiny_model, settings)
    try:
        assert i18n.install_translators("nl", qapp) == "nl"
        dutch = build_screens(tiny_model, settings)
    finally:
        i18n.install_translators("en", qapp)
    allowed = data_texts(tiny_model) | same_in_dutch()
    for name in english:
        untranslated = {t for t in english[name] & dutch[name]
                        if t not in allowed and "/" not in t and "\\" not in t}
        assert not untranslated, f"{name}: English in the Dutch build: {sorted(untranslated)}"
    assert "Verslagen" in dutch["window"] and "Reports" in english["window"]
    assert "Annuleren" in dutch["settings"]  # Qt's own buttons, from qtbase_nl.qm


def test_the_language_follows_the_system_unless_the_settings_say(monkeypatch):
    class System:
        def __init__(self, languages):
            self.languages = languages

        def uiLanguages(self):
            return self.languages

    for languages, expected in ((["nl-NL", "en-US"], "nl"), (["nl_BE"], "nl"),
                                (["de-DE", "en-GB"], "en"), (["fr-FR"], "en")):
        monkeypatch.setattr(i18n.QLocale, "system", staticmethod(lambda: System(languages)))
        assert i18n.resolve_language("auto") == expected
        assert i18n.resolve_language("en") == "en" and i18n.resolve_language("nl") == "nl"


def test_the_settings_offer_the_languages(qtbot):
    from pluk.core.settings import Settings
    from pluk.gui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings(language="nl"))
    qtbot.addWidget(dialog)
    assert [dialog.language.itemData(i) for i in range(dialog.language.count())] == [
        "auto", "en", "nl"]
    assert dialog.language.currentData() == "nl"
    dialog.language.setCurrentIndex(1)
    assert dialog.settings().language == "en"


# -- the compiled files --------------------------------------------------------------------------

def test_the_compiled_translations_are_those_of_the_sources(tmp_path):
    """The .qm files ship beside the .ts sources (the bundle and the wheel take them); where
    lrelease is at hand (PySide6 brings it), they must be what the sources compile to."""
    for language in i18n.LANGUAGES:
        assert (I18N / f"pluk_{language}.qm").is_file()
    if i18n.tool("lrelease") is None:
        pytest.skip("no lrelease here")
    for written in i18n.release(I18N, tmp_path):
        assert written.read_bytes() == (I18N / written.name).read_bytes(), \
            f"{written.name} is out of date: run python -m pluk.gui.i18n release"


def test_lupdate_finds_no_new_string(tmp_path):
    if i18n.tool("lupdate") is None:
        pytest.skip("no lupdate here")
    for name in ("pluk_nl.ts", "pluk_en.ts"):
        shutil.copy(I18N / name, tmp_path / name)
    i18n.update(tmp_path)
    before = {(c, m.find("source").text) for c, m in ts_messages()}
    root = ET.parse(tmp_path / "pluk_nl.ts").getroot()
    after = {(c.find("name").text, m.find("source").text)
             for c in root.findall("context") for m in c.findall("message")}
    assert after == before, "run python -m pluk.gui.i18n update, then translate"


def test_the_installers_take_the_translations():
    spec = (ROOT / "packaging" / "pluk.spec").read_text(encoding="utf-8")
    assert 'tree("resources", "resources")' in spec  # the whole folder, resources/i18n too
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"share/pluk/resources/i18n" = ["resources/i18n/*.qm"]' in pyproject

