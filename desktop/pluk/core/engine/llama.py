"""LlamaEngine: the one owner of one llama.cpp model, in-process.

It tokenizes with the model's own tokenizer, compiles grammars from JSON schemas (raising on a
schema the converter cannot handle, instead of falling back to free JSON), and runs one
constrained completion at a time. A `Llama` is not thread-safe: exactly one thread may use an
engine. Cancellation works between tokens (stopping criteria) and during prompt processing
(llama.cpp's abort callback); after an abort the KV cache is reset so the engine works again.
"""

from __future__ import annotations

import codecs
import ctypes
import json
import time
from collections.abc import Callable
from pathlib import Path

import jinja2
from pydantic import BaseModel, Field

from pluk.core.engine.answer_guard import AnswerGuard, TokenClasses, token_classes
from pluk.core.errors import CancelledError, ModelError, PlukError
from pluk.core.models.gguf_info import check_gguf_header
from pluk.core.engine.grammar import schema_to_gbnf
from pluk.core.models.hardware import default_threads, usable_cpus
from pluk.core.engine.option_tree import branch_probabilities
from pluk.core.options import DecodingOptions, HardwareOptions

ShouldStop = Callable[[], bool]


class Completion(BaseModel):
    text: str
    output_tokens: list[int] = Field(default_factory=list, exclude=True)
    finish_reason: str | None
    tokens_prompt: int
    tokens_cached: int
    tokens_output: int
    seconds: float


def engine_versions() -> dict[str, str]:
    """Versions of llama-cpp-python and the llama.cpp/ggml it runs, for run manifests."""
    import llama_cpp

    libs = sorted(p.name for p in (Path(llama_cpp.__file__).parent / "lib").glob("libggml.so.*"))
    return {
        "llama_cpp_python": llama_cpp.__version__,
        "llama_cpp": llama_cpp.llama_cpp.llama_version().decode(),
        "ggml": libs[-1].removeprefix("libggml.so.") if libs else "unknown",
        "system_info": llama_cpp.llama_print_system_info().decode().strip(),
    }


_log_callback = None


def _route_llama_logs() -> None:
    """Send llama.cpp's own log lines to the 'pluk.llama' logger instead of stderr, so the CLI's
    output and the GUI's console stay clean; PLUK_DEBUG=1 (or a debug log handler) shows them."""
    global _log_callback
    if _log_callback is not None:
        return
    import logging

    import llama_cpp

    log = logging.getLogger("pluk.llama")

    @llama_cpp.llama_log_callback
    def route(level: int, text: bytes, _user_data) -> None:
        log.debug(text.decode("utf-8", errors="replace").rstrip())

    _log_callback = route  # keep a reference for as long as llama.cpp may call it
    llama_cpp.llama_log_set(route, ctypes.c_void_p(0))


class LlamaEngine:
    """One loaded model with an `n_ctx`-token context, run as `hardware` and `decoding` say.
    `vocab_only=True` loads just the tokenizer (fast), for planning."""

    def __init__(self, model_path: str | Path, n_ctx: int = 4096,
                 hardware: HardwareOptions | None = None, decoding: DecodingOptions | None = None,
                 *, vocab_only: bool = False):
        from llama_cpp import Llama

        _route_llama_logs()
        self.model_path = Path(model_path)
        check_gguf_header(self.model_path)
        self.hardware = hardware or HardwareOptions()
        self.decoding = decoding or DecodingOptions()
        self.vocab_only = vocab_only
        try:
            self._llm = Llama(
                model_path=str(self.model_path),
                n_ctx=n_ctx,
                n_threads=self.hardware.n_threads or default_threads(),
                n_threads_batch=self.hardware.n_threads or usable_cpus(),
                n_gpu_layers=self.hardware.n_gpu_layers,
                n_batch=self.hardware.n_batch,
                seed=self.decoding.seed,
                vocab_only=vocab_only,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(f"llama.cpp could not load {self.model_path.name}: {exc}") from exc
        except jinja2.TemplateError as exc:
            # llama-cpp-python compiles every chat template in the file while loading, also
            # named variants Pluk never uses: a broken one is one line, not a traceback.
            raise ModelError(f"The chat template of {self.model_path.name} cannot be used: "
                             f"{exc}") from exc
        self._grammars: dict[str, object] = {}
        self._token_classes: TokenClasses | None = None
        self._should_stop: ShouldStop | None = None
        self._abort_cb = None
        if not vocab_only:
            self._install_abort_callback()

    # -- model facts ---------------------------------------------------------------------

    @property
    def metadata(self) -> dict[str, str]:
        return dict(self._llm.metadata)

    @property
    def chat_template(self) -> str | None:
        return self._llm.metadata.get("tokenizer.chat_template")

    def _token_text(self, token_id: int) -> str:
        if token_id < 0:
            return ""
        return self._llm._model.token_get_text(token_id)

    @property
    def bos_text(self) -> str:
        return self._token_text(self._llm.token_bos())

    @property
    def eos_text(self) -> str:
        return self._token_text(self._llm.token_eos())

    @property
    def n_ctx(self) -> int:
        return self._llm.n_ctx()

    # -- tokens --------------------------------------------------------------------------

    def tokenize(self, text: str, *, special: bool = False, add_bos: bool = False) -> list[int]:
        """Tokens of `text`. special=True parses control tokens such as <|im_start|>; report
        text is always tokenized with special=False, so it cannot inject them."""
        if not text:
            return []
        return self._llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=special)

    def tokenize_prompt(self, prefix: str, report: str, suffix: str) -> list[int]:
        """Tokens of a rendered prompt whose report part sits between a fixed prefix and
        suffix. Tokenizing the parts separately keeps the prefix tokens identical for every
        report (so llama.cpp reuses them) and keeps report text from becoming control tokens."""
        add_bos = self._llm._model.add_bos_token() and not (
            self.bos_text and prefix.startswith(self.bos_text))
        return (self.tokenize(prefix, special=True, add_bos=add_bos)
                + self.tokenize(report)
                + self.tokenize(suffix, special=True))

    def count_tokens(self, text: str) -> int:
        return len(self.tokenize(text))

    def detokenize(self, tokens: list[int]) -> str:
        return self.detokenize_bytes(tokens).decode("utf-8", errors="replace")

    def detokenize_bytes(self, tokens: list[int]) -> bytes:
        return self._llm.detokenize(tokens)

    # -- grammar -------------------------------------------------------------------------

    def grammar(self, schema: dict):
        """A grammar for the schema; raises PlukError when the converter cannot handle it
        (response_format would silently fall back to free JSON instead)."""
        import llama_cpp
        from llama_cpp import LlamaGrammar

        key = json.dumps(schema)
        if key not in self._grammars:
            try:
                grammar = LlamaGrammar.from_string(schema_to_gbnf(schema), verbose=False)
            except Exception as exc:  # the converter raises assorted types
                raise PlukError(f"The task's schema cannot be turned into a grammar: {exc}") \
                    from exc
            # LlamaGrammar only holds text; llama.cpp parses it when sampling starts, and a
            # grammar it rejects (e.g. too many repetitions) then crashes the process. Parse it
            # here once and refuse it with a reason instead.
            sampler = llama_cpp.llama_sampler_init_grammar(
                self._llm._model.vocab, grammar._grammar.encode("utf-8"), b"root")
            if not sampler:
                raise PlukError("llama.cpp rejected the task's grammar, usually because a text "
                                "field's max_length or a list's max_items is too large; lower "
                                "them")
            llama_cpp.llama_sampler_free(sampler)
            self._grammars[key] = grammar
        return self._grammars[key]

    # -- generation ----------------------------------------------------------------------

    def _install_abort_callback(self) -> None:
        import llama_cpp

        def abort(_data) -> bool:
            should_stop = self._should_stop
            return bool(should_stop and should_stop())

        # Keep a reference: ctypes does not, and a collected callback crashes llama.cpp.
        self._abort_cb = llama_cpp.ggml_abort_callback(abort)
        llama_cpp.llama_set_abort_callback(self._llm._ctx.ctx, self._abort_cb, ctypes.c_void_p())

    def cached_prefix(self, tokens: list[int]) -> int:
        """How many leading tokens of `tokens` are already evaluated in the KV cache."""
        n = 0
        for a, b in zip(self._llm._input_ids.tolist(), tokens):
            if a != b:
                break
            n += 1
        return n

    def token_classes(self) -> TokenClasses:
        """The vocabulary's token classes an AnswerGuard steers with; read once per model,
        when a guard first has something to steer."""
        if self._token_classes is None:
            pieces = ((token, self.detokenize([token])) for token in range(self._llm.n_vocab()))
            self._token_classes = token_classes(pieces)
        return self._token_classes

    def _guard_processor(self, guard: AnswerGuard, n_prompt: int):
        """A logits processor that follows the answer and applies what `guard` steers."""
        import numpy as np

        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        fed = n_prompt

        def process(input_ids, scores):
            nonlocal fed
            if len(input_ids) > fed:
                piece = self._llm.detokenize([int(t) for t in input_ids[fed:]])
                guard.feed(decoder.decode(piece))
                fed = len(input_ids)
            steer = guard.steer()
            if steer.only is not None:
                keep = scores[steer.only].copy()
                scores[:] = -np.inf
                scores[steer.only] = keep
            elif steer.banned:
                scores[steer.banned] = -np.inf
            return scores

        return process

    def complete(self, tokens: list[int], *, grammar, max_tokens: int,
                 should_stop: ShouldStop | None = None, guard: AnswerGuard | None = None,
                 time_limit: float | None = None) -> Completion:
        """One constrained completion. Raises CancelledError when should_stop() turns true.
        `guard` steers where the grammar cannot (a repeated list, a decimal comma);
        `time_limit` (seconds) ends an answer that takes longer, with finish_reason "time"."""
        from llama_cpp import LogitsProcessorList, StoppingCriteriaList

        if self.vocab_only:
            raise PlukError("This engine was opened for tokenizing only")
        stop = should_stop or (lambda: False)
        reuse = self.decoding.reuse_prefix
        if not reuse:
            self._llm.reset()
        cached = self.cached_prefix(tokens) if reuse else 0
        self._should_stop = stop
        started = time.perf_counter()
        out_of_time = [False]

        def halt(_ids, _logits) -> bool:
            if time_limit is not None and time.perf_counter() - started > time_limit:
                out_of_time[0] = True
            return out_of_time[0] or stop()

        processors = None
        if guard is not None:
            processors = LogitsProcessorList([self._guard_processor(guard, len(tokens))])
        try:
            result = self._llm.create_completion(
                prompt=tokens,
                max_tokens=max_tokens,
                temperature=self.decoding.temperature,
                # The whole distribution at that temperature: llama-cpp-python's own defaults
                # (top_k 40, top_p 0.95) would cut it.
                top_p=1.0,
                top_k=0,
                grammar=grammar,
                logits_processor=processors,
                stopping_criteria=StoppingCriteriaList([halt]),
            )
        except RuntimeError as exc:
            # An abort during prompt processing surfaces as a failed llama_decode.
            self._llm.reset()
            if stop():
                raise CancelledError("stopped during prompt processing") from exc
            raise
        finally:
            self._should_stop = None
        if stop():
            self._llm.reset()
            raise CancelledError("stopped during generation")
        choice = result["choices"][0]
        usage = result["usage"]
        evaluated = self._llm._input_ids.tolist()
        return Completion(
            text=choice["text"],
            output_tokens=evaluated[len(tokens):] if evaluated[:len(tokens)] == tokens else [],
            finish_reason="time" if out_of_time[0] else choice.get("finish_reason"),
            tokens_prompt=usage["prompt_tokens"],
            tokens_cached=cached,
            tokens_output=usage["completion_tokens"],
            seconds=time.perf_counter() - started,
        )

    # -- option probabilities ------------------------------------------------------------

    def _evaluate_to(self, context: list[int]) -> None:
        """Make the KV cache hold exactly `context`, reusing the common prefix, so that the
        last logits are those of the token after it."""
        llm = self._llm
        keep = min(self.cached_prefix(context), len(context) - 1)
        llm.n_tokens = keep  # eval() drops the cache beyond this position first
        llm.eval(context[keep:])

    def leading_tokens(self, tokens: list[int], target: bytes) -> tuple[int, bytes]:
        """How many leading `tokens` write a prefix of `target`, and the bytes they write."""
        done = b""
        used = 0
        for token in tokens:
            piece = self.detokenize_bytes([token])
            if not target.startswith(done + piece):
                break
            done += piece
            used += 1
        return used, done

    def token_boundary(self, output_tokens: list[int], raw: str, char: int,
                       ) -> tuple[int, str, list[int]]:
        """Where the model's own tokens stop before character `char` of its answer `raw`:
        (how many generated tokens end at or before it, the text between their end and `char`,
        the generated tokens from there on). BPE vocabularies write the space after '":'
        together with the value (' true'), so a decision is read from the last whole token the
        model generated, never from a token boundary it did not make."""
        target = raw[:char].encode("utf-8")
        used, done = self.leading_tokens(output_tokens, target)
        lead = target[len(done):].decode("utf-8", errors="replace")
        return used, lead, output_tokens[used:]

    def continuation_tokens(self, before: str, text: str) -> list[int]:
        """Tokens of `text` as they would follow `before` (the answer so far): tokenized
        together, so a tokenizer that adds a space at the start of a text (SentencePiece)
        does not add one mid-answer."""
        head = self.tokenize(before)
        joined = self.tokenize(before + text)
        if before and joined[:len(head)] == head:
            return joined[len(head):]
        return self.tokenize(text)

    def _last_logprobs(self):
        import llama_cpp
        import numpy as np

        n_vocab = self._llm.n_vocab()
        pointer = llama_cpp.llama_get_logits_ith(self._llm._ctx.ctx, -1)
        logits = np.ctypeslib.as_array(pointer, shape=(n_vocab,)).astype(np.float64)
        top = logits.max()
        return logits - (top + np.log(np.exp(logits - top).sum()))

    def option_probabilities(self, context: list[int], sequences: list[list[int]],
                             should_stop: ShouldStop | None = None) -> list[float]:
        """P(option | context) for each option's token sequence, from the model's own
        distribution (before any grammar), read where the options' paths branch and
        renormalised over the branches (option_tree).

        Options share prefixes (every JSON string starts with a quote), so each distinct prefix
        is evaluated once: the prefixes are visited in sorted order, which makes each step one
        token on top of the cache, and the distribution after each is kept."""
        import numpy as np

        self._should_stop = should_stop
        try:
            self._evaluate_to(context)
            after: dict[tuple[int, ...], np.ndarray] = {(): self._last_logprobs()}
            prefixes = sorted({tuple(seq[:i]) for seq in sequences for i in range(1, len(seq))})
            for prefix in prefixes:
                self._evaluate_to(context + list(prefix))
                after[prefix] = self._last_logprobs()
            if prefixes:
                self._evaluate_to(context)
        except RuntimeError as exc:
            self._llm.reset()
            if should_stop and should_stop():
                raise CancelledError("stopped while scoring options") from exc
            raise
        finally:
            self._should_stop = None
        return branch_probabilities(sequences, after)

    def close(self) -> None:
        llm, self._llm = getattr(self, "_llm", None), None
        if llm is not None:
            llm.close()

    def __enter__(self) -> "LlamaEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
