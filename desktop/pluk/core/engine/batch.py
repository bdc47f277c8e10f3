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

from pluk.core.engine.decisions import logprob_entries
from pluk.core.engine.native import Batch, NativeContext
from pluk.core.engine.slot import Slot

Mode = Literal["answers", "prompt", "all"]


@dataclass
class Entry:
    slot: Slot
    kind: Literal["prompt", "answer", "side"]
    indices: list[int]
    side: tuple | None = None  # (watch, chain, {chain position: (prefix, tokens)})


@dataclass
class Plan:
    entries: list[Entry] = field(default_factory=list)
    prompt_tokens: int = 0


def build(batch: Batch, ctx: NativeContext, slots: list[Slot | None], mode: Mode,
          n_batch: int) -> Plan:
    """The next batch. "answers": pending answer tokens and side chains; "prompt": the next
    chunk of the earliest report still reading its prompt, alone; "all": both in one batch,
    prompt chunks filling the room that is left."""
    batch.clear()
    plan = Plan()
    budget = n_batch
    if mode != "prompt":
        for slot in slots:
            if slot is not None and not slot.prompt:
                budget = _answer(batch, plan, slot, budget)
        for slot in slots:
            if slot is not None:
                budget = _side(batch, ctx, plan, slot, budget)
    reading = sorted((s for s in slots if s is not None and s.prompt and s.finish is None),
                     key=lambda s: s.order)
    for slot in reading[:1] if mode == "prompt" else reading if mode == "all" else []:
        if budget <= 0:
            break
        chunk = slot.prompt[:budget]
        last = len(chunk) == len(slot.prompt)
        indices = [batch.add(t, slot.n_past + i, slot.seq, last and i == len(chunk) - 1)
                   for i, t in enumerate(chunk)]
        budget -= len(chunk)
        plan.prompt_tokens += len(chunk)
        slot.stats.decode_calls += 1
        slot.stats.prompt_tokens += len(chunk)
        plan.entries.append(Entry(slot, "prompt", indices))
    return plan


def _answer(batch: Batch, plan: Plan, slot: Slot, budget: int) -> int:
    if not slot.pending:
        return budget
    if slot.finish is not None:
        if not slot.reads:
            slot.pending = []
            return budget
        # Finished, but a decision still needs the logits after its last tokens.
        slot.pending = slot.pending[:max(i for i, *_ in slot.reads) + 1]
    wanted = {i for i, *_ in slot.reads}
    if slot.finish is None:
        wanted.add(len(slot.pending) - 1)
    if len(slot.pending) > budget:
        return budget  # forced runs are short: the next batch has room
    indices = [batch.add(t, slot.n_past + i, slot.seq, i in wanted)
               for i, t in enumerate(slot.pending)]
    slot.stats.decode_calls += 1
    plan.entries.append(Entry(slot, "answer", indices))
    return budget - len(indices)


def _side(batch: Batch, ctx: NativeContext, plan: Plan, slot: Slot, budget: int) -> int:
    if not slot.side or slot.side_running or slot.reads or slot.finish is None:
        return budget
    watch, chain = slot.side[0]
    if len(chain) > budget:
        return budget
    slot.side.pop(0)
    start = slot.answer_pos + watch.index
    ctx.seq_rm(slot.seq, start, -1)
    wants = watch.side_wants(chain)
    indices = [batch.add(t, start + i, slot.seq, i in wants) for i, t in enumerate(chain)]
    slot.side_running += 1
    slot.stats.side_tokens += len(chain)
    slot.stats.decode_calls += 1
    plan.entries.append(Entry(slot, "side", indices, (watch, chain, wants)))
    return budget - len(chain)


def advance(plan: Plan, ctx: NativeContext) -> None:
    """After the decode: prompts move on, answers take their next step, decisions read."""
    for entry in plan.entries:
        slot = entry.slot
        if entry.kind == "side":
            watch, _, wants = entry.side
            for position, (prefix, tokens) in wants.items():
                watch.record(prefix, logprob_entries(ctx.logits(entry.indices[position]),
                                                     tokens))
            slot.side_running -= 1
            continue
        slot.n_past += len(entry.indices)
        if entry.kind == "prompt":
            del slot.prompt[:len(entry.indices)]
            if not slot.prompt:
                slot.step(ctx.logits(entry.indices[-1]))
            continue
        slot.resolve_reads({i: ctx.logits(entry.indices[i]) for i, *_ in slot.reads})
        if slot.finish is None:
            slot.step(ctx.logits(entry.indices[-1]))


def undo_sides(plan: Plan) -> None:
    """A decode that did not run: its side chains go back to their queues."""
    for entry in plan.entries:
        if entry.kind == "side":
            entry.slot.side_running -= 1
            entry.slot.side.insert(0, entry.side[:2])
