"""The GPU check of the decoder (issue 24, item 6): how many reports a minute Pluk answers at
parallel 1, 16 and 64 with every layer on the GPU, against the batched floor of the engine (one
llama_decode of 1, 16 and 64 sequences) and llama-cpp-python's own create_completion with a
grammar. One JSON object per line, as each figure is measured, so a run cut short still leaves
what it had.

A random-weight model of a real shape with the Qwen2 vocabulary (../shared/vocab, or --vocab)
stands in for Qwen2.5: random weights make every step's choice need a full mask (the worst
case for the grammar). Task prostate_mri_nl on the English MRI reports, n_ctx 2048,
temperature 0, the decoder's automatic GPU choices (decoder_options: prompts mixed into the
answers' batch, one shared KV cache) at a fixed parallel.

    python bench/gpu/gpu_bench.py --shape 14b --out results.jsonl      # on the GPU machine
    python bench/gpu/gpu_bench.py --shape tiny --cpu --out /tmp/x.jsonl  # a dry run, anywhere

bench/gpu/run.sh builds the CUDA engine first; see bench/gpu/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHAPES = {
    # width, layers, heads, KV heads, FFN: the shapes of the GPU issue's table.
    "14b": dict(n_embd=5120, n_layer=48, n_head=40, n_head_kv=8, n_ff=13824),
    "1.5b": dict(n_embd=1536, n_layer=28, n_head=12, n_head_kv=2, n_ff=8960),
    "tiny": dict(n_embd=64, n_layer=2, n_head=4, n_head_kv=4, n_ff=128),
}


class Lines:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")

    def write(self, **fields) -> None:
        line = json.dumps(fields)
        print(line, flush=True)
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def build_model(shape: str, vocab: Path, folder: Path) -> Path:
    from pluk.core.models.random_model import ModelShape, build_random_gguf

    path = folder / f"random-{shape}-q4_0-qwen2vocab.gguf"
    if not path.exists():
        quant = "F32" if shape == "tiny" else "Q4_0"
        build_random_gguf(path, ModelShape(**SHAPES[shape], quantization=quant),
                          vocab_path=vocab)
    return path


def _reports(n: int):
    from pluk.core.readers.reports import Report
    from tests.support.english_mri import reports

    base = reports()
    return [Report.from_text(id=f"r{i:03d}", source="bench", format="txt",
                             text=base[i % len(base)].text) for i in range(n)]


def decoder_run(model: Path, parallel: int, n_reports: int, gpu_layers: int) -> dict:
    """Pluk's loop over n_reports at `parallel`; seconds in llama_decode and outside it."""
    from pluk.core.engine.decoder import Decoder
    from pluk.core.extraction.decoder_choice import decoder_options
    from pluk.core.extraction.loop import run_extraction
    from pluk.core.options import HardwareOptions, RunOptions
    from pluk.core.tasks import load_task

    run = RunOptions(hardware=HardwareOptions(n_gpu_layers=gpu_layers, parallel=parallel))
    options = decoder_options(run, 2048)
    task = load_task("prostate_mri_nl")
    with Decoder(model, options) as decoder:
        list(run_extraction(task, _reports(1), decoder, run))  # the prefix and the grammar
        spent = {"decode": 0.0, "calls": 0}
        original = decoder._decode

        def timed(**kwargs):
            started = time.perf_counter()
            try:
                return original(**kwargs)
            finally:
                spent["decode"] += time.perf_counter() - started
                spent["calls"] += 1

        decoder._decode = timed
        started = time.perf_counter()
        records = list(run_extraction(task, _reports(n_reports), decoder, run))
        wall = time.perf_counter() - started
    tokens = sum(r.tokens_output or 0 for r in records)
    return {"parallel": parallel, "reports": len(records), "wall_s": round(wall, 2),
            "reports_per_min": round(60 * len(records) / wall, 1),
            "answer_tokens": tokens, "decode_calls": spent["calls"],
            "mean_decode_ms": round(1e3 * spent["decode"] / max(1, spent["calls"]), 2),
            "outside_decode_share": round(1 - spent["decode"] / wall, 3),
            "mix_prompts": not options.isolate_prompts, "kv_unified": options.kv_unified}


def batched_floor(model: Path, gpu_layers: int, repeat: int = 11) -> list[dict]:
    """One llama_decode of 1, 16 and 64 sequences (one token each, logits read) after a
    500-token prompt: the step the engine needs at each parallel."""
    from pluk.core.engine.native import Batch, NativeContext, NativeModel

    native = NativeModel(model, n_gpu_layers=gpu_layers)
    ctx = NativeContext(native, n_ctx=65 * 1024, n_batch=512, n_seq_max=65, n_threads=4,
                        n_threads_batch=4, kv_unified=True)
    batch = Batch(512)
    for i in range(500):
        batch.add(100 + i % 50, i, 0, i == 499)
    assert ctx.decode(batch) == 0
    out = []
    for n in (1, 16, 64):
        for seq in range(1, n + 1):
            ctx.seq_cp(0, seq)
        times = []
        for step in range(repeat):
            batch.clear()
            for seq in range(1, n + 1):
                batch.add(200 + seq, 500 + step, seq, True)
            started = time.perf_counter()
            assert ctx.decode(batch) == 0
            ctx.logits(batch.n - 1)
            times.append(time.perf_counter() - started)
        for seq in range(1, n + 1):
            ctx.seq_rm(seq, -1, -1)
        out.append({"floor_sequences": n, "step_ms": round(1e3 * statistics.median(times), 2)})
    batch.free()
    ctx.close()
    native.close()
    return out


def llama_cpp_python_run(model: Path, n_reports: int, gpu_layers: int) -> dict:
    """llama-cpp-python's create_completion with a LlamaGrammar of the task's GBNF, one
    report at a time: what Pluk's decoder replaces."""
    from llama_cpp import Llama, LlamaGrammar

    from pluk.core.engine.grammar import schema_to_gbnf
    from pluk.core.extraction.context import output_token_budget
    from pluk.core.extraction.prompt import messages_for
    from pluk.core.tasks import json_schema, load_task

    task = load_task("prostate_mri_nl")
    schema = json_schema(task)
    grammar = LlamaGrammar.from_string(schema_to_gbnf(schema), verbose=False)
    llm = Llama(model_path=str(model), n_ctx=2048, n_gpu_layers=gpu_layers, verbose=False)
    started = time.perf_counter()
    reports = _reports(n_reports)
    for report in reports:
        messages = messages_for(task, report.text)
        prompt = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n"
                         for m in messages) + "<|im_start|>assistant\n"
        llm.create_completion(prompt, max_tokens=output_token_budget(schema), temperature=0.0,
                              grammar=grammar)
    wall = time.perf_counter() - started
    return {"baseline": "llama-cpp-python create_completion + LlamaGrammar",
            "reports": len(reports), "reports_per_min": round(60 * len(reports) / wall, 1)}


def main() -> int:
    sys.path.insert(0, str(REPO))
    parser = argparse.ArgumentParser()
    parser.add_argument("--shape", choices=sorted(SHAPES), default="14b")
    parser.add_argument("--cpu", action="store_true", help="a dry run without a GPU")
    parser.add_argument("--vocab", type=Path,
                        default=REPO.parent / "shared" / "vocab" / "ggml-vocab-qwen2.gguf")
    parser.add_argument("--models", type=Path, default=Path("/tmp/pluk-gpu-bench"))
    parser.add_argument("--out", type=Path, default=Path("gpu_bench.jsonl"))
    parser.add_argument("--parallel", type=int, nargs="+", default=[1, 16, 64])
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    lines = Lines(args.out)
    gpu_layers = 0 if args.cpu else -1
    from pluk.core.engine.native import engine_versions

    lines.write(event="start", shape=args.shape, gpu_layers=gpu_layers,
                versions=engine_versions(), cpu_count=os.cpu_count())
    started = time.perf_counter()
    model = build_model(args.shape, args.vocab, args.models)
    lines.write(event="model", file=model.name, bytes=model.stat().st_size,
                build_s=round(time.perf_counter() - started, 1))
    for row in batched_floor(model, gpu_layers):
        lines.write(event="floor", **row)
    for parallel in args.parallel:
        lines.write(event="decoder", **decoder_run(model, parallel, max(16, 2 * parallel),
                                                   gpu_layers))
    if not args.skip_baseline:
        lines.write(event="baseline", **llama_cpp_python_run(model, 4, gpu_layers))
    lines.write(event="end", total_s=round(time.perf_counter() - started, 1))
    return 0


if __name__ == "__main__":  # the load probe spawns a child: guard the module's work
    sys.exit(main())
