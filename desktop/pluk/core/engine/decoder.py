"""Pluk's own decoder: one llama.cpp context, several reports at once, grammar by llguidance.

The run's fixed prompt prefix is evaluated once, in sequence 0, and copied into each report's
sequence (llama_memory_seq_cp), which then evaluates only its report and suffix; the passes
of one report (--passes, one prompt_key) copy the whole prompt from the first and evaluate
only its last token. Up to
`parallel` reports are decoded together, one llama_decode per step for all of them; a report
that finishes frees its sequence and the next one joins at once (continuous batching). Results
come out in order of completion.

Per answer step (slot.py): the model's choice is checked against the grammar and the full mask
is computed only when the grammar refuses it (sampling.py); tokens the grammar forces are
appended in the same batch as the chosen one; the guard steers; decisions are read from the
logits as the model makes them (decisions.py). should_stop is polled between decodes; only a
batch with many prompt tokens gets llama.cpp's abort callback, which calls Python after every
graph node.

The KV cache: by default every sequence has its own stream of n_ctx cells (kv_unified off), so
an answer's arithmetic does not depend on what runs beside it, and one answer at a time or
several give the same answers (llama.cpp's kernels otherwise change with the cells and the
batch around a sequence; SmolLM2's logits moved by up to 0.6). That costs (parallel + 1) x
n_ctx cells. kv_unified shares one cache of `kv_cells` cells instead (the prefix held once);
an answer that outgrows it is dropped and restarted later, from scratch.
"""

from __future__ import annotations

import time
import zlib
from collections import deque
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from pluk.core.engine import batch as batches
from pluk.core.engine.llg import Grammar, MaskBuffer, build_tokenizer, llguidance_version
from pluk.core.engine.model import Model
from pluk.core.engine.native import Batch, NativeContext, engine_versions
from pluk.core.engine.protocol import (DecodeStats, EngineFacts, ExtractRequest, ExtractResult,
                                       PreparedPrompt, ShouldStop)
from pluk.core.engine.rows import RowWork
from pluk.core.engine.sampling import Chooser
from pluk.core.engine.slot import Slot
from pluk.core.errors import CancelledError, PlukError
from pluk.core.models.hardware import default_batch_threads, default_threads

PREFIX_SEQ = 0
# Cells kept free beyond an answer's tokens (a side chain may run a little past its end) and,
# in a shared cache, per growing answer when admitting another one.
_MARGIN = 16


class DecoderOptions(BaseModel):
    # Cells one report's sequence holds: prefix + report + suffix + answer (what
    # extraction/context.py's plan_context fits to the longest report).
    n_ctx: int = Field(default=4096, ge=64)
    parallel: int = Field(default=1, ge=1, le=64)
    n_batch: int = Field(default=512, ge=16)
    # None: models/hardware.py's defaults (the physical cores but one); n_threads_batch None
    # follows n_threads where that is set. llama.cpp uses n_threads_batch for any batch of
    # more than one token, so also for parallel answers.
    n_threads: int | None = None
    n_threads_batch: int | None = None
    n_gpu_layers: int = 0
    temperature: float = 0.0
    seed: int = 0
    # One KV cache shared by all sequences, of kv_cells cells (None: parallel x n_ctx): less
    # memory, but answers then depend on what runs beside them (see above).
    kv_unified: bool = False
    kv_cells: int | None = Field(default=None, ge=64)
    # Unified cache only: the cells an answer is counted for when admitting another beside it
    # (answers are far shorter than their worst-case budget).
    answer_reserve: int = 1024
    # A batch with at least this many prompt tokens may be aborted by should_stop mid-decode.
    abort_min_tokens: int = 32
    # End an answer at its closing brace: only whitespace could follow.
    stop_at_close: bool = True
    # A report's prompt chunks are decoded alone, not mixed into the batch of the answers:
    # llama.cpp's kernels change with a batch's size (on the CPU at 64 tokens), so only then
    # does an answer not depend on the reports beside it. Mixing saves little where decoding is
    # compute-bound (a CPU), more on a GPU.
    isolate_prompts: bool = True
    # Flash attention; None: off on the CPU (n_gpu_layers 0), llama.cpp's choice on a GPU.
    # llama.cpp turns it on by default where a backend has it; on the CPU it made each answer
    # token about 40% slower (SmolLM2, one thread: 31 against 22 ms) for prompts about 25%
    # faster, and answers are most of what Pluk decodes one step at a time.
    flash_attn: bool | None = None

    def flash_attention(self) -> bool | None:
        """What the context is made with: flash_attn, or off on the CPU; None lets llama.cpp
        choose (a GPU)."""
        if self.flash_attn is None and self.n_gpu_layers == 0:
            return False
        return self.flash_attn


class Decoder(Model):
    """Owns a model (with its weights) and a context of `parallel` + 1 sequences. Not
    thread-safe: one worker thread uses it. As a Model it offers what extraction/context.py's
    prompt_parts reads of an engine."""

    renders_prompt = False  # it takes tokens: run_extraction renders the prompt

    def __init__(self, model_path: str | Path, options: DecoderOptions | None = None, *,
                 loaded: Model | None = None):
        """`loaded`: the weights of this file, loaded already (what the run planned with);
        the decoder takes them over instead of opening the file again."""
        self.options = options = options or DecoderOptions()
        if loaded is not None and loaded.serves(model_path, n_gpu_layers=options.n_gpu_layers):
            loaded.hand_over(self)
        else:
            super().__init__(model_path, vocab_only=False, n_gpu_layers=options.n_gpu_layers)
        if self.n_gpu_layers != options.n_gpu_layers:  # the load probe's CPU-only fallback
            self.options = options = options.model_copy(update={"n_gpu_layers": 0})
        self._tokenizer = None  # llguidance's, built when the first grammar needs it
        self.n_threads = options.n_threads or default_threads()
        self.n_threads_batch = (options.n_threads_batch or options.n_threads
                                or default_batch_threads())
        n_seq = options.parallel + 1
        if options.kv_unified:
            cells = options.kv_cells or options.parallel * options.n_ctx
        else:
            cells = n_seq * options.n_ctx
        self._ctx = NativeContext(self._model, n_ctx=cells, n_batch=options.n_batch,
                                  n_seq_max=n_seq, n_threads=self.n_threads,
                                  n_threads_batch=self.n_threads_batch,
                                  kv_unified=options.kv_unified,
                                  flash_attn=options.flash_attention())
        # The cells one sequence may fill: its stream, or the whole shared cache.
        self.seq_cells = self._ctx.n_ctx if options.kv_unified else self._ctx.n_ctx_seq
        self._batch = Batch(options.n_batch)
        self._masks = MaskBuffer(self.vocab.n_vocab, self.vocab.table.n_vocab)
        # The per-step passes over whole logits rows run on the cores llama.cpp's batch threads
        # use: they are idle between two decodes.
        self._rows = RowWork(self.n_threads_batch)
        self._grammars: dict[str, Grammar] = {}
        self._prefix: list[int] = []
        # Sequence -> (prompt_key, prompt) of a finished pass whose prompt it still holds.
        self._kept_prompts: dict[int, tuple[str, tuple[int, ...]]] = {}
        self._generation = 0
        self._order = 0
        self._hold = False
        self.stats = DecodeStats()

    # -- model facts ---------------------------------------------------------------------------

    @property
    def tokenizer(self):
        """llguidance's tokenizer of this vocabulary (what grammars are compiled for)."""
        if self._tokenizer is None:
            self._tokenizer = build_tokenizer(self._model.vocab, self.vocab.table)
        return self._tokenizer

    @property
    def n_ctx(self) -> int:
        """The context of one report's sequence."""
        return self.seq_cells

    def facts(self) -> EngineFacts:
        return EngineFacts(kind="llama.cpp (pluk decoder)", model=self.model_path.name,
                           n_ctx=self.n_ctx, n_vocab=self.vocab.n_vocab,
                           parallel=self.options.parallel, n_threads=self.n_threads,
                           n_threads_batch=self.n_threads_batch, grammar=llguidance_version(),
                           versions=engine_versions(), options=self.options.model_dump(),
                           fallback=self.probe.fallback_text())

    def grammar(self, gbnf: str) -> Grammar:
        """The compiled grammar of a GBNF text (cached); raises PlukError if it is refused."""
        found = self._grammars.get(gbnf)
        if found is None:
            found = self._grammars[gbnf] = Grammar(self.tokenizer, gbnf)
        return found

    # -- the shared prefix ---------------------------------------------------------------------

    def prepare(self, prefix_tokens: list[int], *, should_stop: ShouldStop | None = None,
                ) -> PreparedPrompt:
        """Evaluate the run's fixed prompt prefix once (what the previous prefix shares with it
        is kept). A stop during it raises CancelledError and keeps what was evaluated."""
        tokens = list(prefix_tokens)
        if len(tokens) >= self.seq_cells:
            raise PlukError(f"The prompt ({len(tokens)} tokens) does not fit in the context "
                            f"of {self.seq_cells}")
        keep = 0
        for a, b in zip(self._prefix, tokens):
            if a != b:
                break
            keep += 1
        self._clear_sequences()
        if keep < len(self._prefix):
            self._ctx.seq_rm(PREFIX_SEQ, keep, -1)
        self._prefix = tokens[:keep]
        stop = should_stop or (lambda: False)
        self._ctx.set_threads(self.n_threads, self.n_threads_batch)
        while len(self._prefix) < len(tokens):
            if stop():
                raise CancelledError("stopped while evaluating the prompt prefix")
            chunk = tokens[len(self._prefix):len(self._prefix) + self.options.n_batch]
            self._batch.clear()
            for i, token in enumerate(chunk):
                self._batch.add(token, len(self._prefix) + i, PREFIX_SEQ, False)
            code = self._decode(prompt_tokens=len(chunk), should_stop=stop)
            if code != 0:
                # Whatever was evaluated before an abort stays valid.
                self._prefix = tokens[:self._ctx.seq_pos_max(PREFIX_SEQ) + 1]
                if code == 2:
                    raise CancelledError("stopped while evaluating the prompt prefix")
                raise PlukError(f"llama_decode failed ({code}) on the prompt prefix")
            self._prefix = tokens[:len(self._prefix) + len(chunk)]
        self._generation += 1
        return PreparedPrompt(tokens=tokens, generation=self._generation)

    def _clear_sequences(self) -> None:
        self._kept_prompts.clear()
        for seq in range(1, self.options.parallel + 1):
            self._ctx.seq_rm(seq, -1, -1)

    def _decode(self, *, prompt_tokens: int, should_stop: ShouldStop) -> int:
        self.stats.decode_calls += 1
        self.stats.tokens_evaluated += self._batch.n
        self.stats.prompt_tokens += prompt_tokens
        abort = should_stop if prompt_tokens >= self.options.abort_min_tokens else None
        return self._ctx.decode(self._batch, abort)

    # -- extraction ----------------------------------------------------------------------------

    def extract(self, prompt: PreparedPrompt, requests: Iterable[ExtractRequest], *,
                should_stop: ShouldStop | None = None) -> Iterator[ExtractResult]:
        """Answer every request; yield each result as it finishes. A true should_stop() raises
        CancelledError between decodes (or within a long prompt batch); the answers not yet
        yielded are dropped."""
        stop = should_stop or (lambda: False)
        if prompt.generation != self._generation or prompt.tokens != self._prefix:
            prompt = self.prepare(prompt.tokens, should_stop=stop)
        self._clear_sequences()
        self._hold = False
        self._ctx.set_threads(self.n_threads, self.n_threads_batch)
        waiting: deque[ExtractRequest] = deque()
        source = iter(requests)
        slots: list[Slot | None] = [None] * self.options.parallel
        try:
            while True:
                yield from self._admit(slots, waiting, source)
                if not any(slots):
                    return
                if stop():
                    raise CancelledError("stopped between decodes")
                yield from self._round(slots, waiting, stop)
        finally:
            self._clear_sequences()

    def _kept(self, request: ExtractRequest) -> int:
        """How many prefix tokens the request shares (its prefix_keep, or all)."""
        keep = request.prefix_keep
        return len(self._prefix) if keep is None else max(0, min(keep, len(self._prefix)))

    def _admit(self, slots: list[Slot | None], waiting: deque, source: Iterator,
               ) -> Iterator[ExtractResult]:
        while None in slots:
            request = waiting.popleft() if waiting else next(source, None)
            if request is None:
                return
            kept = self._kept(request)
            room = self.seq_cells - kept
            thinking = request.thinking.reserve if request.thinking is not None else 0
            alone = room - len(request.tokens) - 1 - _MARGIN - thinking
            if alone < 1 or (not request.tokens and not kept):
                yield self._refusal(request, "The report does not fit in the context next to "
                                             "the prompt")
                continue
            limit = min(request.max_tokens, alone)
            reserve = len(request.tokens) + thinking + min(limit, self.options.answer_reserve)
            if self.options.kv_unified:
                used = sum(max(slot.reserve, slot.cells + _MARGIN) for slot in slots if slot)
                # After a restart, nothing joins until an answer finishes: the others need room.
                if used and (self._hold or used + reserve > room):
                    waiting.appendleft(request)
                    return
            twin = self._twin(request, slots)
            if twin == -1:  # a twin is still reading the prompt: copy it once it has
                waiting.appendleft(request)
                return
            index = twin - 1 if twin and slots[twin - 1] is None else slots.index(None)
            try:
                slots[index] = self._start(request, index + 1, limit, reserve, twin)
            except PlukError as exc:
                yield self._refusal(request, str(exc))

    def _refusal(self, request: ExtractRequest, reason: str) -> ExtractResult:
        return ExtractResult(id=request.id, text="", finish_reason="error", error=reason,
                             tokens_prompt=self._kept(request) + len(request.tokens),
                             tokens_cached=0, tokens_output=0, token_limit=0, seconds=0.0)

    def _prompt(self, request: ExtractRequest) -> tuple[int, ...]:
        return tuple(self._prefix[:self._kept(request)]) + tuple(request.tokens)

    def _twin(self, request: ExtractRequest, slots: list[Slot | None]) -> int | None:
        """The sequence holding this request's whole prompt, evaluated for a twin (the same
        prompt_key and prompt: another pass of its report), in an active slot or kept after
        one finished; -1: a twin is still reading it; None: no twin."""
        if request.prompt_key is None:
            return None
        prompt = self._prompt(request)
        for slot in slots:
            if slot is not None and slot.request.prompt_key == request.prompt_key and \
                    self._prompt(slot.request) == prompt:
                return -1 if slot.n_past < slot.tokens_prompt else slot.seq
        for seq, (key, kept) in self._kept_prompts.items():
            if key == request.prompt_key and kept == prompt and slots[seq - 1] is None:
                return seq
        return None

    def _start(self, request: ExtractRequest, seq: int, limit: int, reserve: int,
               source: int | None = None) -> Slot:
        grammar = self.grammar(request.grammar.gbnf)
        prefix = self._prefix[:self._kept(request)]
        # The last prompt position must be evaluated in the report's own sequence to give its
        # logits: with no report tokens, the prefix's last token is evaluated again there.
        shared = len(prefix) if request.tokens else len(prefix) - 1
        if source is not None:  # a twin's whole prompt but its last token
            shared = len(prefix) + len(request.tokens) - 1
        self._kept_prompts.pop(seq, None)
        if source != seq:
            self._ctx.seq_rm(seq, -1, -1)
        if shared:
            # Across separate streams llama.cpp copies whole sequences only.
            if source != seq:
                self._ctx.seq_cp(PREFIX_SEQ if source is None else source, seq)
            self._ctx.seq_rm(seq, shared, -1)
        seed = [self.options.seed, zlib.crc32(request.id.encode("utf-8"))]
        temperature = (self.options.temperature if request.temperature is None
                       else request.temperature)
        chooser = Chooser(self.vocab.eog, temperature, np.random.default_rng(seed))
        self._order += 1
        return Slot(request, seq=seq, prefix=prefix, shared=shared, grammar=grammar,
                    vocab=self.vocab, chooser=chooser, token_limit=limit, reserve=reserve,
                    order=self._order, stop_at_close=self.options.stop_at_close,
                    batch_limit=self.options.n_batch)

    def _round(self, slots: list[Slot | None], waiting: deque, stop: ShouldStop,
               ) -> Iterator[ExtractResult]:
        """One step of every active slot: build, decode, advance, hand out what finished."""
        modes = ("answers", "prompt") if self.options.isolate_prompts else ("all",)
        for mode in modes:
            plan = batches.build(self._batch, self._ctx, slots, mode, self.options.n_batch)
            if not self._batch.n:
                continue
            code = self._decode(prompt_tokens=plan.prompt_tokens, should_stop=stop)
            if code == 1:
                batches.undo_sides(plan)
                self._preempt(slots, waiting)
                return
            if code == 2:
                raise CancelledError("stopped during a prompt batch")
            if code != 0:
                raise PlukError(f"llama_decode failed ({code})")
            batches.advance(plan, self._ctx, self._masks, self._rows)
        now = time.perf_counter()
        for index, slot in enumerate(slots):
            if slot is None:
                continue
            slot.tick(now)
            if slot.done:
                self._release(slot)
                slots[index] = None
                self._hold = False
                for name in ("sampled_tokens", "forced_tokens", "masks_computed",
                             "side_tokens"):
                    setattr(self.stats, name, getattr(self.stats, name)
                            + getattr(slot.stats, name))
                yield slot.result()

    def _release(self, slot: Slot) -> None:
        """Free a finished slot's sequence. With a stream per sequence, a prompt another pass
        of its report may want stays (it costs no cells another sequence could use)."""
        key = slot.request.prompt_key
        if key is not None and not self.options.kv_unified and \
                slot.n_past >= slot.tokens_prompt:
            self._ctx.seq_rm(slot.seq, slot.tokens_prompt, -1)
            self._kept_prompts[slot.seq] = (key, self._prompt(slot.request))
        else:
            self._ctx.seq_rm(slot.seq, -1, -1)

    def _preempt(self, slots: list[Slot | None], waiting: deque) -> None:
        """The shared KV cache is full: drop the latest answer and queue it again."""
        active = [(s.order, i) for i, s in enumerate(slots) if s is not None]
        if len(active) <= 1:
            raise PlukError("The KV cache is too small for one answer; raise n_ctx")
        _, index = max(active)
        victim = slots[index]
        self._ctx.seq_rm(victim.seq, -1, -1)
        slots[index] = None
        waiting.appendleft(victim.request)
        self._hold = True
        self.stats.preempted += 1

    def close(self) -> None:
        if getattr(self, "_rows", None) is not None:
            self._rows.close()
        for name in ("_batch", "_ctx"):
            thing = getattr(self, name, None)
            if thing is not None:
                (thing.free if name == "_batch" else thing.close)()
                setattr(self, name, None)
        super().close()
