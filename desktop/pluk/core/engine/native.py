"""Thin owners of llama.cpp's native objects for Pluk's decoder: a loaded model, a context with
several sequences, and a batch; a vocabulary's tokens; where llama.cpp's log lines go, and the
versions a manifest records. Every llama.cpp call of the engine is here (the test
tests/core/engine/test_native_api.py checks each against the pinned llama-cpp-python); nothing
here decides anything; decoder.py does.

The context gives each sequence a stream of its own cells, or one cache shared by all
(kv_unified): a prefix evaluated once in sequence 0 reaches another sequence through
llama_memory_seq_cp, copied between streams, shared (a second sequence id on the same cells) in
one cache. Logits may be read at several positions of one sequence per batch
(n_outputs_max_per_seq = 0; llama.cpp defaults to 1).
"""

from __future__ import annotations

import ctypes
import logging
import os
from pathlib import Path

import llama_cpp
import numpy as np

from pluk.core.errors import ModelError
from pluk.core.models.backends import ensure_loaded

_log_callback = None


def engine_versions() -> dict[str, str]:
    """Versions of llama-cpp-python and the llama.cpp/ggml it runs, for run manifests."""
    libs = sorted(p.name for p in (Path(llama_cpp.__file__).parent / "lib").glob("libggml.so.*"))
    variant = ensure_loaded()
    return {
        "llama_cpp_python": llama_cpp.__version__,
        "llama_cpp": llama_cpp.llama_cpp.llama_version().decode(),
        "ggml": libs[-1].removeprefix("libggml.so.") if libs else "unknown",
        "system_info": llama_cpp.llama_print_system_info().decode().strip(),
        "cpu_engine": variant.summary(),
    }


def route_llama_logs() -> None:
    """Send llama.cpp's own log lines to the 'pluk.llama' logger instead of stderr, so the CLI's
    output and the GUI's console stay clean; PLUK_DEBUG=1 (or a debug log handler) shows them.
    PLUK_DEBUG writes them to a copy of stderr's descriptor, taken here, so a later redirect of
    stderr (to /dev/null, as some loaders do) does not swallow them. One process-wide callback."""
    global _log_callback
    if _log_callback is not None:
        return
    log = logging.getLogger("pluk.llama")

    @llama_cpp.llama_log_callback
    def route(level: int, text: bytes, _user_data) -> None:
        log.debug(text.decode("utf-8", errors="replace").rstrip())

    if os.environ.get("PLUK_DEBUG") == "1":
        handler = logging.StreamHandler(os.fdopen(os.dup(2), "w", buffering=1))
        handler.setFormatter(logging.Formatter("llama.cpp: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)
    _log_callback = route  # llama.cpp keeps calling it: keep a reference
    llama_cpp.llama_log_set(route, ctypes.c_void_p(0))


class NativeModel:
    """A llama_model loaded from a GGUF file (weights, or only the vocabulary)."""

    def __init__(self, path: str | Path, *, n_gpu_layers: int = 0, vocab_only: bool = False,
                 extra_bufts: bool = True):
        route_llama_logs()
        ensure_loaded()  # an installer's engine loads its CPU variant first
        llama_cpp.llama_backend_init()
        self.path = Path(path)
        params = llama_cpp.llama_model_default_params()
        params.n_gpu_layers = n_gpu_layers
        params.vocab_only = vocab_only
        # Off only where the load probe saw the default crash (the AMX path): no AMX buffers,
        # and no CPU weight repacking either.
        params.use_extra_bufts = extra_bufts
        self.ptr = llama_cpp.llama_model_load_from_file(str(self.path).encode("utf-8"), params)
        if not self.ptr:
            raise ModelError(f"llama.cpp could not load {self.path.name}")
        self.vocab = llama_cpp.llama_model_get_vocab(self.ptr)

    def metadata(self) -> dict[str, str]:
        out: dict[str, str] = {}
        buf = ctypes.create_string_buffer(1 << 16)
        for i in range(llama_cpp.llama_model_meta_count(self.ptr)):
            n = llama_cpp.llama_model_meta_key_by_index(self.ptr, i, buf, len(buf))
            key = buf.value[:n].decode("utf-8", errors="replace") if n >= 0 else ""
            n = llama_cpp.llama_model_meta_val_str_by_index(self.ptr, i, buf, len(buf))
            if n >= len(buf):  # a value longer than the buffer (a long chat template)
                buf = ctypes.create_string_buffer(n + 1)
                n = llama_cpp.llama_model_meta_val_str_by_index(self.ptr, i, buf, len(buf))
            if key and n >= 0:
                out[key] = buf.value[:n].decode("utf-8", errors="replace")
        return out

    def close(self) -> None:
        ptr, self.ptr = getattr(self, "ptr", None), None
        if ptr:
            llama_cpp.llama_model_free(ptr)

    def __del__(self) -> None:
        self.close()


class Batch:
    """A llama_batch with room for `capacity` tokens, each of one sequence."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self.raw = llama_cpp.llama_batch_init(capacity, 0, 1)
        self.n = 0
        self.n_outputs = 0  # tokens whose logits the decode keeps: the rows of outputs()

    def clear(self) -> None:
        self.n = 0
        self.n_outputs = 0

    def add(self, token: int, pos: int, seq: int, logits: bool) -> int:
        i = self.n
        raw = self.raw
        raw.token[i] = token
        raw.pos[i] = pos
        raw.n_seq_id[i] = 1
        raw.seq_id[i][0] = seq
        raw.logits[i] = 1 if logits else 0
        self.n = i + 1
        if logits:
            self.n_outputs += 1
        return i

    def free(self) -> None:
        if self.raw is not None:
            llama_cpp.llama_batch_free(self.raw)
            self.raw = None

    def __del__(self) -> None:
        self.free()


class NativeContext:
    """A llama_context with `n_seq_max` sequences over one unified KV cache of n_ctx cells."""

    def __init__(self, model: NativeModel, *, n_ctx: int, n_batch: int, n_seq_max: int,
                 n_threads: int, n_threads_batch: int, kv_unified: bool = False,
                 flash_attn: bool | None = None):
        params = llama_cpp.llama_context_default_params()
        # None: llama.cpp decides (it turns flash attention on where the backend has it).
        if flash_attn is not None:
            params.flash_attn_type = (llama_cpp.LLAMA_FLASH_ATTN_TYPE_ENABLED if flash_attn
                                      else llama_cpp.LLAMA_FLASH_ATTN_TYPE_DISABLED)
        params.n_ctx = n_ctx
        params.n_batch = n_batch
        params.n_ubatch = n_batch
        params.n_seq_max = n_seq_max
        params.n_outputs_max_per_seq = 0
        params.n_threads = n_threads
        params.n_threads_batch = n_threads_batch
        params.kv_unified = kv_unified
        # A full-size sliding-window cache (Gemma 3): a side evaluation goes back to an earlier
        # position of a sequence, whose window a pruned cache would no longer hold.
        params.swa_full = True
        params.no_perf = True
        self.ptr = llama_cpp.llama_init_from_model(model.ptr, params)
        if not self.ptr:
            raise ModelError(f"llama.cpp could not create a context of {n_ctx} tokens for "
                             f"{model.path.name}")
        self.model = model
        self.n_ctx = llama_cpp.llama_n_ctx(self.ptr)
        self.n_ctx_seq = llama_cpp.llama_n_ctx_seq(self.ptr)
        self.n_vocab = llama_cpp.llama_vocab_n_tokens(model.vocab)
        self.memory = llama_cpp.llama_get_memory(self.ptr)
        self._abort = None
        self._no_abort = llama_cpp.ggml_abort_callback()
        self._n_outputs = 0  # rows of the last decode's logits table

    def set_threads(self, n_threads: int, n_threads_batch: int) -> None:
        llama_cpp.llama_set_n_threads(self.ptr, n_threads, n_threads_batch)

    def decode(self, batch: Batch, abort=None) -> int:
        """llama_decode; `abort` (a callable) is polled by llama.cpp after every graph node,
        so it is passed only for long prompt batches. Returns llama_decode's code."""
        if abort is not None:
            self._abort = llama_cpp.ggml_abort_callback(lambda _data: bool(abort()))
            llama_cpp.llama_set_abort_callback(self.ptr, self._abort, ctypes.c_void_p())
        batch.raw.n_tokens = batch.n
        self._n_outputs = batch.n_outputs
        try:
            return llama_cpp.llama_decode(self.ptr, batch.raw)
        finally:
            if abort is not None:
                llama_cpp.llama_set_abort_callback(self.ptr, self._no_abort, ctypes.c_void_p())
                self._abort = None

    def outputs(self) -> np.ndarray:
        """The logits of the last decode, one row per batch position that asked for them, in
        the order of the batch (llama.h: llama_get_logits): a view, valid until the next
        decode."""
        pointer = llama_cpp.llama_get_logits(self.ptr)
        n = self._n_outputs
        return np.ctypeslib.as_array(pointer, shape=(n, self.n_vocab)) if n else \
            np.empty((0, self.n_vocab), dtype=np.float32)

    def logits(self, i: int) -> np.ndarray:
        """The logits of batch position `i` of the last decode: a view, valid until the next
        decode."""
        pointer = llama_cpp.llama_get_logits_ith(self.ptr, i)
        return np.ctypeslib.as_array(pointer, shape=(self.n_vocab,))

    def seq_rm(self, seq: int, p0: int = -1, p1: int = -1) -> bool:
        return llama_cpp.llama_memory_seq_rm(self.memory, seq, p0, p1)

    def seq_cp(self, src: int, dst: int, p0: int = -1, p1: int = -1) -> None:
        llama_cpp.llama_memory_seq_cp(self.memory, src, dst, p0, p1)

    def seq_pos_max(self, seq: int) -> int:
        return llama_cpp.llama_memory_seq_pos_max(self.memory, seq)

    def close(self) -> None:
        ptr, self.ptr = getattr(self, "ptr", None), None
        if ptr:
            llama_cpp.llama_free(ptr)

    def __del__(self) -> None:
        self.close()


# -- the vocabulary: what vocab.py, vocab_table.py and llg.py read of it ----------------------

TOKEN_ATTR_CONTROL = llama_cpp.LLAMA_TOKEN_ATTR_CONTROL
TOKEN_ATTR_USER_DEFINED = llama_cpp.LLAMA_TOKEN_ATTR_USER_DEFINED
TOKEN_ATTR_UNKNOWN = llama_cpp.LLAMA_TOKEN_ATTR_UNKNOWN


def vocab_facts(vocab) -> tuple[int, int, int, bool]:
    """(number of tokens, BOS, EOS, whether a prompt starts with BOS) of a llama_vocab."""
    return (llama_cpp.llama_vocab_n_tokens(vocab), llama_cpp.llama_vocab_bos(vocab),
            llama_cpp.llama_vocab_eos(vocab), bool(llama_cpp.llama_vocab_get_add_bos(vocab)))


def token_to_piece(vocab, token: int, buf, special: bool) -> int:
    """llama_token_to_piece into `buf`: the bytes written, or minus the room needed."""
    return llama_cpp.llama_token_to_piece(vocab, token, buf, len(buf), 0, special)


def token_attr(vocab, token: int) -> int:
    return llama_cpp.llama_vocab_get_attr(vocab, token)


def is_eog(vocab, token: int) -> bool:
    return bool(llama_cpp.llama_vocab_is_eog(vocab, token))


def tokenize(vocab, data: bytes, *, add_bos: bool, special: bool) -> list[int]:
    """The tokens of `data` (UTF-8 bytes)."""
    room = len(data) + 8
    while True:
        out = (llama_cpp.llama_token * room)()
        n = llama_cpp.llama_tokenize(vocab, data, len(data), out, room, add_bos, special)
        if n >= 0:
            return list(out[:n])
        room = -n


def detokenize(vocab, tokens: list[int]) -> bytes:
    """The text of whole token lists as llama.cpp writes it."""
    array = (llama_cpp.llama_token * len(tokens))(*tokens)
    room = 8 * len(tokens) + 16
    while True:
        buf = ctypes.create_string_buffer(room)
        n = llama_cpp.llama_detokenize(vocab, array, len(tokens), buf, room, False, False)
        if n >= 0:
            return buf.raw[:n]
        room = -n


def tokenize_address() -> int:
    """The C address of llama_tokenize, which llguidance's tokenizer calls itself (the public
    ctypes function is the library's own function pointer)."""
    return ctypes.cast(llama_cpp.llama_tokenize, ctypes.c_void_p).value


def llama_cpp_version() -> str:
    """llama.cpp's own version string (a cache key for what depends on its tokenizer)."""
    return llama_cpp.llama_cpp.llama_version().decode()
