"""Owns the curated model catalogue: `resources/models.json`, validated by pydantic on load.

The catalogue is data, not code: each entry names a GGUF file on the Hugging Face Hub (repo,
file, revision), what it costs (size, estimated memory), its licence, and, where known, the
sha256 the download must match. Exactly one entry is the default for a CPU workstation.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from pluk.core import paths
from pluk.core.errors import ModelError

CATALOGUE_FILE = "models.json"
_SHA256_HEX = r"^[0-9a-f]{64}$"
_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]*$"


class ArchShape(BaseModel):
    """The part of a model's shape that sizes its KV cache."""

    n_layer: int = Field(gt=0)
    n_head_kv: int = Field(gt=0)
    head_dim: int = Field(gt=0)


class CatalogueEntry(BaseModel):
    id: str = Field(pattern=_ID_PATTERN)
    title: str
    family: str | None = None
    repo: str = Field(pattern=r"^[\w.-]+/[\w.-]+$", description="Hub repo id, owner/name")
    filename: str
    revision: str = "main"
    size_bytes: int = Field(gt=0)
    size_verified: bool = False
    sha256: str | None = Field(default=None, pattern=_SHA256_HEX)
    licence: str
    licence_url: str | None = None
    quantization: str
    parameters_b: float = Field(gt=0, description="Billions of parameters")
    ram_gb: float = Field(gt=0, description="Estimated memory at an 8192-token context")
    context_length: int | None = Field(default=None, gt=0)
    arch: ArchShape | None = None
    default: bool = False
    dragon_utility: float | None = None
    notes: str | None = None

    @field_validator("filename")
    @classmethod
    def _gguf_file(cls, value: str) -> str:
        if not value.endswith(".gguf") or "/" in value or "\\" in value:
            raise ValueError("must be a plain .gguf file name")
        return value


class Catalogue(BaseModel):
    schema_version: int = 1
    notes: str | None = None
    models: list[CatalogueEntry]

    @model_validator(mode="after")
    def _consistent(self) -> "Catalogue":
        ids = [m.id for m in self.models]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate model ids: {', '.join(duplicates)}")
        defaults = [m.id for m in self.models if m.default]
        if len(defaults) != 1:
            raise ValueError(f"exactly one model must be the default, found {len(defaults)}")
        return self

    def get(self, model_id: str) -> CatalogueEntry | None:
        return next((m for m in self.models if m.id == model_id), None)

    @property
    def default(self) -> CatalogueEntry:
        return next(m for m in self.models if m.default)


def catalogue_path() -> Path:
    return paths.resources_dir() / CATALOGUE_FILE


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """The validated catalogue; ModelError with every problem when the file is broken."""
    path = Path(path) if path is not None else catalogue_path()
    return _load_cached(str(path), _mtime(path))


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@lru_cache(maxsize=4)
def _load_cached(path: str, _mtime_ns: int) -> Catalogue:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"The model catalogue is missing: {path}") from exc
    except (OSError, ValueError) as exc:
        raise ModelError(f"The model catalogue {path} cannot be read: {exc}") from exc
    try:
        return Catalogue.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ModelError(f"The model catalogue {path} is invalid: {problems}") from exc
