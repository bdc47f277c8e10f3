"""The user's settings: one pydantic model with a schema version, stored as JSON under platformdirs.

Run options (threads, GPU layers, context cap, temperature), where runs are written, and what the
window remembers between sessions (last task, model, CSV delimiter). A missing or damaged file
gives the defaults, so a bad settings file can never stop Pluk from starting.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from pluk.core import paths
from pluk.core.extraction.loop import RunOptions

SCHEMA_VERSION = 1
FILE_NAME = "settings.json"
MAX_RECENT_MODELS = 8

log = logging.getLogger(__name__)


class Settings(BaseModel):
    schema_version: int = SCHEMA_VERSION
    n_threads: int | None = Field(default=None, ge=1, le=512,
                                  description="CPU threads; None uses the physical cores")
    n_gpu_layers: int = Field(default=0, ge=-1, description="Layers on the GPU; -1 for all")
    ctx_cap: int = Field(default=8192, ge=512, le=262144,
                         description="Upper limit of the context size in tokens")
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    output_dir: str | None = Field(default=None,
                                   description="Where new run folders go; None: paths.runs_dir()")
    csv_delimiter: str = Field(default=",", min_length=1, max_length=1)
    last_task: str | None = None
    last_model: str | None = None
    recent_models: list[str] = Field(default_factory=list)

    def run_options(self) -> RunOptions:
        return RunOptions(ctx_cap=self.ctx_cap, n_threads=self.n_threads,
                          n_gpu_layers=self.n_gpu_layers, temperature=self.temperature)

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
