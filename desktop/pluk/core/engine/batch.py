"""What goes into one llama_decode, and what happens with its logits: the decoder's batches.

A batch holds, per slot (slot.py), either its pending answer tokens (the chosen token and the
grammar's forced continuation, with logits where the last one or a decision needs them), a side
chain (a decision's branch the answer did not take), or a chunk of its prompt. Every piece
belongs to one sequence; the logits of the batch positions that asked for them are read after
the decode, before the next one overwrites them.

Side chains run in the finished answer's own sequence: its cells from the decision on are
dropped and the chain is evaluated there (decisions later in the answer first), so no spare
sequence is needed and nothing is copied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pluk.core.engine.native import Batch, NativeContext
from pluk.core.engine.slot import Phase, Slot

Mode = Literal["answers", "prompt", "all"]


@dataclass
class Entry:
    slot: Slot
    kind: Literal["prompt", "answer", "side"]
    indices: list[int]
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
    indices = [batch.add(t, start + i, slot.seq, i in wanted) for i, t in enumerate(tokens)]
    plan.entries.append(Entry(slot, kind, indices, side))
    return len(indices)


def advance(plan: Plan, ctx: NativeContext) -> None:
    """After the decode: each slot gets the logits its entry asked for."""
    for entry in plan.entries:
        def rows(i: int, indices=entry.indices):
            return ctx.logits(indices[i])

        if entry.kind == "side":
            entry.slot.side_evaluated(entry.side, rows)
        elif entry.kind == "prompt":
            entry.slot.prompt_evaluated(len(entry.indices), rows)
        else:
            entry.slot.answer_evaluated(len(entry.indices), rows)


def undo_sides(plan: Plan) -> None:
    """A decode that did not run: its side chains go back to their queues."""
    for entry in plan.entries:
        if entry.kind == "side":
            entry.slot.side_undone(entry.side)
