"""Owns importing a GGUF file the user already has (a USB stick, a network share, another app's
model folder): check it is GGUF, read its metadata, hash it, then copy it into the models folder
or register it where it lies (in place), and record it. Never touches the network."""

from __future__ import annotations

from pathlib import Path

from pluk.core import paths
from pluk.core.errors import ModelError, is_storage_error, storage_error
from pluk.core.models.download import format_bytes
from pluk.core.models.gguf_info import check_gguf_header, read_gguf_info
from pluk.core.models.load_probe import check_loads
from pluk.core.models import store
from pluk.core.models.store import InstalledModel
from pluk.core.models.transfer import (
    ProgressCallback,
    StopCheck,
    copy_with_sha256,
    sha256_with_progress,
)


def import_model(
    path: str | Path,
    *,
    copy: bool = True,
    model_id: str | None = None,
    licence: str | None = None,
    on_progress: ProgressCallback | None = None,
    should_stop: StopCheck | None = None,
) -> InstalledModel:
    """Install a local .gguf file; returns the existing entry when the same file (sha256) is
    already installed. copy=False registers the file in place (it must then stay where it is)."""
    path = Path(path).expanduser()
    check_gguf_header(path)  # a clear refusal of anything that is not GGUF, before any work
    read_gguf_info(path)  # and of a GGUF file too damaged to read
    # The store's copy gets a name every OS accepts: "D:evil model.gguf" is stored as
    # "D-evil-model.gguf" (a name with a drive letter or an NTFS stream never reaches a path).
    filename = store.safe_filename(path.name)
    if copy:
        try:
            staged = store.staging_dir() / f"import-{filename}.part"
            sha256 = copy_with_sha256(path, staged, on_progress=on_progress,
                                      should_stop=should_stop)
        except OSError as exc:  # the copy removed its partial file
            if not is_storage_error(exc):
                raise
            raise storage_error(
                exc, f"cannot copy {path.name} into the models folder {paths.models_dir()}",
                f"free {format_bytes(path.stat().st_size)} there, or register the file where "
                "it is with --in-place") from None
    else:
        staged = path.resolve()
        sha256 = sha256_with_progress(path, on_progress)
    try:
        check_loads(path, sha256)  # never install a file llama.cpp crashes on
    except ModelError:
        if copy:
            staged.unlink(missing_ok=True)
        raise
    existing = store.find_by_sha256(sha256)
    if existing is not None and Path(existing.path).is_file():
        if copy:
            staged.unlink(missing_ok=True)
        return existing
    if model_id is not None and store.get_installed(model_id) is not None:
        if copy:
            staged.unlink(missing_ok=True)
        raise ModelError(f"A model with the id '{model_id}' is already installed")
    return store.install_file(
        staged,
        model_id=model_id or store.unique_id(store.slugify(path.name)),
        filename=filename,
        sha256=sha256,
        source="import",
        in_place=not copy,
        licence=licence,
    )
