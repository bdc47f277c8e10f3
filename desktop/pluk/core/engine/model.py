"""A model file opened through llama.cpp: its vocabulary, special tokens and chat template, and
tokenizing the way Pluk's prompts need it.

Opened vocab-only (no weights: fast) it is what planning reads (extraction/context.py counts
tokens with it); Decoder extends it with the weights and a context. The file is checked before
llama.cpp sees it: a missing or non-GGUF file, or one that would crash llama.cpp while loading
(models/load_probe.py), is a ModelError with a reason.
"""

from __future__ import annotations

from pathlib import Path

from pluk.core.engine.answer_guard import TokenClasses
from pluk.core.engine.native import NativeModel
from pluk.core.engine.vocab import Vocabulary
from pluk.core.engine.vocab_table import vocab_table
from pluk.core.models.gguf_info import check_gguf_header
from pluk.core.models.load_probe import check_loads


class Model:
    """One llama_model; `vocab_only` loads just the tokenizer. One thread uses it."""

    def __init__(self, model_path: str | Path, *, vocab_only: bool = True,
                 n_gpu_layers: int = 0):
        self.model_path = Path(model_path)
        check_gguf_header(self.model_path)
        # Some files make llama.cpp abort the process instead of failing, and some machines
        # make it die computing (AMX): a child loads and runs each file once (cached by sha256
        # and machine); a crash there is a ModelError here, or the way that worked is taken.
        self.probe = check_loads(self.model_path, n_gpu_layers=n_gpu_layers)
        self.requested_gpu_layers = n_gpu_layers
        if self.probe.fallback == "no_gpu_layers":
            n_gpu_layers = 0
        self.vocab_only = vocab_only
        self.n_gpu_layers = n_gpu_layers
        self._model = NativeModel(self.model_path, n_gpu_layers=n_gpu_layers,
                                  vocab_only=vocab_only,
                                  extra_bufts=self.probe.fallback is None)
        ptr, path = self._model.vocab, self.model_path
        self.vocab = Vocabulary(ptr, lambda: vocab_table(ptr, path))
        self._metadata: dict[str, str] | None = None

    def hand_over(self, to: "Model") -> None:
        """Give this loaded model to `to` (a Decoder), which then owns and closes it: a run
        plans with the model it decodes with, and opens the file once."""
        to.__dict__.update({k: v for k, v in self.__dict__.items()
                            if k in ("model_path", "probe", "requested_gpu_layers", "vocab_only",
                                     "n_gpu_layers", "_model", "vocab", "_metadata")})
        self._model = None

    def serves(self, model_path: str | Path, *, n_gpu_layers: int) -> bool:
        """Whether this is the weights of `model_path` loaded as a run with these GPU layers
        would load them."""
        return (self._model is not None and not self.vocab_only
                and self.model_path.resolve() == Path(model_path).resolve()
                and self.requested_gpu_layers == n_gpu_layers)

    @property
    def metadata(self) -> dict[str, str]:
        if self._metadata is None:
            self._metadata = self._model.metadata()
        return self._metadata

    @property
    def chat_template(self) -> str | None:
        return self.metadata.get("tokenizer.chat_template")

    @property
    def bos_text(self) -> str:
        return self.vocab.token_text(self.vocab.bos)

    @property
    def eos_text(self) -> str:
        return self.vocab.token_text(self.vocab.eos)

    def tokenize(self, text: str, *, special: bool = False, add_bos: bool = False) -> list[int]:
        """Tokens of `text`. special=True parses control tokens such as <|im_start|>; report
        text is always tokenized with special=False, so it cannot inject them."""
        return self.vocab.tokenize(text, special=special, add_bos=add_bos)

    def tokenize_prompt(self, prefix: str, report: str, suffix: str) -> list[int]:
        """Tokens of a rendered prompt whose report sits between a fixed prefix and suffix.
        The parts are tokenized separately: the prefix tokens are then the same for every
        report (evaluated once), and report text never becomes control tokens."""
        bos = self.bos_text
        add_bos = self.vocab.adds_bos and not (bos and prefix.startswith(bos))
        return (self.tokenize(prefix, special=True, add_bos=add_bos) + self.tokenize(report)
                + self.tokenize(suffix, special=True))

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def detokenize(self, tokens: list[int]) -> str:
        return self.vocab.detokenize(tokens)

    def token_classes(self) -> TokenClasses:
        """The classes an AnswerGuard steers with (read once, on first use)."""
        return self.vocab.token_classes()

    def close(self) -> None:
        model = getattr(self, "_model", None)
        if model is not None:
            model.close()
            self._model = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
