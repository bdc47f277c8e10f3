"""Owns the hardware-fit advisor: what this machine has (memory, CPU cores and features, NVIDIA
GPU memory), what a model needs at a given context size, and the verdict with a suggested
context size and number of GPU layers. Standard library only; every probe may come back empty
(None) and the advice then says so rather than guessing.

Memory estimate = weights (the file size) + KV cache + overhead, where the f16 KV cache is
2 (K and V) * n_layer * cells * n_head_kv * head_dim * 2 bytes, and the overhead (llama.cpp
compute buffers, the runtime, Pluk itself) is taken as 512 MiB + 5% of the weights. Pluk's
decoder keeps a stream of n_ctx cells for the shared prompt prefix and one per report decoded
at once: (parallel + 1) * n_ctx cells.
"""

from __future__ import annotations

import math
import os
import platform
import re
import shutil
import subprocess
import sys
from typing import Literal

from pydantic import BaseModel, Field

from pluk.core.models.speed import SLOW, reports_per_minute

MiB = 1024 * 1024
GiB = 1024 * MiB
OVERHEAD_BASE = 512 * MiB
OVERHEAD_FRACTION = 0.05
# A model of unknown shape: assume its 8192-token KV cache is 1/8 of its weights.
UNKNOWN_KV_FRACTION_PER_8K = 0.125
# Leave room for the OS and other programs: plan with this share of the memory that is there.
USABLE_SHARE = 0.9
# CUDA context and scratch buffers that are not layers.
GPU_RESERVE = 512 * MiB
CONTEXT_STEPS = (2048, 4096, 8192, 16384, 32768, 65536, 131072)
INTERESTING_FLAGS = ("avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vbmi",
                     "avx512_vnni", "avx512_bf16", "avx_vnni", "amx_tile", "amx_int8",
                     "amx_bf16", "neon", "asimd", "sve")

Verdict = Literal["fits", "tight", "does_not_fit", "unknown"]


class GPUInfo(BaseModel):
    name: str | None = None
    memory_total_bytes: int
    memory_free_bytes: int | None = None


class HardwareInfo(BaseModel):
    os: str
    machine: str
    ram_total_bytes: int | None = None
    ram_available_bytes: int | None = None
    cpu_model: str | None = None
    cpu_logical: int | None = None
    cpu_physical: int | None = None
    cpu_usable: int | None = Field(default=None, description="Cores this process may run on")
    cpu_features: list[str] | None = Field(default=None, description="None: could not tell")
    gpus: list[GPUInfo] = Field(default_factory=list)

    @property
    def gpu_memory_bytes(self) -> int | None:
        return max((g.memory_total_bytes for g in self.gpus), default=None)


class ModelShape(BaseModel):
    """What the estimate needs to know about a model; from GGUF metadata or the catalogue."""

    name: str | None = None
    weights_bytes: int
    n_layer: int | None = None
    n_head_kv: int | None = None
    head_dim: int | None = None
    context_length: int | None = None

    @classmethod
    def from_installed(cls, entry) -> "ModelShape":  # store.InstalledModel
        g = entry.gguf
        return cls(name=entry.id, weights_bytes=entry.size_bytes, n_layer=g.n_layer,
                   n_head_kv=g.n_head_kv, head_dim=g.head_dim, context_length=g.context_length)

    @classmethod
    def from_catalogue(cls, entry) -> "ModelShape":  # catalogue.CatalogueEntry
        arch = entry.arch
        return cls(name=entry.id, weights_bytes=entry.size_bytes,
                   n_layer=arch.n_layer if arch else None,
                   n_head_kv=arch.n_head_kv if arch else None,
                   head_dim=arch.head_dim if arch else None,
                   context_length=entry.context_length)

    @classmethod
    def from_gguf_info(cls, info) -> "ModelShape":  # gguf_info.GGUFInfo
        return cls(name=info.name, weights_bytes=info.size_bytes, n_layer=info.n_layer,
                   n_head_kv=info.n_head_kv, head_dim=info.head_dim,
                   context_length=info.context_length)


class MemoryEstimate(BaseModel):
    n_ctx: int
    parallel: int = 1
    weights_bytes: int
    kv_cache_bytes: int
    overhead_bytes: int
    kv_cache_exact: bool = Field(description="False when the model's shape was unknown")

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + self.overhead_bytes


class Advice(BaseModel):
    verdict: Verdict
    n_ctx: int
    estimate: MemoryEstimate
    memory_needed_bytes: int = Field(description="System memory needed after GPU offload")
    suggested_n_ctx: int | None = Field(description="Largest tried context that fits, or None")
    gpu_layers: int = Field(description="Layers to offload: 0 = CPU only, -1 = all")
    reports_per_minute: float | None = Field(
        default=None, description="Rough speed on this CPU (speed.py); None: on a GPU, or the "
        "cores are unknown")
    warning: str | None = None


# --- estimates ---------------------------------------------------------------------------------


def kv_cache_bytes(shape: ModelShape, n_ctx: int) -> int | None:
    """f16 K and V for every layer and token; None when the shape is unknown."""
    if not (shape.n_layer and shape.n_head_kv and shape.head_dim):
        return None
    return 2 * shape.n_layer * n_ctx * shape.n_head_kv * shape.head_dim * 2


def kv_cells(n_ctx: int, parallel: int = 1) -> int:
    """The decoder's KV cells: a stream of n_ctx for the prefix and one per parallel report."""
    return (parallel + 1) * n_ctx


def estimate_memory(shape: ModelShape, n_ctx: int, parallel: int = 1) -> MemoryEstimate:
    cells = kv_cells(n_ctx, parallel)
    kv = kv_cache_bytes(shape, cells)
    exact = kv is not None
    if kv is None:
        kv = int(shape.weights_bytes * UNKNOWN_KV_FRACTION_PER_8K * cells / 8192)
    overhead = OVERHEAD_BASE + int(OVERHEAD_FRACTION * shape.weights_bytes)
    return MemoryEstimate(n_ctx=n_ctx, parallel=parallel, weights_bytes=shape.weights_bytes,
                          kv_cache_bytes=kv, overhead_bytes=overhead, kv_cache_exact=exact)


def _gpu_plan(est: MemoryEstimate, shape: ModelShape, hw: HardwareInfo) -> tuple[int, int]:
    """(gpu_layers, system memory still needed)."""
    gpu = hw.gpu_memory_bytes
    if not gpu:
        return 0, est.total_bytes
    budget = gpu * USABLE_SHARE - GPU_RESERVE
    on_gpu = est.weights_bytes + est.kv_cache_bytes
    if on_gpu <= budget:
        return -1, est.overhead_bytes
    if not shape.n_layer or budget <= 0:
        return 0, est.total_bytes
    per_layer = on_gpu / shape.n_layer
    layers = max(0, min(shape.n_layer, math.floor(budget / per_layer)))
    return layers, est.total_bytes - int(layers * per_layer)


def _verdict(needed: int, hw: HardwareInfo) -> Verdict:
    if hw.ram_total_bytes is None:
        return "unknown"
    available = hw.ram_available_bytes
    if available is None:
        available = int(hw.ram_total_bytes * 0.75)  # nothing better to go on
    if needed <= available * USABLE_SHARE:
        return "fits"
    if needed <= hw.ram_total_bytes * USABLE_SHARE:
        return "tight"
    return "does_not_fit"


def _gb(n: int | None) -> str:
    return "?" if n is None else f"{n / 1e9:.1f} GB"


def advise(model: ModelShape, hardware: HardwareInfo, n_ctx: int = 8192,
           parallel: int = 1) -> Advice:
    """Will `model` run here at `n_ctx` tokens of context (`parallel` reports at once), and
    with what settings?"""
    est = estimate_memory(model, n_ctx, parallel)
    gpu_layers, needed = _gpu_plan(est, model, hardware)
    verdict = _verdict(needed, hardware)
    limit = model.context_length or CONTEXT_STEPS[-1]
    suggested: int | None = None
    for step in sorted({*CONTEXT_STEPS, n_ctx}, reverse=True):
        if step > min(limit, max(n_ctx, CONTEXT_STEPS[0])):
            continue
        step_est = estimate_memory(model, step, parallel)
        if _verdict(_gpu_plan(step_est, model, hardware)[1], hardware) == "fits":
            suggested = step
            break

    warnings: list[str] = []
    if model.context_length and n_ctx > model.context_length:
        warnings.append(f"The model was trained for {model.context_length} tokens of context, "
                        f"fewer than the {n_ctx} asked for.")
    free = hardware.ram_available_bytes
    where = f"{_gb(free)} free of {_gb(hardware.ram_total_bytes)}"
    if verdict == "tight":
        warnings.append(f"Needs about {_gb(needed)} of memory at {n_ctx} tokens; {where}: "
                        "close other programs, or use a smaller context"
                        + (f" ({suggested} tokens fits)." if suggested else "."))
    elif verdict == "does_not_fit":
        warnings.append(f"Needs about {_gb(needed)} of memory at {n_ctx} tokens; this machine "
                        f"has {_gb(hardware.ram_total_bytes)}: pick a smaller model"
                        + (f" or a context of {suggested} tokens." if suggested else "."))
    elif verdict == "unknown":
        warnings.append(f"Could not read this machine's memory; the model needs about "
                        f"{_gb(needed)} at {n_ctx} tokens.")
    if not est.kv_cache_exact:
        warnings.append("The model's shape is unknown, so the context memory is a rough guess.")
    cores = hardware.cpu_physical or hardware.cpu_usable or hardware.cpu_logical
    speed = reports_per_minute(model.weights_bytes, threads_for(cores) if cores else None,
                               gpu_layers, model.n_layer)
    features = hardware.cpu_features
    if (features is not None and hardware.machine.lower() in {"x86_64", "amd64"}
            and "avx2" not in features):
        warnings.append("This CPU lacks AVX2: llama.cpp will be slow, and builds made for "
                        "newer CPUs will not start.")
    return Advice(verdict=verdict, n_ctx=n_ctx, estimate=est, memory_needed_bytes=needed,
                  suggested_n_ctx=suggested, gpu_layers=gpu_layers,
                  reports_per_minute=speed, warning=" ".join(warnings) or None)


def is_slow(advice: Advice) -> bool:
    """Fits, but answers under SLOW reports a minute on this CPU (speed.py)."""
    speed = advice.reports_per_minute
    return speed is not None and speed < SLOW and advice.verdict in ("fits", "tight")


# --- detection ---------------------------------------------------------------------------------


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read()
    except OSError:
        return None


def _memory() -> tuple[int | None, int | None]:
    meminfo = _read("/proc/meminfo")
    if meminfo:
        values = {m.group(1): int(m.group(2)) * 1024
                  for m in re.finditer(r"^(\w+):\s+(\d+) kB", meminfo, re.M)}
        return values.get("MemTotal"), values.get("MemAvailable", values.get("MemFree"))
    if sys.platform == "win32":
        return _windows_memory()
    try:
        page = os.sysconf("SC_PAGE_SIZE")
        total = page * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None, None
    try:
        available = page * os.sysconf("SC_AVPHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        available = None  # macOS has no such counter; the advice then plans with 75% of total
    return total, available


def _windows_memory() -> tuple[int | None, int | None]:
    import ctypes

    class MEMORYSTATUSEX(ctypes.Structure):
        _fields_ = [("dwLength", ctypes.c_ulong), ("dwMemoryLoad", ctypes.c_ulong),
                    ("ullTotalPhys", ctypes.c_ulonglong), ("ullAvailPhys", ctypes.c_ulonglong),
                    ("ullTotalPageFile", ctypes.c_ulonglong),
                    ("ullAvailPageFile", ctypes.c_ulonglong),
                    ("ullTotalVirtual", ctypes.c_ulonglong),
                    ("ullAvailVirtual", ctypes.c_ulonglong),
                    ("ullAvailExtendedVirtual", ctypes.c_ulonglong)]

    status = MEMORYSTATUSEX()
    status.dwLength = ctypes.sizeof(MEMORYSTATUSEX)
    if not ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):  # type: ignore
        return None, None
    return int(status.ullTotalPhys), int(status.ullAvailPhys)


def _cpu() -> tuple[str | None, int | None, list[str] | None]:
    """(model name, physical cores, feature flags)."""
    cpuinfo = _read("/proc/cpuinfo")
    if cpuinfo:
        model = re.search(r"^(?:model name|Model|Hardware)\s*:\s*(.+)$", cpuinfo, re.M)
        cores = set(re.findall(r"^physical id\s*:\s*(\d+)\s*$.*?^core id\s*:\s*(\d+)\s*$",
                               cpuinfo, re.M | re.S))
        flags_line = re.search(r"^(?:flags|Features)\s*:\s*(.*)$", cpuinfo, re.M)
        flags = set(flags_line.group(1).split()) if flags_line else set()
        if "asimd" in flags:
            flags.add("neon")
        features = sorted(f for f in INTERESTING_FLAGS if f in flags)
        return (model.group(1).strip() if model else platform.processor() or None,
                len(cores) or None, features)
    if sys.platform == "win32":
        return platform.processor() or None, None, _windows_features()
    if sys.platform == "darwin":
        return _mac_cpu()
    return platform.processor() or None, None, None


def detect_cpu() -> tuple[str | None, int | None, list[str] | None]:
    """(model name, physical cores, the feature flags llama.cpp's CPU code cares about)."""
    return _cpu()


def usable_cpus() -> int:
    """Logical CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def physical_cores() -> int:
    """The physical cores this process may use (hyper-threads add little to llama.cpp)."""
    usable = usable_cpus()
    physical = _cpu()[1]
    return max(1, min(usable, physical or usable))


def default_threads() -> int:
    """Threads for generating tokens when the user sets none: the physical cores but one.
    llama.cpp's threads wait for each other, spinning, after every step of the graph, so one
    thread held up by another program stalls all of them: measured on 2 cores (SmolLM2-135M,
    3 reports, another process spinning on one core), two threads went from 2.2-2.7 s to
    6.8-25 s, one thread from 3.2-4.1 s to 3.3-3.9 s. With a core left free a busy machine
    slows Pluk in proportion, not by an order of magnitude; idle, it costs one core's share."""
    return threads_for(physical_cores())


def threads_for(physical: int) -> int:
    """The threads Pluk computes with by default on `physical` cores: all but one."""
    return max(1, physical - 1)


def default_batch_threads() -> int:
    """Threads for prompt batches (and several answers at once) when the user sets none: as
    for generating (measured as above: two batch threads beside one generating went from
    2.6-3.4 s to 4.4-12.8 s under the same load)."""
    return default_threads()


def default_parallel(n_gpu_layers: int = 0) -> int:
    """Reports decoded at once when the user sets none. On the CPU 1: measured on 2 cores
    (SmolLM2-135M, 3 reports) three at once took 3.2-4.3 s at one thread against 3.2-4.1 s one
    at a time, 2.0-2.7 s against 2.2-2.7 s at two; each costs n_ctx more KV cells. With layers
    on a GPU, where one step of several answers costs about one of a single answer, 4 (not
    measured here: no GPU)."""
    return 1 if n_gpu_layers == 0 else 4


def gpu_parallel(free_bytes: int | None, kv_bytes_per_report: int | None) -> int:
    """Reports decoded at once on a GPU when the user sets none: as many as 80% of the GPU
    memory still free (measured with the weights loaded) holds KV cells for, 1 to 64; the GPU
    default of default_parallel where either is unknown."""
    if not free_bytes or not kv_bytes_per_report:
        return default_parallel(-1)
    return max(1, min(64, int(free_bytes * 0.8) // kv_bytes_per_report))


def _windows_features() -> list[str] | None:
    import ctypes

    # IsProcessorFeaturePresent: PF_AVX_INSTRUCTIONS_AVAILABLE 39, PF_AVX2_... 40, PF_AVX512F 41
    try:
        present = ctypes.windll.kernel32.IsProcessorFeaturePresent  # type: ignore[attr-defined]
        return [name for code, name in ((39, "avx"), (40, "avx2"), (41, "avx512f"))
                if present(code)]
    except (AttributeError, OSError):
        return None


def _mac_cpu() -> tuple[str | None, int | None, list[str] | None]:
    def sysctl(name: str) -> str | None:
        try:
            out = subprocess.run(["sysctl", "-n", name], capture_output=True, text=True,
                                 timeout=5, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() or None

    model = sysctl("machdep.cpu.brand_string")
    physical = sysctl("hw.physicalcpu")
    if platform.machine() == "arm64":
        features: list[str] | None = ["neon"]
    else:
        raw = " ".join(filter(None, (sysctl("machdep.cpu.features"),
                                     sysctl("machdep.cpu.leaf7_features")))).lower()
        flags = set(raw.replace("avx1.0", "avx").replace("avx512f", "avx512f").split())
        features = sorted(f for f in INTERESTING_FLAGS if f in flags) if raw else None
    return model, int(physical) if physical and physical.isdigit() else None, features


def nvidia_gpus() -> list[GPUInfo]:
    """NVIDIA GPUs with their total and free memory, from nvidia-smi; none where it is absent."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return []
    try:
        out = subprocess.run(
            [exe, "--query-gpu=name,memory.total,memory.free", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    gpus = []
    for line in out.stdout.splitlines() if out.returncode == 0 else []:
        parts = [p.strip() for p in line.split(",")]
        if len(parts) >= 2 and parts[1].isdigit():
            free = int(parts[2]) * MiB if len(parts) > 2 and parts[2].isdigit() else None
            gpus.append(GPUInfo(name=parts[0], memory_total_bytes=int(parts[1]) * MiB,
                                memory_free_bytes=free))
    return gpus


def detect_hardware() -> HardwareInfo:
    total, available = _memory()
    model, physical, features = _cpu()
    try:
        usable = len(os.sched_getaffinity(0))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        usable = None
    return HardwareInfo(
        os=f"{platform.system()} {platform.release()}".strip(),
        machine=platform.machine(),
        ram_total_bytes=total,
        ram_available_bytes=available,
        cpu_model=model,
        cpu_logical=os.cpu_count(),
        cpu_physical=physical,
        cpu_usable=usable,
        cpu_features=features,
        gpus=nvidia_gpus(),
    )
