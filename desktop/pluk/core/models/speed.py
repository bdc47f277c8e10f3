"""How many reports a minute a model should answer on this machine's CPU: the catalogue's and
`pluk hardware`'s word about speed beside their word about memory.

A rough estimate, said as such: on a CPU both reading a prompt and writing a token cost about
the model's weight bytes over the cores that compute them, prompt reading several times less per
token (it is batched), and no token is written faster than the memory can deliver every weight
once. The constants are measured on real models (bench/speed_estimate_bench.py, BENCHMARKS.md);
a report is a typical one of the built-in tasks: PROMPT_TOKENS read after the task's shared
prefix, ANSWER_TOKENS written. A model that runs on a GPU is not estimated here.
"""

from __future__ import annotations

PROMPT_TOKENS = 300
ANSWER_TOKENS = 80
# Seconds per weight byte, per core, for one prompt token and one answer token: measured on a
# model whose bytes are nearly all its layers (Qwen2.5-0.5B's shape, Q4_0; a big vocabulary's
# embedding table is read far less than its bytes say, so small real models run faster than
# estimated); AVX-512, one thread, 2026-12-05.
PROMPT_S_PER_BYTE_CORE = 3.2e-11
ANSWER_S_PER_BYTE_CORE = 7.0e-11
# Bytes a second a CPU reads from memory at best: the floor of an answer token's time.
MEMORY_BYTES_PER_S = 20e9
# Below this many reports a minute the estimate is a warning: a run of 100 reports would take
# more than an hour and a half.
SLOW = 1.0


def seconds_per_report(weights_bytes: int, cores: int, prompt_tokens: int = PROMPT_TOKENS,
                       answer_tokens: int = ANSWER_TOKENS) -> float:
    """A report's seconds on `cores` CPU cores, for a model of `weights_bytes` (a typical
    report unless the token counts are given)."""
    cores = max(1, cores)
    prompt = prompt_tokens * PROMPT_S_PER_BYTE_CORE * weights_bytes / cores
    step = max(ANSWER_S_PER_BYTE_CORE * weights_bytes / cores,
               weights_bytes / MEMORY_BYTES_PER_S)
    return prompt + answer_tokens * step


def reports_per_minute(weights_bytes: int, cores: int | None, gpu_layers: int = 0,
                       n_layer: int | None = None) -> float | None:
    """The estimate; None where it would mean nothing: unknown cores, or every layer on a GPU.
    Layers on a GPU count as free: only the CPU's share of the weights is timed."""
    if not cores or gpu_layers < 0 or (n_layer and gpu_layers >= n_layer):
        return None
    share = 1.0 - (gpu_layers / n_layer if gpu_layers and n_layer else 0.0)
    return 60.0 / seconds_per_report(int(weights_bytes * share), cores)
