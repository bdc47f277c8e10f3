"""Owns what Pluk reads of a model's whole vocabulary, once per model file: every token's bytes
(as an answer writes them, and as llguidance must know them, control tokens marked), the
end-of-generation tokens and the token classes an AnswerGuard steers with.

Reading that through llama.cpp takes three calls per token: for Gemma 3's 262,144 tokens about
a second, and the guard's classes half a second more, at every run. The table is therefore kept
on disk, keyed by the model file's sha256 and the llama.cpp version that rendered it, and
read back in a few tens of milliseconds (numpy arrays, no parsing per token). A damaged or
stale cache file is read again from llama.cpp, never trusted.
"""

from __future__ import annotations

import ctypes
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pluk.core import paths
from pluk.core.engine.answer_guard import TokenClasses, token_classes
from pluk.core.errors import PlukError

log = logging.getLogger(__name__)

_FORMAT = 1
_CLASS_NAMES = ("commas", "object_ends", "comma_then_other", "digits")


@dataclass
class VocabTable:
    pieces: list[bytes]         # what each token writes in an answer (control tokens: b"")
    llg_tokens: list[bytes]     # as llguidance reads them: special tokens b"\xff" + text
    eog: list[int]              # end-of-generation tokens
    classes: TokenClasses

    @property
    def n_vocab(self) -> int:
        return len(self.pieces)


def _render(vocab_ptr, token: int, buf, special: bool) -> bytes:
    from pluk.core.engine import native

    n = native.token_to_piece(vocab_ptr, token, buf, special)
    if n < 0:
        raise PlukError(f"Token {token} of the vocabulary is longer than {len(buf)} bytes")
    return buf.raw[:n]


def read_table(vocab_ptr) -> VocabTable:
    """The table, read token by token through llama.cpp."""
    from pluk.core.engine import native

    n_vocab = native.vocab_facts(vocab_ptr)[0]
    buf = ctypes.create_string_buffer(1024)
    control = native.TOKEN_ATTR_CONTROL
    user = native.TOKEN_ATTR_USER_DEFINED
    pieces: list[bytes] = []
    llg_tokens: list[bytes] = []
    eog: list[int] = []
    for token in range(n_vocab):
        special = _render(vocab_ptr, token, buf, True)
        attr = native.token_attr(vocab_ptr, token)
        plain = special
        if attr & (control | native.TOKEN_ATTR_UNKNOWN | user):
            plain = _render(vocab_ptr, token, buf, False)
        pieces.append(plain)
        # llguidance never lets a special token be written as text; it knows one by its mark.
        if attr & control or (attr & user and special.startswith(b"<")
                              and special.endswith(b">")):
            special = b"\xff" + special
        llg_tokens.append(special)
        if native.is_eog(vocab_ptr, token):
            eog.append(token)
    classes = token_classes((t, p.decode("utf-8", errors="replace"))
                            for t, p in enumerate(pieces))
    return VocabTable(pieces=pieces, llg_tokens=llg_tokens, eog=eog, classes=classes)


def _pack(items: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(b) for b in items), dtype=np.uint32, count=len(items))
    return lengths, np.frombuffer(b"".join(items), dtype=np.uint8)


def _unpack(lengths: np.ndarray, blob: np.ndarray) -> list[bytes]:
    data = blob.tobytes()
    ends = np.cumsum(lengths, dtype=np.int64).tolist()
    starts = [0] + ends[:-1]
    return [data[a:b] for a, b in zip(starts, ends)]


def _cache_path(sha256: str) -> Path:
    from pluk.core.engine import native

    version = native.llama_cpp_version().replace("/", "_")
    return paths.user_cache_dir() / "vocab" / f"{sha256}-{version}-v{_FORMAT}.npz"


def _save(path: Path, table: VocabTable) -> None:
    """Best effort: a cache that cannot be written costs a reading next time."""
    pieces_len, pieces_blob = _pack(table.pieces)
    llg_len, llg_blob = _pack(table.llg_tokens)
    arrays = {"pieces_len": pieces_len, "pieces_blob": pieces_blob, "llg_len": llg_len,
              "llg_blob": llg_blob, "eog": np.asarray(table.eog, dtype=np.int64)}
    for name in _CLASS_NAMES:
        arrays[name] = np.asarray(getattr(table.classes, name), dtype=np.int64)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        log.warning("could not cache the vocabulary in %s: %s", path, exc)


def _load(path: Path, n_vocab: int) -> VocabTable | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            pieces = _unpack(data["pieces_len"], data["pieces_blob"])
            llg_tokens = _unpack(data["llg_len"], data["llg_blob"])
            eog = data["eog"].tolist()
            classes = TokenClasses(**{name: data[name].tolist() for name in _CLASS_NAMES})
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, EOFError) as exc:
        log.warning("the cached vocabulary %s is damaged (%s); reading it again", path.name, exc)
        return None
    if len(pieces) != n_vocab or len(llg_tokens) != n_vocab:
        log.warning("the cached vocabulary %s has %d tokens, the model %d; reading it again",
                    path.name, len(pieces), n_vocab)
        return None
    return VocabTable(pieces=pieces, llg_tokens=llg_tokens, eog=eog, classes=classes)


def vocab_table(vocab_ptr, model_path: str | Path) -> VocabTable:
    """The model's table: from the cache when this file (by sha256) was read before."""
    from pluk.core.engine import native
    from pluk.core.models.gguf_info import file_sha256

    n_vocab = native.vocab_facts(vocab_ptr)[0]
    try:
        path = _cache_path(file_sha256(model_path))
    except OSError:
        return read_table(vocab_ptr)
    table = _load(path, n_vocab)
    if table is None:
        table = read_table(vocab_ptr)
        _save(path, table)
    return table
