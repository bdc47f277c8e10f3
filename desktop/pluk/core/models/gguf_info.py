"""Reads what a GGUF model file says about itself, and its sha256, without loading the model.

Used by `pluk inspect-model`, the run manifest and the model manager. The sha256 of a multi-GB
file takes seconds to minutes, so it is computed with progress and cached by (path, size, mtime).
The metadata comes from the header alone (gguf_header: arrays such as the token list are skipped,
not decoded; 0.03 s instead of 9 s on Gemma 3's 262k vocabulary) and is cached the same way.

`GGUFSummary` is the one summary of a model's metadata (the registry, packs, the hardware
advisor and the model list use it); `GGUFInfo` is that summary plus what only a reading of the
file has: its path and size, the chat template and every scalar metadata key.

A file whose metadata contradicts its tensors (more layers claimed than it holds weights for, a
token embedding that does not match the vocabulary) is refused here: llama.cpp would abort the
whole process on some of these instead of raising. What no reading can foresee is left to
load_probe, which loads the file once in a child process.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, model_validator

from pluk.core import paths
from pluk.core.errors import ModelError
from pluk.core.models.gguf_header import (GGUFFormatError, GGUFHeader, TensorInfo,
                                          read_gguf_header)

GGUF_MAGIC = b"GGUF"
_HASH_CHUNK = 4 * 1024 * 1024


class GGUFSummary(BaseModel):
    """What the run manifest, the hardware advisor and the model list need from the metadata."""

    architecture: str | None = None
    name: str | None = None
    parameters: int | None = None
    quantization: str | None = None
    context_length: int | None = None
    n_vocab: int | None = None
    n_layer: int | None = None
    n_embd: int | None = None
    n_head: int | None = None
    n_head_kv: int | None = None
    head_dim: int | None = None
    has_chat_template: bool = False
    licence: str | None = None


class GGUFInfo(GGUFSummary):
    path: str
    size_bytes: int
    chat_template: str | None = None
    metadata: dict[str, Any] = {}

    @model_validator(mode="after")
    def _template_flag(self) -> "GGUFInfo":
        self.has_chat_template = bool(self.chat_template)
        return self

    def summary(self) -> GGUFSummary:
        return GGUFSummary.model_validate(self.model_dump(include=set(GGUFSummary.model_fields)))


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _shape(arch: str | None, meta: dict[str, Any]) -> dict[str, int | None]:
    """Layer and head counts from the `<arch>.*` keys, for the memory estimate."""
    def key(name: str) -> int | None:
        return _int_or_none(meta.get(f"{arch}.{name}")) if arch else None

    n_embd, n_head = key("embedding_length"), key("attention.head_count")
    head_dim = key("attention.key_length")
    if head_dim is None and n_embd and n_head:
        head_dim = n_embd // n_head
    # A per-layer array shows up as a string in the metadata; fall back to the head count then.
    return {"n_layer": key("block_count"), "n_embd": n_embd, "n_head": n_head,
            "n_head_kv": key("attention.head_count_kv") or n_head, "head_dim": head_dim}


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


# gguf.LlamaFileType's names without the MOSTLY_/ALL_ prefix, so that a cold read needs no
# `import gguf` (numpy and all: 0.1 s); a file type missing here is looked up there.
# tests/core/models/test_gguf_header.py checks the table against gguf-py.
_FILE_TYPES = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K",
    11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S",
    17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS",
    23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
    29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0",
    38: "MXFP4_MOE", 39: "NVFP4", 40: "Q1_0", 1024: "GUESSED",
}


def _quantization_name(file_type: int | None) -> str | None:
    if file_type is None:
        return None
    if file_type in _FILE_TYPES:
        return _FILE_TYPES[file_type]
    from gguf import LlamaFileType

    try:
        return LlamaFileType(file_type).name.removeprefix("MOSTLY_").removeprefix("ALL_")
    except ValueError:
        return f"type {file_type}"


_BLOCK = re.compile(r"blk\.(\d+)\.")


def _check_tensors(name: str, arch: str | None, tensors: list[TensorInfo],
                   scalars: dict[str, Any], n_vocab: int | None) -> None:
    """ModelError when the metadata promises what the tensors do not hold. llama.cpp trusts
    `<arch>.block_count` and aborts (GGML_ASSERT, no exception) when it is out of range."""
    damaged = f"{name} is damaged or inconsistent:"
    key = f"{arch}.block_count"
    n_layer = _int_or_none(scalars.get(key)) if arch else None
    if n_layer is not None:
        if n_layer <= 0:
            raise ModelError(f"{damaged} its metadata says it has {n_layer} layers ({key})")
        present = {int(m.group(1)) for t in tensors if (m := _BLOCK.match(t.name))}
        held = sum(1 for n in present if n < n_layer)
        if held < n_layer:
            first = next(n for n in range(n_layer) if n not in present)
            raise ModelError(f"{damaged} its metadata says {n_layer} layers ({key}) but it holds "
                             f"the weights of {held} (none for layer {first})")
    embedding = next((t for t in tensors if t.name == "token_embd.weight"), None)
    if embedding is None:
        return
    shape = [int(n) for n in embedding.shape]  # GGUF order: [n_embd, n_vocab]
    n_embd = _int_or_none(scalars.get(f"{arch}.embedding_length")) if arch else None
    if n_vocab is not None and len(shape) >= 2 and shape[1] != n_vocab:
        raise ModelError(f"{damaged} its token embedding has rows for {shape[1]} tokens but its "
                         f"vocabulary has {n_vocab}")
    if n_embd is not None and shape and shape[0] != n_embd:
        raise ModelError(f"{damaged} its token embedding is {shape[0]} wide but its metadata "
                         f"says {n_embd} ({arch}.embedding_length)")


def read_gguf_info(path: str | Path, *, use_cache: bool = True) -> GGUFInfo:
    """Metadata of a GGUF file; raises ModelError with a plain reason when it is not one.

    Only the header is read, arrays skipped (gguf_header), and the answer is cached by (path,
    size, mtime) in gguf-info-cache.json: a second call on an unchanged file reads nothing."""
    path = Path(path)
    key = None
    if use_cache:
        try:
            key = _cache_key(path)
        except OSError:
            key = None  # check_gguf_header says why
        if key is not None and (cached := _cached_info(key)) is not None:
            return cached
    check_gguf_header(path)
    try:
        header = read_gguf_header(path)
    except GGUFFormatError as exc:
        raise ModelError(f"{path.name} is not a valid GGUF file: {exc}") from None
    except OSError as exc:
        raise ModelError(f"Cannot read model file {path}: {exc.strerror or exc}") from exc
    info = _info_from_header(path, header)
    if key is not None:
        _store_info(key, info)
    return info


def _info_from_header(path: Path, header: GGUFHeader) -> GGUFInfo:
    scalars = dict(header.scalars)
    array_lengths = header.array_lengths
    arch = scalars.get("general.architecture")
    _check_tensors(path.name, arch, header.tensors, scalars,
                   array_lengths.get("tokenizer.ggml.tokens"))
    chat_template = scalars.pop("tokenizer.chat_template", None)
    metadata = dict(scalars)
    metadata.update({key: f"[array of {n}]" for key, n in array_lengths.items()})
    licence = scalars.get("general.license")
    return GGUFInfo(
        path=str(path.resolve()),
        size_bytes=header.file_size,
        architecture=arch,
        name=scalars.get("general.name"),
        parameters=sum(t.n_elements for t in header.tensors) or None,
        quantization=_quantization_name(scalars.get("general.file_type")),
        context_length=_int_or_none(scalars.get(f"{arch}.context_length")) if arch else None,
        n_vocab=array_lengths.get("tokenizer.ggml.tokens"),
        licence=licence if isinstance(licence, str) else None,
        chat_template=chat_template,
        metadata=metadata,
        **_shape(arch, scalars),
    )


# -- the cache of read_gguf_info: {"version": 1, "entries": {key: GGUFInfo}}, oldest first --

_INFO_CACHE_VERSION = 1
_INFO_CACHE_ENTRIES = 64


def _info_cache_file() -> Path:
    return paths.user_cache_dir() / "gguf-info-cache.json"


def _load_info_cache() -> dict[str, Any]:
    try:
        data = json.loads(_info_cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _INFO_CACHE_VERSION:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def _cached_info(key: str) -> GGUFInfo | None:
    entry = _load_info_cache().get(key)
    if entry is None:
        return None
    try:
        return GGUFInfo.model_validate(entry)
    except ValueError:  # written by another version of Pluk: read the file again
        return None


def _store_info(key: str, info: GGUFInfo) -> None:
    """Best effort: a full or read-only disk costs a reading next time, not this run."""
    entries = _load_info_cache()
    path = key.rsplit("|", 2)[0]
    entries = {k: v for k, v in entries.items() if k.rsplit("|", 2)[0] != path}  # stale ones
    entries[key] = info.model_dump(mode="json")
    entries = dict(list(entries.items())[-_INFO_CACHE_ENTRIES:])
    target = _info_cache_file()
    tmp = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        tmp.write_text(json.dumps({"version": _INFO_CACHE_VERSION, "entries": entries}),
                       encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        tmp.unlink(missing_ok=True)


def _cache_file() -> Path:
    return paths.user_cache_dir() / "sha256-cache.json"


def _cache_key(path: Path) -> str:
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"


def known_sha256(path: str | Path) -> str | None:
    """The sha256 of a file hashed before (same path, size and mtime), without hashing it: for
    what must stay instant (the window's model details)."""
    try:
        key = _cache_key(Path(path))
        return json.loads(_cache_file().read_text(encoding="utf-8")).get(key)
    except (OSError, ValueError, AttributeError):
        return None


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
        try:
            tmp.write_text(json.dumps(cache, indent=0), encoding="utf-8")
            os.replace(tmp, _cache_file())
        except OSError:  # a full disk costs a hash next time, not this run
            tmp.unlink(missing_ok=True)
    return value
