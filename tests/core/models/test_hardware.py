"""The memory estimate's arithmetic and the advice built on it."""

from __future__ import annotations

import os
import sys

import pytest

from pluk.core.models.gguf_info import read_gguf_info
from pluk.core.models.hardware import (
    GiB,
    MiB,
    GPUInfo,
    HardwareInfo,
    ModelShape,
    advise,
    detect_hardware,
    estimate_memory,
    kv_cache_bytes,
)

# Qwen2.5-7B's shape: 28 layers, 4 KV heads of 128.
QWEN7B = ModelShape(weights_bytes=4_683_073_888, n_layer=28, n_head_kv=4, head_dim=128,
                    context_length=32768)


def machine(total_gb: float, free_gb: float, gpu_gb: float | None = None) -> HardwareInfo:
    gpus = [GPUInfo(name="test", memory_total_bytes=int(gpu_gb * GiB))] if gpu_gb else []
    return HardwareInfo(os="test", machine="x86_64", ram_total_bytes=int(total_gb * GiB),
                        ram_available_bytes=int(free_gb * GiB), cpu_features=["avx", "avx2"],
                        gpus=gpus)


def test_kv_cache_arithmetic():
    # 2 (K,V) * 28 layers * 8192 tokens * 4 heads * 128 dims * 2 bytes = 448 MiB
    assert kv_cache_bytes(QWEN7B, 8192) == 2 * 28 * 8192 * 4 * 128 * 2 == 448 * MiB
    # The decoder holds a stream of n_ctx cells for the prompt prefix and one per report.
    est = estimate_memory(QWEN7B, 8192)
    assert est.kv_cache_exact and est.parallel == 1
    assert est.overhead_bytes == 512 * MiB + int(0.05 * QWEN7B.weights_bytes)
    assert est.total_bytes == QWEN7B.weights_bytes + 2 * 448 * MiB + est.overhead_bytes
    assert estimate_memory(QWEN7B, 8192, parallel=3).kv_cache_bytes == 4 * 448 * MiB
    assert kv_cache_bytes(QWEN7B, 4096) * 2 == kv_cache_bytes(QWEN7B, 8192)


def test_kv_from_gguf_metadata(tiny_gguf):
    shape = ModelShape.from_gguf_info(read_gguf_info(tiny_gguf))
    assert (shape.n_layer, shape.n_head_kv, shape.head_dim) == (2, 2, 16)
    assert kv_cache_bytes(shape, 256) == 2 * 2 * 256 * 2 * 16 * 2


def test_unknown_shape_is_a_flagged_guess():
    est = estimate_memory(ModelShape(weights_bytes=8 * GiB), 8192)
    assert not est.kv_cache_exact and est.kv_cache_bytes == 2 * GiB  # two streams of 8192
    assert "rough guess" in advise(ModelShape(weights_bytes=GiB), machine(32, 30)).warning


@pytest.mark.parametrize(
    "total, free, verdict",
    [(32, 28, "fits"), (16, 4, "tight"), (4, 3, "does_not_fit")],
)
def test_verdicts(total, free, verdict):
    advice = advise(QWEN7B, machine(total, free), n_ctx=8192)
    assert advice.verdict == verdict and advice.gpu_layers == 0
    assert (advice.warning is None) == (verdict == "fits")


def test_suggested_context_shrinks_to_fit():
    needed_4k = estimate_memory(QWEN7B, 4096).total_bytes
    free = (needed_4k + 64 * MiB) / 0.9 / GiB  # room for 4096 tokens, not for 8192
    advice = advise(QWEN7B, machine(64, free), n_ctx=32768)
    assert advice.verdict == "tight" and advice.suggested_n_ctx == 4096
    assert "4096" in advice.warning


def test_context_beyond_training_is_warned():
    advice = advise(QWEN7B, machine(64, 60), n_ctx=65536)
    assert "trained for 32768" in advice.warning


def test_gpu_offload():
    assert advise(QWEN7B, machine(16, 8, gpu_gb=24)).gpu_layers == -1
    partial = advise(QWEN7B, machine(16, 8, gpu_gb=4))
    assert 0 < partial.gpu_layers < 28
    assert partial.memory_needed_bytes < estimate_memory(QWEN7B, 8192).total_bytes


def test_unknown_memory_and_old_cpu():
    hw = HardwareInfo(os="x", machine="x86_64", cpu_features=["avx"])
    advice = advise(QWEN7B, hw)
    assert advice.verdict == "unknown" and "AVX2" in advice.warning


def test_detect_hardware_runs_here():
    hw = detect_hardware()
    assert hw.cpu_logical and hw.cpu_logical >= 1
    assert hw.ram_total_bytes is None or hw.ram_total_bytes > 0


@pytest.mark.skipif(sys.platform == "win32", reason="a shell-script stand-in for nvidia-smi")
def test_nvidia_smi_is_parsed(tmp_path, monkeypatch):
    fake = tmp_path / "nvidia-smi"
    fake.write_text("#!/bin/sh\necho 'NVIDIA H100 80GB HBM3, 81559, 80000'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    [gpu] = detect_hardware().gpus
    assert gpu.name == "NVIDIA H100 80GB HBM3"
    assert gpu.memory_total_bytes == 81559 * MiB and gpu.memory_free_bytes == 80000 * MiB


@pytest.mark.parametrize("physical, usable, expected", [
    (4, 8, 3),      # hyper-threads: one thread per physical core, one core left free
    (64, 2, 1),     # a container limited to two CPUs of a large host
    (None, 6, 5),   # physical cores unknown: the usable CPUs
    (2, 2, 1),      # this VM: two threads stall 3-10x when another program runs
    (1, 1, 1),
])
def test_default_threads_leave_one_usable_physical_core_free(monkeypatch, physical, usable,
                                                            expected):
    from pluk.core.models import hardware

    monkeypatch.setattr(hardware, "_cpu", lambda: ("cpu", physical, []))
    monkeypatch.setattr(hardware, "usable_cpus", lambda: usable)
    assert hardware.default_threads() == hardware.default_batch_threads() == expected


def test_several_reports_at_once_by_default_only_on_a_gpu():
    from pluk.core.models.hardware import default_parallel

    assert default_parallel(0) == 1
    assert default_parallel(-1) == default_parallel(20) == 4


def test_usable_cpus_follow_the_affinity_mask():
    from pluk.core.models.hardware import usable_cpus

    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count()
    assert usable_cpus() == expected
