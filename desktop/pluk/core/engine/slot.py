"""One answer being written in one sequence of the decoder's context: its prompt still to
evaluate, its grammar matcher, guard and tracker, its tokens, and the decisions it watches.

A slot advances one step per decode: given the logits that predict its next token it takes
the grammar's forced tokens, or asks for a choice (made for all slots of the step together,
sampling.choose_all) and appends it with the forced continuation after it, all pending for the
next batch. Each appended token's bytes go to the tracker (where a value starts) and the guard.

A thinking model (request.thinking) first thinks, unconstrained: its tokens go to their own
buffer, never to the grammar, tracker, guard or decisions, and count apart from the answer's
token limit. The block closes (its close tokens forced) when the model closes it, at the budget,
or when the reasoning loops (the repeat guard: the same few tokens over and over); the answer
then starts at the next position, constrained as any answer.

The slot is one state machine, and this file holds all its transitions (batch.py only asks a
slot what to evaluate and hands back the logits; the decoder only ticks its clock):

    prompt -> thinking -> answering -> settling -> side -> done
       (thinking only for a thinking model; answering -> done when nothing is left to read)

- prompt: chunks of its prompt are evaluated; the logits after the last one give the first step.
- thinking / answering: one step per decode (`step`).
- settling: finished, but a decision still needs the logits after its last pending tokens.
- side: the decisions' branches the answer did not take are evaluated, one chain per decode.
- done: the result can be handed out. Its time limit moves any earlier phase here ("time").
A slot whose batch entry did not fit is served first in the next batch (`waited`).
"""

from __future__ import annotations

import math
import time
from enum import Enum

import numpy as np

from pluk.core.engine.decisions import DecisionWatch, TokenPath, logprob_entries
from pluk.core.engine.llg import Grammar
from pluk.core.engine.protocol import DecodeCounts, ExtractRequest, ExtractResult
from pluk.core.engine.rows import EntryRows
from pluk.core.engine.sampling import Choice, Chooser
from pluk.core.engine.tracker import TopLevelTracker
from pluk.core.engine.vocab import PieceText, Vocabulary
from pluk.core.thinking import ThinkingFacts, looping


class Phase(Enum):
    PROMPT = "prompt"
    THINKING = "thinking"
    ANSWERING = "answering"
    SETTLING = "settling"
    SIDE = "side"
    DONE = "done"


class Slot:
    def __init__(self, request: ExtractRequest, *, seq: int, prefix: list[int], shared: int,
                 grammar: Grammar, vocab: Vocabulary, chooser: Chooser, token_limit: int,
                 reserve: int, order: int, stop_at_close: bool = True,
                 batch_limit: int = 1 << 30):
        self.request = request
        self.seq = seq
        self.order = order
        self.reserve = reserve
        self.vocab = vocab
        self.chooser = chooser
        self.stop_at_close = stop_at_close
        # The most tokens one decode takes (n_batch): pending runs are cut to it, or an entry
        # longer than any batch would wait for ever.
        self.batch_limit = batch_limit
        self.matcher = grammar.matcher()
        self.guard = request.guard() if request.guard is not None else None
        self._text = PieceText()
        self.tracker = TopLevelTracker()
        self._specs = {spec.key: spec for spec in request.decisions}
        self.watches: list[DecisionWatch] = []
        self.tokens_prompt = len(prefix) + len(request.tokens)
        self.tokens_cached = shared
        self.prompt = (list(prefix) + list(request.tokens))[shared:]
        self.n_past = shared
        self.answer_pos = self.tokens_prompt  # position of the answer's first token
        self.token_limit = token_limit
        self.output: list[int] = []
        self.starts: list[int] = []
        self.answer = bytearray()
        self.pending: list[int] = []
        # (index in `pending` of the token whose logits to read, watch, prefix, tokens)
        self.reads: list[tuple[int, DecisionWatch, TokenPath, list[int]]] = []
        self.side: list[tuple[DecisionWatch, TokenPath]] = []
        self.side_running = 0
        self.phase = Phase.PROMPT  # the prompt has at least its last token to evaluate
        self.waited = 0  # batches in a row this slot's entry did not fit in
        # A step awaiting its choice: the row that predicts the token, the guard's steer, and
        # how many tokens the step may append.
        self._row: np.ndarray | None = None
        self._steer = None
        self._room = 0
        self._rows: tuple[EntryRows, int] | None = None  # where the step's row came from
        self.finish: str | None = None
        self.error: str | None = None
        self.stats = DecodeCounts()
        self.started = time.perf_counter()
        limit = request.time_limit
        self.deadline = None if limit is None else self.started + limit
        self.on_phase = request.on_phase
        self.think = request.thinking
        self.thinking = self.think is not None and self.think.budget > 0
        self.thought: list[int] = []
        self.thought_text = bytearray()
        self.closed_by: str | None = None
        self.think_seconds = 0.0
        if self.on_phase is not None:
            self.on_phase("prompt", len(self.prompt))

    # -- what the next batch evaluates, and what its logits do (batch.py) ------------------

    def take_prompt(self, budget: int) -> tuple[list[int], bool]:
        """The next chunk of the prompt (at most `budget` tokens), and whether it ends it."""
        if self.phase is not Phase.PROMPT or budget <= 0:
            return [], False
        chunk = self.prompt[:budget]
        self.stats.decode_calls += 1
        self.stats.prompt_tokens += len(chunk)
        return chunk, len(chunk) == len(self.prompt)

    def prompt_evaluated(self, count: int, rows: EntryRows) -> bool:
        """True: the slot awaits its choice (`choice`, then `chosen`)."""
        self.n_past += count
        del self.prompt[:count]
        if not self.prompt:
            self.phase = Phase.THINKING if self.thinking else Phase.ANSWERING
            return self.step(rows, count - 1)
        return False

    def take_answer(self, budget: int) -> tuple[list[int], set[int]] | None:
        """The pending answer tokens and the indices among them whose logits are wanted; None
        when there are none or they do not fit in `budget`."""
        if not self.pending:
            return None
        if self.phase in (Phase.SIDE, Phase.DONE):
            self.pending = []  # finished with nothing left to read: never evaluated
            return None
        if self.phase is Phase.SETTLING:
            # Finished, but a decision still needs the logits after its last tokens.
            self.pending = self.pending[:max(i for i, *_ in self.reads) + 1]
        wanted = {i for i, *_ in self.reads}
        if self.finish is None:
            wanted.add(len(self.pending) - 1)
        if len(self.pending) > budget:
            self.waited += 1  # served first in the next batch (pending never exceeds n_batch)
            return None
        self.waited = 0
        self.stats.decode_calls += 1
        return self.pending, wanted

    def answer_evaluated(self, count: int, rows: EntryRows) -> bool:
        """True: the slot awaits its choice (`choice`, then `chosen`)."""
        self.n_past += count
        self.resolve_reads(rows)
        if self.finish is None:
            return self.step(rows, count - 1)
        self._stepped()
        return False

    def lse_wanted(self, kind: str, side: tuple | None) -> list[int]:
        """Its batch entry's tokens whose row's log-sum-exp it will read (batch.advance computes
        them together): a side chain's decisions, pending reads, the step's row where a watch
        is open. A watch the step's token opens reads its row later."""
        if kind != "answer":
            return list(side[2]) if kind == "side" else []  # a prompt: no watch yet
        wanted = [i for i, *_ in self.reads] if self.reads else []
        if self.watches and self.finish is None and any(watch.open for watch in self.watches):
            wanted.append(len(self.pending) - 1)
        return wanted

    def choice(self, index: int | None = None) -> Choice:
        """What the decode step chooses for this slot (sampling.choose_all); `index`: its row
        in the step's logits table."""
        return Choice(self.chooser, self.matcher, self._steer, self.stats, self._row, index)

    def take_side(self, budget: int) -> tuple[int, list[int], tuple] | None:
        """The next side chain: (its first position, its tokens, what batch.advance hands back
        to side_evaluated); its sequence's cells from that position on are to be dropped."""
        if self.phase is not Phase.SIDE or not self.side or self.side_running:
            return None
        watch, chain = self.side[0]
        if len(chain) > self.batch_limit:
            # No decode can take it: this decision gets no probability rather than a wrong one.
            watch.paths = None
            self.side = [(w, c) for w, c in self.side if w is not watch]
            self._side_finished()
            return None
        if len(chain) > budget:
            self.waited += 1
            return None
        self.waited = 0
        self.side.pop(0)
        self.side_running += 1
        self.stats.side_tokens += len(chain)
        self.stats.decode_calls += 1
        return self.answer_pos + watch.index, chain, (watch, chain, watch.side_wants(chain))

    def side_evaluated(self, side: tuple, rows: EntryRows) -> None:
        watch, _, wants = side
        for position, (prefix, tokens) in wants.items():
            watch.record(prefix, logprob_entries(rows(position), tokens, rows.lse(position)))
        self.side_running -= 1
        self._side_finished()

    def side_undone(self, side: tuple) -> None:
        """Its decode did not run: the chain goes back to the front of the queue."""
        self.side_running -= 1
        self.side.insert(0, side[:2])

    def tick(self, now: float) -> None:
        """After each round: the time limit. It bounds all of a report's work, its
        probabilities too: an answer still being written, or one whose side evaluations are not
        through, ends as timed out (its record says so)."""
        if self.deadline is None or now <= self.deadline or self.phase is Phase.DONE:
            return
        if self.finish is None:
            self.finish, self.pending, self.reads = "time", [], []
            self.phase = Phase.SETTLING
            self._stepped()
        elif self.phase is Phase.SIDE and self.side:
            self.finish, self.side = "time", []
            self._side_finished()

    def _stepped(self) -> None:
        """After a step: the thinking may have closed, the answer finished, its reads ended."""
        if self.phase is Phase.THINKING and not self.thinking:
            self.phase = Phase.ANSWERING
        if self.finish is not None and self.phase in (Phase.THINKING, Phase.ANSWERING):
            self.phase = Phase.SETTLING
        if self.phase is Phase.SETTLING and not self.reads:
            self._settle()
            self.phase = Phase.SIDE
            self._side_finished()

    def _side_finished(self) -> None:
        if self.phase is Phase.SIDE and not self.side and not self.side_running:
            self.phase = Phase.DONE

    # -- one step -----------------------------------------------------------------------------

    def step(self, rows: EntryRows, i: int) -> bool:
        """Advance with the logits `rows(i)` that predict the next token: forced tokens, a
        thinking step or the end are taken here; True where the model's choice is to be made
        first (`choice`), after which `chosen` completes the step."""
        row = rows(i)
        self.pending, self.reads = [], []
        if self.finish is None and self.thinking:
            self._think(row)
        elif self.finish is None:
            self._rows = (rows, i)
            # A forced run longer than a batch continues in the next step (the grammar forces
            # its rest again).
            self._room = min(self.token_limit - len(self.output), self.batch_limit)
            forced = self.matcher.compute_ff_tokens()
            if not forced:
                self._row = row
                self._steer = self.guard.steer() if self.guard is not None else None
                return True
            self._append_forced(forced[:self._room], row)
            self._stepped_answer()
        self._stepped()
        return False

    def chosen(self, token: int | None) -> None:
        """The step's choice (from choice()), already consumed by the matcher: the answer
        takes it, and the grammar's forced continuation after it."""
        row, self._row = self._row, None
        if token is None:
            self.finish, self.error = "error", "The grammar allowed no token here"
        elif token in self.vocab.eog:
            self._read_open(token, row)
            self.finish = "stop"
        else:
            self.stats.sampled_tokens += 1
            self._append(token, row)
            if self._room > 1:
                self._append_forced(self.matcher.compute_ff_tokens()[:self._room - 1], None)
            self._stepped_answer()
        self._stepped()

    def _stepped_answer(self) -> None:
        self._check_finish()
        if self.on_phase is not None:
            self.on_phase("answer", len(self.output))

    def _think(self, row: np.ndarray) -> None:
        """One thinking step: the model's own choice, or the block's close."""
        spec = self.think
        token = self.chooser.pick(row)
        if token in spec.stop_tokens or token in self.vocab.eog:
            self._close_thinking("model", spec.close_tokens)
            return
        self.thought.append(token)
        self.thought_text += self.vocab.piece(token)
        self.pending.append(token)
        self.stats.sampled_tokens += 1
        if len(self.thought) >= spec.budget:
            self._close_thinking("budget", spec.cut_tokens)
        elif looping(self.thought):
            self._close_thinking("repeat", spec.cut_tokens)
        if self.on_phase is not None:
            self.on_phase("thinking", len(self.thought))

    def _close_thinking(self, by: str, tokens: list[int]) -> None:
        self.thinking, self.closed_by = False, by
        self.think_seconds = time.perf_counter() - self.started
        self.pending.extend(tokens)
        self.stats.forced_tokens += len(tokens)
        # The answer starts after the thinking and its close (side chains cut back to here).
        self.answer_pos = self.tokens_prompt + len(self.thought) + len(tokens)

    def _append_forced(self, tokens: list[int], row: np.ndarray | None) -> None:
        if not tokens:
            return
        if not self.matcher.consume_tokens(tokens):
            self.finish, self.error = "error", f"Forced tokens refused: {self.matcher.get_error()}"
            return
        self.stats.forced_tokens += len(tokens)
        for i, token in enumerate(tokens):
            self._append(token, row if i == 0 else None)

    def _read(self, watch: DecisionWatch, prefix: TokenPath, tokens: list[int],
              row: np.ndarray | None) -> None:
        """Keep the log-probabilities of `tokens` after `prefix`: from `row` when it predicts
        the token being appended, else from the logits of the pending token before it."""
        if row is not None:
            rows, i = self._rows

            def keep(lse: float) -> None:
                watch.record(prefix, logprob_entries(row, tokens, lse))

            if not rows.with_lse(i, keep):  # the keys now (side chains read them), NaN till then
                watch.record(prefix, dict.fromkeys(tokens, math.nan))
        else:
            self.reads.append((len(self.pending) - 1, watch, prefix, tokens))

    def _read_open(self, token: int, row: np.ndarray | None) -> None:
        k = len(self.output)
        for watch in self.watches:
            if watch.open:
                prefix = tuple(self.output[watch.index:k])
                self._read(watch, prefix, watch.wanted(prefix, token), row)

    def _append(self, token: int, row: np.ndarray | None) -> None:
        self._read_open(token, row)
        data = self.vocab.piece(token)
        start = len(self.answer)
        self.output.append(token)
        self.starts.append(start)
        self.answer += data
        if self.guard is not None:
            self.guard.feed(self._text.feed(data))
        for event in self.tracker.feed(data):
            if event.kind == "start" and event.key in self._specs:
                watch = DecisionWatch(self._specs.pop(event.key), self.vocab,
                                      index=len(self.output) - 1,
                                      before=bytes(self.answer[:start]),
                                      lead=bytes(self.answer[start:event.offset]),
                                      value_start=event.offset)
                self.watches.append(watch)
                self._read(watch, (), watch.wanted((), token), row)
            elif event.kind == "end":
                for watch in self.watches:
                    if watch.key == event.key and watch.value_end is None:
                        watch.value_end = event.offset
        # The read for a watch opened by this token was taken before it joined `pending`.
        self.pending.append(token)
        for watch in self.watches:
            if watch.open:
                watch.after_token(start, len(self.answer))

    def _check_finish(self) -> None:
        if self.finish is not None:
            return
        if self.stop_at_close and self.tracker.closed and self.matcher.is_accepting():
            self.finish = "stop"  # only whitespace could follow: the answer is complete
        elif self.matcher.is_stopped():
            self.finish = "stop"
        elif len(self.output) >= self.token_limit:
            self.finish = "length"

    # -- after a decode -------------------------------------------------------------------------

    def resolve_reads(self, rows: EntryRows) -> None:
        """`rows(i)`: the logits of pending token i where a read asked for them."""
        for index, watch, prefix, tokens in self.reads:
            watch.record(prefix, logprob_entries(rows(index), tokens, rows.lse(index)))
        self.reads = []

    def _settle(self) -> None:
        """Once finished: fix each written decision's tree and queue the side evaluations it
        still needs (only for a complete answer: a cut one is not parsed)."""
        if self.finish != "stop":
            return
        for watch in self.watches:
            if watch.value_end is None:
                continue
            watch.settle(self.output, self.starts, bytes(self.answer))
            self.side.extend((watch, chain) for chain in watch.missing())
        # Side chains run in this sequence, cut back to each decision: the latest first.
        self.side.sort(key=lambda item: -item[0].index)

    @property
    def cells(self) -> int:
        """KV cells this answer holds beyond the shared prefix."""
        return self.n_past - self.tokens_cached + len(self.pending)

    @property
    def done(self) -> bool:
        """Finished, and nothing left to evaluate for it: the result can be handed out."""
        return self.phase is Phase.DONE

    def thinking_facts(self) -> ThinkingFacts | None:
        spec = self.think
        if spec is None or spec.budget <= 0:
            return None
        closed = self.closed_by or ("time" if self.finish == "time" else None)
        seconds = self.think_seconds if self.closed_by else time.perf_counter() - self.started
        return ThinkingFacts(tokens=len(self.thought), seconds=seconds, budget=spec.budget,
                             budget_hit=self.closed_by == "budget", closed_by=closed,
                             retried=spec.retried)

    def result(self) -> ExtractResult:
        probabilities = {}
        # Only a complete answer's decisions are read to the end (a timed-out one's are not).
        for spec in self.request.decisions if self.finish == "stop" else ():
            for watch in self.watches:
                if watch.key == spec.key and watch.paths is not None:
                    probabilities[spec.key] = watch.probabilities()
        finish = self.finish or "error"
        return ExtractResult(
            id=self.request.id, text=bytes(self.answer).decode("utf-8", errors="replace"),
            output_tokens=list(self.output), finish_reason=finish, error=self.error,
            tokens_prompt=self.tokens_prompt, tokens_cached=self.tokens_cached,
            tokens_output=len(self.output), token_limit=self.token_limit,
            seconds=time.perf_counter() - self.started, probabilities=probabilities,
            stats=self.stats.as_stats(), thinking=self.thinking_facts(),
            thinking_text=(bytes(self.thought_text).decode("utf-8", errors="replace")
                           if self.think is not None and self.think.budget > 0 else None))
