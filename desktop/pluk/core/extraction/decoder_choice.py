"""What decoder a run asks for: its options at the planned context, with the automatic choices
for a CPU or a GPU (reports at once, prompts mixed into the answers' batch, one shared KV
cache). Apart from job.py so that tools (bench/gpu) take the same choices without the rest of
the orchestrator.
"""

from __future__ import annotations

from pathlib import Path

from pluk.core.engine.decoder import DecoderOptions
from pluk.core.models.hardware import default_parallel, gpu_parallel
from pluk.core.options import RunOptions


def decoder_options(options: RunOptions, n_ctx: int,
                    gpu_room: tuple[int | None, int | None] | None = None) -> DecoderOptions:
    """The decoder a run asks for: its hardware and sampling options at the planned n_ctx
    (None fields are chosen from the machine, by models/hardware.py). On a GPU the automatic
    choices differ from the CPU's: prompts mixed into the answers' batch, one shared KV cache,
    and as many reports at once as `gpu_room` (free GPU bytes, KV bytes per report) allows."""
    hardware, decoding = options.hardware, options.decoding
    on_gpu = hardware.n_gpu_layers != 0
    if hardware.parallel:
        parallel = hardware.parallel
    elif on_gpu and gpu_room is not None:
        parallel = gpu_parallel(*gpu_room)
    else:
        parallel = default_parallel(hardware.n_gpu_layers)
    mix = hardware.mix_prompts if hardware.mix_prompts is not None else on_gpu
    unified = hardware.kv_unified if hardware.kv_unified is not None else on_gpu
    return DecoderOptions(
        n_ctx=n_ctx, parallel=parallel,
        n_batch=max(16, hardware.n_batch), n_threads=hardware.n_threads,
        n_threads_batch=hardware.n_threads_batch, n_gpu_layers=hardware.n_gpu_layers,
        temperature=decoding.temperature, seed=decoding.seed, isolate_prompts=not mix,
        kv_unified=unified)


def gpu_room(model_path: Path, n_ctx: int) -> tuple[int | None, int | None]:
    """(free GPU memory now, with the weights loaded; KV bytes of one report at n_ctx)."""
    from pluk.core.models.gguf_info import read_gguf_info
    from pluk.core.models.hardware import ModelShape, kv_cache_bytes, nvidia_gpus

    free = max((g.memory_free_bytes or 0 for g in nvidia_gpus()), default=0) or None
    try:
        shape = ModelShape.from_gguf_info(read_gguf_info(model_path))
    except Exception:  # an unreadable header: the GPU default
        return free, None
    return free, kv_cache_bytes(shape, n_ctx)
