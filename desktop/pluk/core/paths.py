"""Resolves every path Pluk uses: bundled data (tasks/, resources/) and per-user folders.

Bundled data is found the same way from a source checkout, an installed wheel and a frozen
PyInstaller bundle; per-user folders come from platformdirs. Nothing else in Pluk builds paths
to these places by hand.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "Pluk"
_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # desktop/pluk


def _data_root() -> Path:
    """The folder that holds tasks/ and resources/."""
    override = os.environ.get("PLUK_DATA_DIR")
    if override:
        return Path(override)
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:  # PyInstaller one-folder bundle
        return Path(frozen_root)
    checkout = _PACKAGE_DIR.parent.parent  # repo root: desktop/pluk/../..
    if (checkout / "tasks").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    return Path(sys.prefix) / "share" / "pluk"  # non-editable install (data-files)


def builtin_tasks_dir() -> Path:
    return _data_root() / "tasks"


def resources_dir() -> Path:
    return _data_root() / "resources"


def _user_dir(kind: str) -> Path:
    """A per-user folder; PLUK_HOME (tests, portable installs) puts them all under one root."""
    home = os.environ.get("PLUK_HOME")
    if home:
        path = Path(home) / kind
    else:
        getter = {
            "data": platformdirs.user_data_dir,
            "config": platformdirs.user_config_dir,
            "cache": platformdirs.user_cache_dir,
            "logs": platformdirs.user_log_dir,
        }[kind]
        path = Path(getter(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_data_dir() -> Path:
    return _user_dir("data")


def user_config_dir() -> Path:
    return _user_dir("config")


def user_cache_dir() -> Path:
    return _user_dir("cache")


def user_log_dir() -> Path:
    return _user_dir("logs")


def user_tasks_dir() -> Path:
    path = user_data_dir() / "tasks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    path = user_data_dir() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def runs_dir() -> Path:
    path = user_data_dir() / "runs"
    path.mkdir(parents=True, exist_ok=True)
    return path
