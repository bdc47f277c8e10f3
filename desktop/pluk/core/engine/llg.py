"""The answer's grammar in llguidance: Pluk's GBNF converted to llguidance's Lark, a tokenizer
made from the model's own vocabulary (its token bytes cached per model file by vocab_table.py),
matchers, and full token masks.

Pluk's GBNF (engine/grammar.py) stays the one source of the answer's language. llguidance reads
it through its own converter (llguidance.gbnf_to_lark), with one repair: the converter writes a
code point escape without its leading zeros (`\\U00010000` becomes `\\U10000`), which
llguidance's regex syntax then rejects; it is rewritten as `\\u{10000}`. The tests compare the
masks of llguidance and of llama.cpp's own GBNF sampler along random paths through every task's
grammar: they agree, except where llama.cpp admits what no answer may hold (control tokens as
text, bytes that are not UTF-8, surrogates), which llguidance refuses.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from pluk.core.errors import PlukError

_HEX_ESCAPE = re.compile(r"(\\+)[uU]([0-9A-Fa-f]{1,8})")
_CACHE_SIZE = 2
_cache: OrderedDict[tuple, "_TokenizerEntry"] = OrderedDict()
_cache_lock = threading.Lock()


def _repair_escapes(lark: str) -> str:
    def fix(match: re.Match) -> str:
        slashes, digits = match.group(1), match.group(2)
        if len(slashes) % 2 == 0:  # an escaped backslash followed by a letter u
            return match.group(0)
        return f"{slashes}u{{{digits}}}"

    return _HEX_ESCAPE.sub(fix, lark)


def gbnf_to_llguidance(gbnf: str) -> str:
    """llguidance's grammar for a GBNF text; raises PlukError when it cannot be converted."""
    import llguidance
    from llguidance.gbnf_to_lark import gbnf_to_lark

    try:
        lark = _repair_escapes(gbnf_to_lark(gbnf))
    except Exception as exc:  # the converter raises assorted types
        raise PlukError(f"The task's grammar cannot be read by llguidance: {exc}") from exc
    return llguidance.LLMatcher.grammar_from_lark(lark)


class _TokenizerEntry:
    """A vocabulary-only model kept alive for as long as its llguidance tokenizer: the tokenizer
    calls llama_tokenize on that model's vocabulary."""

    def __init__(self, path: Path):
        from pluk.core.engine.native import NativeModel
        from pluk.core.engine.vocab_table import vocab_table

        self.model = NativeModel(path, vocab_only=True)
        self.tokenizer = build_tokenizer(self.model.vocab, vocab_table(self.model.vocab, path))


def build_tokenizer(vocab_ptr, table):
    """An llguidance tokenizer over a llama.cpp vocabulary: each token's bytes with control
    tokens marked (vocab_table.py; llguidance never lets them be written as text), and
    llama.cpp's own tokenizer for the forced text. As llguidance.llamacpp does, but from the
    cached table instead of its per-token calls. The tokenizer calls into `vocab_ptr`: the
    model that owns it must outlive it."""
    from llguidance import LLTokenizer

    from pluk.core.engine import native

    tokenize = native.tokenize_address()
    # Every end-of-generation token ends an answer (ChatML's <|im_end|>, Gemma's
    # <end_of_turn>), as llama.cpp's own grammar sampler allows them.
    # No slices: llguidance's default slices (token subsets precomputed for fast masks inside
    # strings) cost 0.45 s at every start on a 262k vocabulary, and bought nothing measurable:
    # the decoder computes a full mask only where the grammar refuses the model's choice (41
    # masks in 12 Gemma 3 reports, 7 ms in all, with slices or without).
    return LLTokenizer.from_llamacpp(tokens=table.llg_tokens, vocab_ptr=vocab_ptr,
                                     tokenize_fptr=tokenize,
                                     eos_token=table.eog or native.vocab_facts(vocab_ptr)[2],
                                     slices=[])


def tokenizer_for(path: str | Path):
    """The llguidance tokenizer of a model file with a vocabulary-only model of its own, built
    once per file (size and mtime); for tests and tools. A Decoder builds its own from the
    model it loaded."""
    path = Path(path).resolve()
    stat = path.stat()
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    with _cache_lock:
        entry = _cache.get(key)
        if entry is None:
            entry = _TokenizerEntry(path)
            _cache[key] = entry
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
        _cache.move_to_end(key)
    return entry


class Grammar:
    """A compiled answer grammar: a fresh matcher per answer is a copy of the first."""

    def __init__(self, tokenizer, gbnf: str):
        import llguidance

        self.gbnf = gbnf
        self.source = gbnf_to_llguidance(gbnf)
        self._tokenizer = tokenizer
        is_error, messages = llguidance.LLMatcher.validate_grammar_with_warnings(
            self.source, tokenizer)
        if is_error:
            raise PlukError(f"llguidance rejected the task's grammar: {messages[0][:300]}")
        self._pristine = llguidance.LLMatcher(tokenizer, self.source, log_level=0)
        if self._pristine.is_error():
            raise PlukError("llguidance rejected the task's grammar: "
                            f"{self._pristine.get_error()[:300]}")

    def matcher(self):
        return self._pristine.deep_copy()


# A mask with at most this many non-zero 32-token words is read as a list of token ids; a
# denser one (inside a string nearly every token is allowed) as booleans over the vocabulary.
SPARSE_WORDS = 256
_LANES = np.arange(32)


def _threads() -> int:
    """llguidance's threads for a batch of masks: the machine's CPUs (the decoder waits for
    the masks, and llama.cpp's threads are idle between decodes), at most 32."""
    return max(1, min(32, os.cpu_count() or 1))


class MaskBuffer:
    """Room for the full token masks of one decode step (one per answer whose choice the
    grammar refused), and the allowed tokens each says: as ascending token ids where few are
    allowed (digits, a quote, a key's next piece: reading a handful of words instead of the
    whole vocabulary), else as booleans over the vocabulary.

    Several masks are filled together by llguidance's executor, on its own threads and outside
    the GIL (as vLLM and SGLang fill a batch's masks); one mask by its matcher directly."""

    def __init__(self, n_vocab: int, tokenizer_vocab: int):
        self.n_vocab = n_vocab
        self._n_words = (max(n_vocab, tokenizer_vocab) + 31) // 32
        self._words = np.zeros((1, self._n_words), dtype=np.int32)
        self._executor = None

    def fill(self, matchers: list) -> None:
        """Compute the masks of `matchers`; mask j is then read with ids_at(j) or dense_at(j)."""
        if len(matchers) > self._words.shape[0]:
            self._words = np.zeros((len(matchers), self._n_words), dtype=np.int32)
        one = self._words.shape[1] * 4
        if len(matchers) == 1:
            matchers[0].unsafe_compute_mask_ptr(self._words.ctypes.data, one)
            return
        if self._executor is None:
            import llguidance

            self._executor = llguidance.LLExecutor(_threads())
        self._executor.unsafe_compute_mask_ptr(
            [(matcher, j) for j, matcher in enumerate(matchers)], self._words.ctypes.data,
            one, self._words.shape[0])

    def allowed(self, matcher) -> np.ndarray:
        """The allowed tokens as booleans over the vocabulary."""
        self.fill([matcher])
        return self.dense_at(0)

    def ids_at(self, j: int) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Mask j of the last fill: (ids, None) where few tokens are allowed, else
        (None, booleans)."""
        row = self._words[j]
        words = np.flatnonzero(row)
        if len(words) > SPARSE_WORDS:
            return None, self.dense_at(j)
        bits = np.unpackbits(row[words].view(np.uint8), bitorder="little")
        ids = (words[:, None] * 32 + _LANES).ravel()[bits.astype(bool)]
        return ids[ids < self.n_vocab], None

    def dense_at(self, j: int) -> np.ndarray:
        bits = np.unpackbits(self._words[j].view(np.uint8), bitorder="little")
        return bits[:self.n_vocab].view(bool)  # 0 and 1: already booleans, no copy


def llguidance_version() -> str:
    import llguidance

    return f"llguidance {llguidance.__version__}"
