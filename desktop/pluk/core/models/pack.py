"""Owns offline model packs: a folder with one .gguf file and `pluk-model-pack.json` (sha256,
size, GGUF metadata summary, licence, origin). One machine with network exports a pack to a USB
disk or share; air-gapped workstations import it, and the sha256 proves it arrived intact.

A pack comes from outside, so its manifest is checked field by field: its id and filename must be
names the store accepts on every OS (`store.check_model_id`, `store.check_filename`; a filename
such as "D:evil.gguf" would point outside the pack and the store on Windows), and its file is
always hashed, also when a model with the same sha256 is installed already."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from pluk import __version__
from pluk.core.errors import ModelError
from pluk.core.models.gguf_info import GGUFSummary, check_gguf_header
from pluk.core.models import store
from pluk.core.models.store import InstalledModel
from pluk.core.models.transfer import (
    ProgressCallback,
    StopCheck,
    copy_with_sha256,
    sha256_with_progress,
)

MANIFEST = "pluk-model-pack.json"


class PackManifest(BaseModel):
    format: Literal["pluk-model-pack"] = "pluk-model-pack"
    format_version: Literal[1] = 1
    id: str
    filename: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int = Field(gt=0)
    licence: str | None = None
    source: dict[str, Any] = Field(
        default_factory=dict, description="How the exporting machine got it: source, repo, ..."
    )
    gguf: GGUFSummary = Field(default_factory=GGUFSummary)
    created_at: str = Field(
        default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds")
    )
    created_by: str = f"pluk {__version__}"

    @field_validator("id")
    @classmethod
    def _valid_id(cls, value: str) -> str:
        return store.check_model_id(value)

    @field_validator("filename")
    @classmethod
    def _valid_filename(cls, value: str) -> str:
        return store.check_filename(value)


def export_pack(
    model_id: str,
    dest_dir: str | Path,
    *,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> Path:
    """Write an installed model as a pack into dest_dir (created if needed); returns the
    manifest's path. The copy is hashed as it is written and must match the installed sha256."""
    entry = store.get_installed(model_id)
    if entry is None:
        raise ModelError(f"No installed model has the id '{model_id}' (see `pluk models list`)")
    src = Path(entry.path)
    if not src.is_file():
        raise ModelError(f"The file of model '{model_id}' is missing: {src}")
    dest_dir = Path(dest_dir).expanduser()
    dest_dir.mkdir(parents=True, exist_ok=True)
    # A model installed before names were checked may have a name no pack may carry.
    filename = store.safe_filename(entry.filename)
    target = dest_dir / filename
    if (dest_dir / MANIFEST).exists() or target.exists():
        raise ModelError(f"{dest_dir} already holds a model pack; choose an empty folder")
    tmp = dest_dir / f".{filename}.part"
    sha256 = copy_with_sha256(src, tmp, on_progress=on_progress, should_stop=should_stop)
    if sha256 != entry.sha256:
        tmp.unlink(missing_ok=True)
        raise ModelError(
            f"The installed file of '{model_id}' changed since it was installed (sha256 "
            f"{sha256}, recorded {entry.sha256}); run `pluk models verify {model_id}`"
        )
    tmp.replace(target)
    manifest = PackManifest(
        id=entry.id,
        filename=filename,
        sha256=entry.sha256,
        size_bytes=entry.size_bytes,
        licence=entry.licence,
        source={
            k: v
            for k, v in {
                "source": entry.source,
                "catalogue_id": entry.catalogue_id,
                "repo": entry.repo,
                "revision": entry.revision,
                "commit": entry.commit,
            }.items()
            if v is not None
        },
        gguf=entry.gguf,
    )
    path = dest_dir / MANIFEST
    path.write_text(manifest.model_dump_json(indent=2), encoding="utf-8")  # last: marks it done
    return path


def read_manifest(pack_dir: str | Path) -> PackManifest:
    path = Path(pack_dir).expanduser() / MANIFEST
    try:
        return PackManifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise ModelError(f"{Path(pack_dir)} is not a Pluk model pack (no {MANIFEST})") from exc
    except ValidationError as exc:
        raise ModelError(f"The pack manifest {path} is invalid: "
                         f"{store.validation_reason(exc)}") from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ModelError(f"The pack manifest {path} cannot be read: {reason}") from None


def _check_sha256(manifest: PackManifest, sha256: str) -> None:
    if sha256 != manifest.sha256:
        raise ModelError(
            f"The pack's {manifest.filename} does not match its manifest (sha256 {sha256}, "
            f"expected {manifest.sha256}): it is damaged or altered; nothing was installed"
        )


def import_pack(
    pack_dir: str | Path,
    *,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> InstalledModel:
    """Verify a pack's file against its manifest (size, then sha256 while copying) and install
    it. A file that does not match is refused and nothing is installed."""
    pack_dir = Path(pack_dir).expanduser()
    manifest = read_manifest(pack_dir)
    src = pack_dir / manifest.filename
    if not src.is_file():
        raise ModelError(f"The pack in {pack_dir} lacks its model file {manifest.filename}")
    size = src.stat().st_size
    if size != manifest.size_bytes:
        raise ModelError(
            f"The pack's {manifest.filename} has {size} bytes, its manifest says "
            f"{manifest.size_bytes}: the copy is incomplete or altered; nothing was installed"
        )
    check_gguf_header(src)
    existing = store.find_by_sha256(manifest.sha256)
    if existing is not None and Path(existing.path).is_file():
        # Installed already: no copy, but the pack's own file is still hashed, so a damaged pack
        # is never reported as matching.
        _check_sha256(manifest, sha256_with_progress(src, on_progress))
        return existing
    staged = store.staging_dir() / f"pack-{manifest.filename}.part"
    sha256 = copy_with_sha256(src, staged, on_progress=on_progress, should_stop=should_stop)
    if sha256 != manifest.sha256:
        staged.unlink(missing_ok=True)
    _check_sha256(manifest, sha256)
    taken = store.get_installed(manifest.id)
    origin = manifest.source
    return store.install_file(
        staged,
        model_id=manifest.id if taken is None else store.unique_id(manifest.id),
        filename=manifest.filename,
        sha256=sha256,
        source="pack",
        licence=manifest.licence,
        catalogue_id=origin.get("catalogue_id"),
        repo=origin.get("repo"),
        revision=origin.get("revision"),
        commit=origin.get("commit"),
    )
