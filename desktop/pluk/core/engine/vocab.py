"""A model's vocabulary as the decoder uses it: each token's bytes (vocab_table.py, on first use),
the end-of-generation tokens, tokenizing and detokenizing, and the token classes an AnswerGuard
steers with.

An answer is followed token by token from the bytes of each new token, never by detokenizing
the whole answer again; `PieceText` turns those bytes into text for the guard, holding back the
bytes of a character that a token boundary splits until the next token completes it.
"""

from __future__ import annotations

import codecs
import ctypes
from collections.abc import Callable

from pluk.core.engine.answer_guard import TokenClasses
from pluk.core.engine.vocab_table import VocabTable, read_table


class Vocabulary:
    """`table` reads the whole vocabulary (vocab_table.py: from its cache, or token by token);
    it is called once, when a piece, the end-of-generation tokens or the classes are first
    needed: planning a run reads none of them."""

    def __init__(self, vocab_ptr, table: Callable[[], VocabTable] | None = None):
        from pluk.core.engine import native

        self._ptr = vocab_ptr
        self._table_source = table or (lambda: read_table(vocab_ptr))
        self._table: VocabTable | None = None
        self.n_vocab, self.bos, self.eos, self.adds_bos = native.vocab_facts(vocab_ptr)
        self._buf = ctypes.create_string_buffer(1024)
        self._eog: frozenset[int] | None = None

    @property
    def table(self) -> VocabTable:
        if self._table is None:
            self._table = self._table_source()
        return self._table

    @property
    def eog(self) -> frozenset[int]:
        if self._eog is None:
            self._eog = frozenset(self.table.eog)
        return self._eog

    def piece(self, token: int) -> bytes:
        """The bytes `token` writes (control tokens write nothing, as in an answer's text)."""
        return self.table.pieces[token]

    def _render(self, token: int, *, special: bool) -> bytes:
        from pluk.core.engine import native

        n = native.token_to_piece(self._ptr, token, self._buf, special)
        if n < 0:
            buf = ctypes.create_string_buffer(-n)
            n = native.token_to_piece(self._ptr, token, buf, special)
            return bytes(buf.raw[:n])
        return bytes(self._buf.raw[:n])

    def token_text(self, token: int) -> str:
        """A token's own text, control tokens included (for BOS/EOS in chat templates)."""
        if token < 0:
            return ""
        return self._render(token, special=True).decode("utf-8", errors="replace")

    def tokenize_bytes(self, data: bytes, *, special: bool = False,
                       add_bos: bool = False) -> list[int]:
        from pluk.core.engine import native

        if not data:
            return []
        return native.tokenize(self._ptr, data, add_bos=add_bos, special=special)

    def tokenize(self, text: str, *, special: bool = False, add_bos: bool = False) -> list[int]:
        return self.tokenize_bytes(text.encode("utf-8"), special=special, add_bos=add_bos)

    def detokenize_bytes(self, tokens: list[int]) -> bytes:
        """Text of whole token lists as llama.cpp writes it (a SentencePiece vocabulary drops
        the space it adds at the start); an answer is followed piece by piece instead."""
        from pluk.core.engine import native

        if not tokens:
            return b""
        return native.detokenize(self._ptr, tokens)

    def detokenize(self, tokens: list[int]) -> str:
        return self.detokenize_bytes(tokens).decode("utf-8", errors="replace")

    def continuation(self, before: bytes, text: bytes, head: list[int] | None = None,
                     ) -> list[int]:
        """Tokens of `text` as the tokenizer writes it after `before` (the answer so far):
        tokenized together, so a tokenizer that adds a space at the start of a text does not
        add one mid-answer. `head`: the tokens of `before`, where the caller has them (one
        decision tokenizes every option form after the same answer)."""
        if head is None:
            head = self.tokenize_bytes(before)
        joined = self.tokenize_bytes(before + text)
        if before and joined[:len(head)] == head:
            return joined[len(head):]
        return self.tokenize_bytes(text)

    def token_classes(self) -> TokenClasses:
        """The classes an AnswerGuard steers with."""
        return self.table.classes


class PieceText:
    """Bytes of successive tokens in, text out: a character split across tokens comes out
    whole with the token that completes it."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: bytes) -> str:
        return self._decoder.decode(data)
