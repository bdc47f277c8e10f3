"""The user's settings: one pydantic model with a schema version, stored as JSON under platformdirs.

The run options (the one RunOptions model, of which the window edits threads, GPU layers, context
cap and temperature), where runs are written, and what the window remembers between sessions
(last task, model, the CSV delimiter and decimal mark, the language, a run stopped by quitting
that the next start offers to resume). A missing or damaged file gives the defaults, so a bad
settings file can never stop Pluk from starting; a file of an earlier schema version is migrated
when it is read.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pluk.core import paths
from pluk.core.options import RunOptions, nest_flat_options

SCHEMA_VERSION = 2
FILE_NAME = "settings.json"
MAX_RECENT_MODELS = 8

log = logging.getLogger(__name__)


class Settings(BaseModel):
    # An option of an earlier shape (n_threads at the top) fails instead of being dropped.
    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    run: RunOptions = Field(default_factory=RunOptions)
    output_dir: str | None = Field(default=None,
                                   description="Where new run folders go; None: paths.runs_dir()")
    # None: what a spreadsheet in the user's locale expects (the window decides: ';' and a
    # decimal comma where the locale writes decimals with a comma).
    csv_delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    csv_decimal: Literal[".", ","] | None = None
    language: Literal["auto", "en", "nl"] = Field(
        default="auto", description="The window's language; auto follows the system")
    resume_on_start: str | None = Field(
        default=None, description="A run folder stopped by quitting: offered at the next start")
    last_task: str | None = None
    last_model: str | None = None
    recent_models: list[str] = Field(default_factory=list)
    reviewer: str = Field(default="", max_length=100,
                          description="The name the Review tab writes into reviews.jsonl")

    @model_validator(mode="before")
    @classmethod
    def _migrate(cls, data: Any) -> Any:
        """Version 1 kept n_threads, n_gpu_layers, ctx_cap and temperature flat. (Every saved
        file names its version; a model built in code is of this one.)"""
        version = data.get("schema_version", SCHEMA_VERSION) if isinstance(data, dict) else None
        if not isinstance(version, int) or version >= 2:
            return data
        data = dict(data)
        flat = {key: data.pop(key) for key in ("n_threads", "n_gpu_layers", "ctx_cap",
                                               "temperature") if key in data}
        data["run"] = nest_flat_options(flat)
        data["schema_version"] = SCHEMA_VERSION
        return data

    def runs_folder(self) -> Path:
        if self.output_dir:
            path = Path(self.output_dir)
            path.mkdir(parents=True, exist_ok=True)
            return path
        return paths.runs_dir()

    def remember_model(self, path: str) -> None:
        self.last_model = path
        self.recent_models = [path] + [p for p in self.recent_models if p != path]
        del self.recent_models[MAX_RECENT_MODELS:]

    def forget_model(self, path: str) -> None:
        """A model that cannot be used leaves the recent list (and is not chosen next time)."""
        self.recent_models = [p for p in self.recent_models if p != path]
        if self.last_model == path:
            self.last_model = None


def settings_path() -> Path:
    return paths.user_config_dir() / FILE_NAME


def load_settings() -> Settings:
    path = settings_path()
    try:
        return Settings.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError, ValidationError) as exc:
        log.warning("ignoring damaged settings file %s: %s", path, exc)
        return Settings()


def save_settings(settings: Settings) -> Path:
    path = settings_path()
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(settings.model_dump(mode="json"), indent=2), encoding="utf-8")
    os.replace(tmp, path)
    return path
