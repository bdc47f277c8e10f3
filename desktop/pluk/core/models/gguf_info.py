"""Reads what a GGUF model file says about itself, and its sha256, without loading the model.

Used by `pluk inspect-model`, the run manifest and the model manager. The sha256 of a multi-GB
file takes seconds to minutes, so it is computed with progress and cached by (path, size, mtime).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pluk.core import paths
from pluk.core.errors import ModelError

GGUF_MAGIC = b"GGUF"
_HASH_CHUNK = 4 * 1024 * 1024


class GGUFInfo(BaseModel):
    path: str
    size_bytes: int
    architecture: str | None = None
    name: str | None = None
    parameters: int | None = None
    quantization: str | None = None
    context_length: int | None = None
    n_vocab: int | None = None
    chat_template: str | None = None
    metadata: dict[str, Any] = {}

    @property
    def has_chat_template(self) -> bool:
        return bool(self.chat_template)


def check_gguf_header(path: Path) -> None:
    """Raise ModelError unless `path` is a readable file that starts with the GGUF magic."""
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"Model file not found: {path}")
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ModelError(f"Cannot read model file {path}: {exc.strerror or exc}") from exc
    if magic != GGUF_MAGIC:
        raise ModelError(f"{path.name} is not a GGUF model file (it does not start with 'GGUF')")


def _quantization_name(file_type: int | None) -> str | None:
    if file_type is None:
        return None
    from gguf import LlamaFileType

    try:
        return LlamaFileType(file_type).name.removeprefix("MOSTLY_").removeprefix("ALL_")
    except ValueError:
        return f"type {file_type}"


def read_gguf_info(path: str | Path) -> GGUFInfo:
    """Metadata of a GGUF file; raises ModelError with a plain reason when it is not one."""
    path = Path(path)
    check_gguf_header(path)
    from gguf import GGUFReader, GGUFValueType

    try:
        reader = GGUFReader(str(path), "r")
    except Exception as exc:  # the reader raises assorted errors on truncated or corrupt files
        raise ModelError(f"{path.name} is not a valid GGUF file: {exc}") from exc

    scalars: dict[str, Any] = {}
    array_lengths: dict[str, int] = {}
    for key, field in reader.fields.items():
        if key.startswith("GGUF."):
            continue
        if field.types and field.types[0] == GGUFValueType.ARRAY:
            array_lengths[key] = len(field.data)
        else:
            scalars[key] = field.contents()

    arch = scalars.get("general.architecture")
    chat_template = scalars.pop("tokenizer.chat_template", None)
    metadata = dict(scalars)
    metadata.update({key: f"[array of {n}]" for key, n in array_lengths.items()})
    return GGUFInfo(
        path=str(path.resolve()),
        size_bytes=path.stat().st_size,
        architecture=arch,
        name=scalars.get("general.name"),
        parameters=int(sum(int(t.n_elements) for t in reader.tensors)) or None,
        quantization=_quantization_name(scalars.get("general.file_type")),
        context_length=scalars.get(f"{arch}.context_length") if arch else None,
        n_vocab=array_lengths.get("tokenizer.ggml.tokens"),
        chat_template=chat_template,
        metadata=metadata,
    )


def _cache_file() -> Path:
    return paths.user_cache_dir() / "sha256-cache.json"


def _cache_key(path: Path) -> str:
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"


def file_sha256(
    path: str | Path,
    on_progress: Callable[[int, int], None] | None = None,
    *,
    use_cache: bool = True,
) -> str:
    """sha256 of a file; on_progress(bytes_done, bytes_total) is called as it goes."""
    path = Path(path)
    key = _cache_key(path)
    cache: dict[str, str] = {}
    if use_cache:
        try:
            cache = json.loads(_cache_file().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            cache = {}
        if key in cache:
            return cache[key]
    total = path.stat().st_size
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if on_progress:
                on_progress(done, total)
    value = digest.hexdigest()
    if use_cache:
        cache[key] = value
        tmp = _cache_file().with_suffix(".tmp")
        tmp.write_text(json.dumps(cache, indent=0), encoding="utf-8")
        os.replace(tmp, _cache_file())
    return value
