"""Benchmark: Pluk's own decoder (engine/decoder.py) against what it replaces and what bounds it,
as ratios within one run on one machine (same model, prompts, threads):

- grammar cost per generated token: the decoder's answer phase against plain greedy decoding
  of as many tokens without a grammar, one llama_decode per token;
- reports per minute against llama-cpp-python's create_completion with a LlamaGrammar of the
  same GBNF (its prefix reuse on), one report at a time;
- wall time against the engine floor: llama.cpp evaluating every token the decoder evaluated
  (prefix once, each report's prompt and answer), in full batches, with nothing chosen.

    PYTHONPATH=desktop:. .venv/bin/python bench/decoder_bench.py --model PATH --reports N --parallel K

The tiny SmolLM2 makes every ratio look worse than on a 1B model, where llama.cpp's own time
per token is larger and the decoder's Python per step the same.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _reports(n: int):
    from pluk.core.readers.reports import Report
    from tests.support.english_mri import reports

    base = reports()
    return [Report.from_text(id=f"r{i:03d}", source="bench", format="txt",
                             text=base[i % len(base)].text) for i in range(n)]


class _Timed:
    """Wraps a decoder's llama_decode calls: seconds in prompt batches and in answer batches,
    and the shape of every call (tokens, logit rows, prompt tokens) for the replay floor."""

    def __init__(self, decoder):
        self.prompt = self.answer = 0.0
        self.shapes: list[tuple[int, int, int]] = []
        original = decoder._decode

        def timed(*, prompt_tokens, should_stop):
            raw = decoder._batch.raw
            n = decoder._batch.n
            self.shapes.append((n, sum(1 for i in range(n) if raw.logits[i]), prompt_tokens))
            started = time.perf_counter()
            try:
                return original(prompt_tokens=prompt_tokens, should_stop=should_stop)
            finally:
                spent = time.perf_counter() - started
                if prompt_tokens:
                    self.prompt += spent
                else:
                    self.answer += spent

        decoder._decode = timed


class _GrammarClock:
    """Seconds spent in the grammar: every call on llguidance's matchers (forced tokens,
    checking the chosen token, consuming, accepting) and every fill of full masks
    (MaskBuffer.fill), counted once."""

    def __init__(self):
        from pluk.core.engine import llg

        self.seconds = 0.0
        clock = self

        class Timed:
            def __init__(self, matcher):
                self._matcher = matcher

            def __getattr__(self, name):
                method = getattr(self._matcher, name)

                def call(*args, **kwargs):
                    started = time.perf_counter()
                    try:
                        return method(*args, **kwargs)
                    finally:
                        clock.seconds += time.perf_counter() - started
                return call

        original_matcher, original_fill = llg.Grammar.matcher, llg.MaskBuffer.fill

        def matcher(grammar):
            return Timed(original_matcher(grammar))

        def fill(masks, timed):
            started = time.perf_counter()
            try:  # llguidance's executor takes its own matchers only
                return original_fill(masks, [t._matcher for t in timed])
            finally:
                clock.seconds += time.perf_counter() - started

        llg.Grammar.matcher, llg.MaskBuffer.fill = matcher, fill


def run_decoder(model, task, reports, parallel: int, threads: int, n_ctx: int):
    from tests.core.engine.conftest import build_requests

    from pluk.core.engine.decoder import Decoder, DecoderOptions

    decoder = Decoder(model, DecoderOptions(n_ctx=n_ctx, parallel=parallel, n_threads=threads,
                                            n_threads_batch=threads))
    timer = _Timed(decoder)
    timer.grammar = _GrammarClock()
    started = time.perf_counter()
    prompt, requests = build_requests(decoder, task, reports)
    timer.n_prefix = len(timer.shapes)
    results = list(decoder.extract(prompt, requests))
    wall = time.perf_counter() - started
    by_id = {r.id: r for r in requests}
    replay = [(by_id[r.id].tokens, r.output_tokens) for r in results]
    return decoder, prompt.tokens, replay, results, wall, timer


def free_greedy(decoder, prefix: list[int], replay) -> float:
    """Seconds of plain greedy decoding, one token per llama_decode, as many tokens as each
    answer had, after the same prompt (whose time is not counted)."""
    import numpy as np

    from pluk.core.engine.native import Batch

    ctx, batch, spent = decoder._ctx, Batch(decoder.options.n_batch), 0.0
    for prompt, answer in replay:
        ctx.seq_rm(1, -1, -1)
        ctx.seq_cp(0, 1)
        pos = len(prefix)
        for start in range(0, len(prompt), decoder.options.n_batch):
            chunk = prompt[start:start + decoder.options.n_batch]
            batch.clear()
            for i, t in enumerate(chunk):
                batch.add(t, pos + i, 1, start + i == len(prompt) - 1)
            ctx.decode(batch)
            pos += len(chunk)
        started = time.perf_counter()
        token = int(np.argmax(ctx.logits(batch.n - 1)))
        for _ in answer:
            batch.clear()
            batch.add(token, pos, 1, True)
            ctx.decode(batch)
            pos += 1
            token = int(np.argmax(ctx.logits(0)))
        spent += time.perf_counter() - started
    ctx.seq_rm(1, -1, -1)
    return spent


def _native(model, threads: int, n_ctx: int, flash_attn: bool | None):
    """A model, a two-sequence context and a batch for the floors, with the decoder's threads
    and flash-attention setting."""
    from pluk.core.engine.native import Batch, NativeContext, NativeModel

    native = NativeModel(model)
    ctx = NativeContext(native, n_ctx=2 * n_ctx, n_batch=512, n_seq_max=2, n_threads=threads,
                        n_threads_batch=threads, flash_attn=flash_attn)
    return native, ctx, Batch(512)


def _by_report(shapes):
    """The decoder's calls after the prefix, report by report (parallel 1: a prompt batch after
    an answer step starts the next report)."""
    reports: list[list[tuple[int, int, int]]] = []
    for shape in shapes:
        if shape[2] and (not reports or any(not p for _, _, p in reports[-1])):
            reports.append([])
        reports[-1].append(shape)
    return reports


def engine_floor(model, prefix: list[int], replay, threads: int, n_ctx: int,
                 flash_attn: bool | None, logit_rows: list[int] | None = None) -> float:
    """Seconds for llama.cpp to evaluate the prefix once and each report's prompt and answer,
    in full batches, with the decoder's flash-attention setting. Logits at each report's last
    token only (the issue's floor), or, with logit_rows, at as many answer positions as the
    decoder read logits for that report (a distribution per sampled token costs the output
    layer: on Gemma 3, 262k x 640, about half a single step)."""
    native, ctx, batch = _native(model, threads, n_ctx, flash_attn)
    started = time.perf_counter()

    def evaluate(tokens: list[int], pos: int, seq: int, rows: set[int]) -> None:
        for start in range(0, len(tokens), 512):
            batch.clear()
            chunk = tokens[start:start + 512]
            for i, t in enumerate(chunk):
                at = start + i
                batch.add(t, pos + at, seq, at == len(tokens) - 1 or at in rows)
            if ctx.decode(batch) != 0:
                raise RuntimeError("llama_decode failed in the floor")

    evaluate(prefix, 0, 0, set())
    for index, (prompt, answer) in enumerate(replay):
        ctx.seq_rm(1, -1, -1)
        ctx.seq_cp(0, 1)
        wanted = min(logit_rows[index], len(answer)) if logit_rows else 0
        rows = set(range(len(prompt) - 1, len(prompt) - 1 + wanted))
        evaluate(prompt + answer, len(prefix), 1, rows)
    spent = time.perf_counter() - started
    ctx.close()
    native.close()
    return spent


def replay_floor(model, shapes, n_prefix: int, threads: int, n_ctx: int,
                 flash_attn: bool | None) -> float:
    """Seconds for llama.cpp to run llama_decode calls of the decoder's own shapes (tokens and
    logit rows per call, in order; parallel 1), back to back with nothing chosen in between:
    what decoding one step at a time costs the engine itself. The first n_prefix calls are the
    prefix (sequence 0); each report starts again from it. Wall time over this floor is what
    the decoder adds (Python, grammar, guard, decisions)."""
    native, ctx, batch = _native(model, threads, n_ctx, flash_attn)
    started = time.perf_counter()

    def run(calls, seq: int, pos: int) -> int:
        for n, logits, _ in calls:
            batch.clear()
            for i in range(n):
                batch.add(200 + i % 7, pos + i, seq, i >= n - logits)
            if ctx.decode(batch) != 0:
                raise RuntimeError("llama_decode failed in the replay floor")
            pos += n
        return pos

    prefix_end = run(shapes[:n_prefix], 0, 0)
    for calls in _by_report(shapes[n_prefix:]):
        ctx.seq_rm(1, -1, -1)
        ctx.seq_cp(0, 1)
        run(calls, 1, prefix_end)
    spent = time.perf_counter() - started
    ctx.close()
    native.close()
    return spent


def llama_cpp_python(model, prefix: list[int], replay, gbnf: str, budget: int, threads: int,
                     n_ctx: int) -> tuple[float, list[str]]:
    from llama_cpp import Llama, LlamaGrammar

    llm = Llama(model_path=str(model), n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads,
                n_batch=512, verbose=False)
    grammar = LlamaGrammar.from_string(gbnf, verbose=False)
    texts = []
    started = time.perf_counter()
    for prompt, _ in replay:
        out = llm.create_completion(prompt=prefix + prompt, max_tokens=budget, temperature=0.0,
                                    grammar=grammar)
        texts.append(out["choices"][0]["text"])
    spent = time.perf_counter() - started
    llm.close()
    return spent, texts


def main() -> int:
    sys.path.insert(0, str(REPO))
    from pluk.core.engine.grammar import schema_to_gbnf
    from pluk.core.extraction.context import output_token_budget
    from pluk.core.tasks import json_schema, load_task

    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, required=True)
    parser.add_argument("--reports", type=int, default=3)
    parser.add_argument("--parallel", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--task", default="prostate_mri_nl")
    parser.add_argument("--compare-parallel", type=int, metavar="N",
                        help="run the decoder again with N reports at once: reports/min and "
                             "how many answers are the same")
    parser.add_argument("--skip-baseline", action="store_true",
                        help="leave out llama-cpp-python's create_completion (slow)")
    args = parser.parse_args()
    load = os.getloadavg()
    task = load_task(args.task)
    reports = _reports(args.reports)
    decoder, prefix, replay, results, wall, timer = run_decoder(
        args.model, task, reports, args.parallel, args.threads, args.n_ctx)
    stats = decoder.stats
    out_tokens = sum(len(answer) for _, answer in replay)
    answer_phase = wall - timer.prompt
    free = free_greedy(decoder, prefix, replay)
    decoder.close()
    flash = decoder.options.flash_attention()
    floor = engine_floor(args.model, prefix, replay, args.threads, args.n_ctx, flash)
    # The logit rows the decoder read in each report's answer steps.
    logit_rows = ([sum(logits for _, logits, prompt in calls if not prompt)
                   for calls in _by_report(timer.shapes[timer.n_prefix:])]
                  if args.parallel == 1 else None)
    floor_logits = (engine_floor(args.model, prefix, replay, args.threads, args.n_ctx, flash,
                                 logit_rows) if logit_rows else None)
    replayed = (replay_floor(args.model, timer.shapes, timer.n_prefix, args.threads,
                             args.n_ctx, flash) if args.parallel == 1 else None)
    summary = {
        "model": args.model.name, "reports": len(results), "parallel": args.parallel,
        "threads": args.threads, "finish": sorted({r.finish_reason for r in results}),
        "wall_s": round(wall, 2), "reports_per_min": round(60 * len(results) / wall, 2),
        "answer_tokens": out_tokens, "sampled": stats.sampled_tokens,
        "forced": stats.forced_tokens, "masks": stats.masks_computed,
        "side_tokens": stats.side_tokens, "decode_calls": stats.decode_calls,
        "prompt_batches_s": round(timer.prompt, 2), "answer_batches_s": round(timer.answer, 2),
        # Per answer token: the decoder's answer phase (decodes, choosing, grammar, guard,
        # decisions) over plain greedy decoding of as many tokens.
        "grammar_cost_ratio_per_token": round(answer_phase / free, 3) if free else None,
        "python_ms_per_step": round(1000 * (answer_phase - timer.answer)
                                    / max(1, stats.sampled_tokens), 3),
        # The grammar's own time (llguidance calls and full masks) per answer token.
        "grammar_ms_per_token": round(1000 * timer.grammar.seconds / max(1, out_tokens), 4),
        "grammar_ms_per_sampled_token": round(1000 * timer.grammar.seconds
                                              / max(1, stats.sampled_tokens), 4),
        "engine_floor_s": round(floor, 2), "wall_over_floor": round(wall / floor, 3),
    }
    if logit_rows:
        # The same floor with the output layer computed wherever the decoder needed a
        # distribution, and a replay of the decoder's own llama_decode calls.
        summary["logit_rows"] = sum(logit_rows)
        summary["engine_floor_with_logits_s"] = round(floor_logits, 2)
        summary["wall_over_floor_with_logits"] = round(wall / floor_logits, 3)
        summary["replay_floor_s"] = round(replayed, 2)
        summary["wall_over_replay_floor"] = round(wall / replayed, 3)
    if not args.skip_baseline:
        budget = output_token_budget(json_schema(task))
        spent, texts = llama_cpp_python(args.model, prefix, replay,
                                        schema_to_gbnf(json_schema(task)), budget,
                                        args.threads, args.n_ctx)
        summary["llama_cpp_python_reports_per_min"] = round(60 * len(texts) / spent, 2)
        summary["speedup_over_llama_cpp_python"] = round(spent / wall, 3)
        # The most any decoder could gain here: llama-cpp-python's time over the engine floor.
        summary["speedup_bound_by_floor"] = round(spent / floor, 3)
        same = sum(t.strip() == r.text.strip() for t, r in zip(texts, results))
        summary["same_answer_as_llama_cpp_python"] = f"{same}/{len(texts)}"
    if args.compare_parallel:
        other, _, _, again, wall_n, _ = run_decoder(args.model, task, reports,
                                                    args.compare_parallel, args.threads,
                                                    args.n_ctx)
        other.close()
        by_id = {r.id: r.text for r in again}
        same = sum(by_id.get(r.id) == r.text for r in results)
        for r in results:
            if by_id.get(r.id) != r.text:  # what differs, for BENCHMARKS' explanation
                print(f"{r.id} parallel 1: {r.text}\n{r.id} parallel "
                      f"{args.compare_parallel}: {by_id.get(r.id)}", file=sys.stderr)
        summary[f"reports_per_min_parallel_{args.compare_parallel}"] = round(
            60 * len(again) / wall_n, 2)
        summary[f"same_answer_parallel_1_vs_{args.compare_parallel}"] = f"{same}/{len(results)}"
    summary["load_before"], summary["load_after"] = load, os.getloadavg()
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
