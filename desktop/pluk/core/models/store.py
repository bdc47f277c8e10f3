"""Owns the installed models: `registry.json` in `paths.models_dir()` and the files it lists.

A model is installed either by copying its file into `<models>/<id>/` (downloads, packs, and
imports by default) or by registering a file where it lies (`in_place`, for imports of files a
user keeps elsewhere; removing such a model never deletes the user's file). Every entry carries
the file's sha256 and size, a summary of its GGUF metadata, where it came from and its licence.
`resolve_model_path` turns what a user typed (a path, an installed id, a catalogue id) into a file.

Names: an id is a folder name and a file name is a file name in the models folder, on every OS,
so both come from a strict set (`check_model_id`, `check_filename`): ASCII letters, digits, '.',
'-', '_', no leading '.', no trailing '.', no Windows device name (con, nul, com1, ...), and an
id is never the registry's own name. A drive letter ("D:evil.gguf") or an NTFS stream
("x:y.gguf") cannot pass. The registry is rewritten through a temporary file whose name starts
with '.', which no id can.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from pluk.core import paths
from pluk.core.errors import ModelError
from pluk.core.models.gguf_info import GGUFSummary, check_gguf_header, file_sha256, read_gguf_info

REGISTRY_FILE = "registry.json"
ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,98}[a-z0-9_-])?$")
FILENAME_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,194})\.gguf$")
# Windows opens these as devices whatever follows the first dot ("nul.gguf" too).
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
                    *(f"lpt{i}" for i in range(10))}
STAGING_DIR = ".staging"
Source = Literal["catalogue", "hub", "import", "pack", "bundle"]


def validation_reason(exc: ValidationError) -> str:
    """One line naming the first field that failed and why (a pydantic dump is many lines)."""
    errors = exc.errors()
    if not errors:
        return str(exc).splitlines()[0]
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"]) or "the whole file"
    message = str(first["msg"]).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return f"field '{where}': {message}{more}"


def _windows_device(name: str) -> bool:
    return name.split(".", 1)[0].lower() in _WINDOWS_DEVICES


def check_model_id(model_id: str) -> str:
    """The id, or ValueError saying why it cannot name a model folder."""
    if not ID_PATTERN.match(model_id):
        raise ValueError(f"'{model_id}' is not a valid model id: use lower-case letters, digits, "
                         "'.', '-', '_', starting with a letter or digit and not ending in '.'")
    if model_id == REGISTRY_FILE or _windows_device(model_id):
        raise ValueError(f"'{model_id}' is not a valid model id: the name is reserved")
    return model_id


def check_filename(filename: str) -> str:
    """The file name, or ValueError saying why it cannot name a model file in the store."""
    if not FILENAME_PATTERN.match(filename):
        raise ValueError(f"{filename!r} is not a valid model filename: use ASCII letters, "
                         "digits, '.', '-', '_', starting with a letter or digit, ending in .gguf")
    if _windows_device(filename):
        raise ValueError(f"{filename!r} is not a valid model filename: the name is reserved")
    return filename


def safe_filename(name: str) -> str:
    """A store file name for a user's file: its name with every other character a '-'."""
    stem = name[:-5] if name.lower().endswith(".gguf") else name
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")[:190] or "model"
    if _windows_device(stem):
        stem = f"model-{stem}"
    return f"{stem}.gguf"


class InstalledModel(BaseModel):
    id: str
    path: str = Field(description="Absolute path of the .gguf file")
    filename: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int
    source: Source
    in_place: bool = Field(default=False, description="Registered where it lies, not copied")
    licence: str | None = None
    catalogue_id: str | None = None
    repo: str | None = None
    revision: str | None = None
    commit: str | None = None
    installed_at: str = Field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )
    gguf: GGUFSummary = Field(default_factory=GGUFSummary)
    unverified: bool = Field(
        default=False,
        description="Downloaded with no sha256 to check it against (none pinned, and the "
                    "server's ETag is not one): the sha256 is of the bytes as they arrived")


class Registry(BaseModel):
    schema_version: int = 1
    models: list[InstalledModel] = Field(default_factory=list)


class VerifyResult(BaseModel):
    id: str
    ok: bool
    expected_sha256: str
    actual_sha256: str | None = None
    message: str


# --- the registry file -------------------------------------------------------------------------


def registry_path() -> Path:
    return paths.models_dir() / REGISTRY_FILE


def _load() -> Registry:
    path = registry_path()
    if not path.exists():
        return Registry()
    try:
        return Registry.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise ModelError(f"The model registry {path} is damaged: {validation_reason(exc)}; "
                         "fix or delete it (the model files stay)") from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ModelError(f"The model registry {path} is unreadable: {reason}") from None


def _save(registry: Registry) -> None:
    path = registry_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A unique name starting with '.', never a model id: no id can make this write fail.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".registry-", suffix=".tmp")
    tmp = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(registry.model_dump_json(indent=2))
        os.replace(tmp, path)  # atomic: a crash leaves the old or the new registry, never half
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def list_installed() -> list[InstalledModel]:
    return list(_load().models)


def get_installed(model_id: str) -> InstalledModel | None:
    return next((m for m in _load().models if m.id == model_id), None)


def find_by_sha256(sha256: str) -> InstalledModel | None:
    return next((m for m in _load().models if m.sha256 == sha256), None)


def register(entry: InstalledModel) -> InstalledModel:
    """Add or replace (same id) an entry."""
    registry = _load()
    registry.models = [m for m in registry.models if m.id != entry.id] + [entry]
    _save(registry)
    return entry


# --- ids and folders ---------------------------------------------------------------------------


def slugify(name: str) -> str:
    """A model id from a file name: lower case, [a-z0-9._-], no .gguf suffix."""
    stem = name[:-5] if name.lower().endswith(".gguf") else name
    slug = re.sub(r"[^a-z0-9._-]+", "-", stem.lower()).strip("-._")
    return slug or "model"


def _usable(model_id: str) -> bool:
    try:
        check_model_id(model_id)
    except ValueError:
        return False
    return True


def unique_id(base: str) -> str:
    """`base`, or `base-2`, `base-3`, ...: the first that is free and not a reserved name."""
    taken = {m.id for m in _load().models}
    if base not in taken and _usable(base):
        return base
    n = 2
    while f"{base}-{n}" in taken or not _usable(f"{base}-{n}"):
        n += 1
    return f"{base}-{n}"


def model_folder(model_id: str) -> Path:
    return paths.models_dir() / model_id


def staging_dir() -> Path:
    """Partial downloads and copies; on the models volume so that installing is a rename."""
    path = paths.models_dir() / STAGING_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- installing --------------------------------------------------------------------------------


def install_file(
    staged: Path,
    *,
    model_id: str,
    filename: str,
    sha256: str,
    source: Source,
    in_place: bool = False,
    licence: str | None = None,
    **extra: Any,
) -> InstalledModel:
    """Move a complete, verified file into `<models>/<id>/<filename>` (or register it where it
    lies when in_place) and record it. The caller has checked the sha256."""
    staged = Path(staged)
    try:
        check_model_id(model_id)
        check_filename(filename)
    except ValueError as exc:
        if not in_place:
            staged.unlink(missing_ok=True)
        raise ModelError(str(exc)) from None
    try:
        info = read_gguf_info(staged)
    except ModelError:
        if not in_place:
            staged.unlink(missing_ok=True)
        raise
    if in_place:
        final = staged.resolve()
    else:
        folder = model_folder(model_id)
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / filename
        os.replace(staged, final)
    summary = info.summary()
    entry = InstalledModel(
        id=model_id,
        path=str(final),
        filename=filename,
        sha256=sha256,
        size_bytes=final.stat().st_size,
        source=source,
        in_place=in_place,
        licence=licence or summary.licence,
        gguf=summary,
        **extra,
    )
    return register(entry)


def adopt_bundled_models() -> list[InstalledModel]:
    """Register the models an offline installer placed beside the app (pluk.core.models.bundle)
    where they lie, with the sha256 from the bundle's manifest, so the first start hashes nothing
    (only a file the manifest does not list). Bundled files are never moved or deleted."""
    from pluk.core.models.bundle import bundled_models
    from pluk.core.models.gguf_info import file_sha256

    known = {str(Path(m.path).resolve()) for m in list_installed()}
    adopted = []
    for model in bundled_models():
        path = Path(model.path)
        if str(path.resolve()) in known or not path.is_file():
            continue
        if model.sha256 and find_by_sha256(model.sha256) is not None:
            continue
        adopted.append(install_file(
            path, model_id=unique_id(slugify(model.catalogue_id or path.stem)),
            filename=safe_filename(path.name), sha256=model.sha256 or file_sha256(path),
            source="bundle",
            in_place=True, catalogue_id=model.catalogue_id))
    return adopted


# --- remove, verify, resolve -------------------------------------------------------------------


def _require(model_id: str) -> InstalledModel:
    entry = get_installed(model_id)
    if entry is None:
        raise ModelError(f"No installed model has the id '{model_id}' (see `pluk models list`)")
    return entry


def remove(model_id: str) -> InstalledModel:
    """Unregister a model and delete its copied file; a file registered in place is kept."""
    entry = _require(model_id)
    registry = _load()
    registry.models = [m for m in registry.models if m.id != model_id]
    _save(registry)
    if not entry.in_place:
        path = Path(entry.path)
        path.unlink(missing_ok=True)
        folder = path.parent
        if folder.parent == paths.models_dir() and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    return entry


def verify(
    model_id: str, on_progress: Callable[[int, int], None] | None = None
) -> VerifyResult:
    """Recompute the file's sha256 (no cache) and compare it with the one recorded at install."""
    entry = _require(model_id)
    path = Path(entry.path)
    if not path.is_file():
        return VerifyResult(
            id=entry.id, ok=False, expected_sha256=entry.sha256, message=f"file missing: {path}"
        )
    actual = file_sha256(path, on_progress, use_cache=False)
    ok = actual == entry.sha256
    return VerifyResult(
        id=entry.id,
        ok=ok,
        expected_sha256=entry.sha256,
        actual_sha256=actual,
        message="ok" if ok else "sha256 differs from the one recorded at install: the file changed",
    )


def _looks_like_path(spec: str) -> bool:
    return spec.lower().endswith(".gguf") or os.sep in spec or "/" in spec or Path(spec).exists()


def resolve_model_path(spec: str) -> Path:
    """The .gguf file meant by `spec`: a path to a file, an installed model id, or the id of a
    catalogue model that is installed. Raises ModelError that says what to do otherwise."""
    from pluk.core.models.catalogue import load_catalogue  # the catalogue is only read here

    spec = spec.strip()
    adopt_bundled_models()
    if not spec:
        raise ModelError("No model given: pass a .gguf file or a model id (see `pluk models list`)")
    entry = get_installed(spec)
    if entry is None:
        entry = next((m for m in _load().models if m.catalogue_id == spec), None)
    if entry is not None:
        path = Path(entry.path)
        if not path.is_file():
            hint = (
                f"`pluk models download {entry.catalogue_id}`"
                if entry.catalogue_id
                else f"`pluk models remove {entry.id}` and import it again"
            )
            raise ModelError(
                f"The file of installed model '{entry.id}' is missing ({path}): {hint}"
            )
        return path
    if _looks_like_path(spec):
        path = Path(spec).expanduser()
        check_gguf_header(path)
        return path.resolve()
    catalogue_entry = load_catalogue().get(spec)
    if catalogue_entry is not None:
        raise ModelError(
            f"Model '{spec}' is not installed yet: download it once with "
            f"`pluk models download {spec}` ({catalogue_entry.size_bytes / 1e9:.1f} GB), "
            "or import a copy with `pluk models import-pack DIR`"
        )
    raise ModelError(
        f"Unknown model '{spec}': give a .gguf file, or an id from `pluk models list`"
    )


def disk_free(path: Path) -> int:
    return shutil.disk_usage(path).free
