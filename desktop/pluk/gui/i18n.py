"""The window's language: Dutch or English through Qt's translation system.

Every visible string goes through `self.tr()` or `QCoreApplication.translate()`; the sources
are in resources/i18n/pluk_nl.ts (and pluk_en.ts, which holds only the English plural forms),
compiled to .qm files beside them with `lrelease`. The language follows the system unless the
settings name one; Qt's own strings (OK, Cancel, Yes, No) come from Qt's qtbase_*.qm.

To add or change a string: edit the code, then run `python -m pluk.gui.i18n update` (lupdate,
then translate the new entries in pluk_nl.ts, then `python -m pluk.gui.i18n release`).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from pluk.core import paths

log = logging.getLogger(__name__)
LANGUAGES = ("en", "nl")
LANGUAGE_NAMES = {"en": "English", "nl": "Nederlands"}  # each in its own language
_installed: list[QTranslator] = []
_language = "en"  # the window's language, as install_translators last set it


def current_language() -> str:
    return _language


def task_title(task) -> str:
    """A task's title in the window's language (its translations), else its own."""
    return task.title_in(_language)


def task_description(task) -> str:
    return task.description_in(_language)


def i18n_dir() -> Path:
    return paths.resources_dir() / "i18n"


def system_language() -> str:
    """'nl' when the system's first user-interface language is Dutch, else 'en'."""
    for name in QLocale.system().uiLanguages():
        code = name.replace("_", "-").split("-")[0].lower()
        if code in LANGUAGES:
            return code
    return "en"


def resolve_language(setting: str | None) -> str:
    """The language a setting ('auto', 'en', 'nl') means on this system."""
    return setting if setting in LANGUAGES else system_language()


def install_translators(language: str, app: QCoreApplication | None = None) -> str:
    """Load Pluk's and Qt's translations for `language` ('en' or 'nl'), replacing any loaded
    before; returns the language in use. A missing file falls back to the English source."""
    app = app or QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    language = language if language in LANGUAGES else "en"
    global _language
    _language = language
    # Qt's own folder; in a frozen bundle the files may sit in PySide6's folder instead.
    import PySide6

    pyside = Path(PySide6.__file__).resolve().parent
    qt_dirs = [QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
               str(pyside / "Qt" / "translations"), str(pyside / "translations")]
    for name, folders in ((f"pluk_{language}", [str(i18n_dir())]),
                          (f"qtbase_{language}", qt_dirs)):
        translator = QTranslator(app)
        if any(translator.load(name, folder) for folder in folders):
            app.installTranslator(translator)
            _installed.append(translator)
        elif name.startswith("pluk"):
            log.warning("no translation %s.qm in %s", name, i18n_dir())
    # Numbers and sizes in the window follow its language (4,7 GB in Dutch); the CSV's defaults
    # follow the system's own locale (csv_format), which is what its spreadsheets read.
    QLocale.setDefault(QLocale(QLocale.Language.Dutch, QLocale.Country.Netherlands)
                       if language == "nl" else QLocale.system())
    return language


def comma_locale() -> bool:
    """Whether this system writes decimals with a comma (Dutch, German, ...): its spreadsheets
    then expect ';' between CSV cells and '9,7' for numbers."""
    return QLocale.system().decimalPoint() == ","


def csv_format(settings) -> dict:
    """The CSV's delimiter, decimal mark and yes/no words: the settings' choice, else what a
    spreadsheet in this locale reads; yes/no as the window shows them."""
    comma = comma_locale()
    return {"delimiter": settings.csv_delimiter or (";" if comma else ","),
            "decimal": settings.csv_decimal or ("," if comma else "."),
            "booleans": (QCoreApplication.translate("ResultsModel", "yes"),
                         QCoreApplication.translate("ResultsModel", "no"))}


# -- keeping the .ts and .qm files up to date (developers; the tools ship with PySide6) ----------

def tool(name: str) -> str | None:
    """PySide6's pyside6-lupdate / pyside6-lrelease, beside this Python or on the PATH (not
    another Qt's: its lrelease may write other bytes for the same sources)."""
    beside = Path(sys.executable).with_name(f"pyside6-{name}")
    if beside.exists():
        return str(beside)
    return shutil.which(f"pyside6-{name}")


def sources() -> list[Path]:
    return sorted(Path(__file__).resolve().parent.glob("*.py"))


def update(ts_dir: Path | None = None) -> None:
    """Re-read the strings of the code into pluk_nl.ts and pluk_en.ts (plural forms only)."""
    ts_dir = ts_dir or i18n_dir()
    lupdate = tool("lupdate")
    files = [str(p) for p in sources()]
    subprocess.run([lupdate, "-no-obsolete", "-locations", "none", *files,
                    "-ts", str(ts_dir / "pluk_nl.ts")], check=True)
    subprocess.run([lupdate, "-no-obsolete", "-locations", "none", "-pluralonly", *files,
                    "-ts", str(ts_dir / "pluk_en.ts")], check=True)


def release(ts_dir: Path | None = None, out_dir: Path | None = None) -> list[Path]:
    ts_dir = ts_dir or i18n_dir()
    out_dir = out_dir or ts_dir
    written = []
    for language in LANGUAGES:
        target = out_dir / f"pluk_{language}.qm"
        subprocess.run([tool("lrelease"), "-silent", "-nounfinished",
                        str(ts_dir / f"pluk_{language}.ts"), "-qm", str(target)], check=True)
        written.append(target)
    return written


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "update":
        update()
    elif command == "release":
        release()
    else:
        raise SystemExit("usage: python -m pluk.gui.i18n update|release")
