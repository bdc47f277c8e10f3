"""What goes into one llama_decode, and what happens with its logits: the decoder's batches.

A batch holds, per slot (slot.py), either its pending answer tokens (the chosen token and the
grammar's forced continuation, with logits where the last one or a decision needs them), a side
chain (a decision's branch the answer did not take), or a chunk of its prompt. Every piece
belongs to one sequence; the logits of the batch positions that asked for them are read after
the decode (one table, its rows in the order of the batch), before the next one overwrites them.
The slots that then await their choice get it together (sampling.choose_all); the rows whose
log-sum-exp a decision will read are computed together too, on rows.py's threads.

Side chains run in the finished answer's own sequence: its cells from the decision on are
dropped and the chain is evaluated there (decisions later in the answer first), so no spare
sequence is needed and nothing is copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pluk.core.engine.llg import MaskBuffer
from pluk.core.engine.native import Batch, NativeContext
from pluk.core.engine.rows import DecodeRows, RowWork
from pluk.core.engine.sampling import choose_all
from pluk.core.engine.slot import Phase, Slot

Mode = Literal["answers", "prompt", "all"]


@dataclass
class Entry:
    slot: Slot
    kind: Literal["prompt", "answer", "side"]
    count: int  # its tokens
    rows: dict[int, int]  # its token i -> the row of the decode's logits table with its logits
    side: tuple | None = None  # what the slot's take_side handed out for side_evaluated


@dataclass
class Plan:
    entries: list[Entry] = field(default_factory=list)
    prompt_tokens: int = 0


def build(batch: Batch, ctx: NativeContext, slots: list[Slot | None], mode: Mode,
          n_batch: int) -> Plan:
    """The next batch. "answers": pending answer tokens and side chains; "prompt": the next
    chunk of the earliest report still reading its prompt, alone; "all": both in one batch,
    prompt chunks filling the room that is left. Slots that did not fit last time come first."""
    batch.clear()
    plan = Plan()
    budget = n_batch
    if mode != "prompt":
        active = [s for s in slots if s is not None]
        if any(s.waited for s in active):
            active.sort(key=lambda s: -s.waited)  # stable: otherwise the sequences' order
        for slot in active:
            taken = slot.take_answer(budget)
            if taken is not None:
                tokens, wanted = taken
                budget -= _add(batch, plan, slot, "answer", tokens, slot.n_past, wanted)
        for slot in active:
            side = slot.take_side(budget)
            if side is not None:
                start, chain, handed = side
                ctx.seq_rm(slot.seq, start, -1)  # the chain replaces the answer from there
                budget -= _add(batch, plan, slot, "side", chain, start, set(handed[2]), handed)
    if mode == "answers":
        return plan
    reading = sorted((s for s in slots if s is not None and s.phase is Phase.PROMPT),
                     key=lambda s: s.order)
    for slot in reading[:1] if mode == "prompt" else reading:
        chunk, last = slot.take_prompt(budget)
        if not chunk:
            break
        budget -= _add(batch, plan, slot, "prompt", chunk, slot.n_past,
                       {len(chunk) - 1} if last else set())
        plan.prompt_tokens += len(chunk)
    return plan


def _add(batch: Batch, plan: Plan, slot: Slot, kind, tokens: list[int], start: int,
         wanted: set[int], side: tuple | None = None) -> int:
    rows = {}
    for i, token in enumerate(tokens):
        if i in wanted:
            rows[i] = batch.n_outputs  # logits rows come in the order of the batch
        batch.add(token, start + i, slot.seq, i in wanted)
    plan.entries.append(Entry(slot, kind, len(tokens), rows, side))
    return len(tokens)


def advance(plan: Plan, ctx: NativeContext, masks: MaskBuffer, work: RowWork) -> None:
    """After the decode: each slot gets the logits its entry asked for (one read of the
    decode's logits table), then every slot awaiting a choice gets it, all chosen together."""
    table = ctx.outputs()
    decode = DecodeRows(table)
    # The log-sum-exps the slots will read, computed together beforehand (a watch opened by
    # this step's token asks for its row's after the choices: decode.finish).
    decode.compute([entry.rows[i] for entry in plan.entries
                    for i in entry.slot.lse_wanted(entry.kind, entry.side)], work)
    waiting: list[tuple[Slot, int]] = []
    for entry in plan.entries:
        rows = decode.entry(entry.rows)
        slot, count = entry.slot, entry.count
        if entry.kind == "side":
            slot.side_evaluated(entry.side, rows)
        elif (slot.prompt_evaluated(count, rows) if entry.kind == "prompt"
              else slot.answer_evaluated(count, rows)):
            waiting.append((slot, entry.rows[count - 1]))
    if waiting:
        tokens = choose_all([slot.choice(index) for slot, index in waiting], table, masks, work)
        for (slot, _), token in zip(waiting, tokens):
            slot.chosen(token)
    decode.finish(work)


def undo_sides(plan: Plan) -> None:
    """A decode that did not run: its side chains go back to their queues."""
    for entry in plan.entries:
        if entry.kind == "side":
            entry.slot.side_undone(entry.side)
