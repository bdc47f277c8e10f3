"""Issue 24, item 2: the decoder's automatic choices differ on a GPU: prompts in the answers'
batch, one shared KV cache, and as many reports at once as the free GPU memory holds KV for.
The CPU keeps its defaults (answers independent of the batch). No GPU can be had here: the
choices are checked on the options the run would give the decoder, with the GPU's free memory
given as nvidia-smi would report it (a stand-in for the real query), and a CPU run end to end."""

from __future__ import annotations

from pluk.cli import main
from pluk.core.extraction.decoder_choice import decoder_options
from pluk.core.models.hardware import default_parallel, gpu_parallel
from pluk.core.options import HardwareOptions, RunOptions
from pluk.core.runs.folder import RunFolder

GB = 1024 ** 3


def test_the_cpu_keeps_answers_independent_of_the_batch():
    cpu = decoder_options(RunOptions(), 2048)
    assert cpu.isolate_prompts and not cpu.kv_unified and cpu.parallel == 1


def test_a_gpu_mixes_prompts_shares_the_cache_and_fills_its_memory():
    options = RunOptions(hardware=HardwareOptions(n_gpu_layers=-1))
    # 40 GB free after the weights, 0.5 GB of KV per report at this context: 64 (the cap).
    gpu = decoder_options(options, 4096, (40 * GB, GB // 2))
    assert not gpu.isolate_prompts and gpu.kv_unified and gpu.parallel == 64
    assert decoder_options(options, 4096, (4 * GB, GB)).parallel == 3  # 80% of 4 GB
    assert decoder_options(options, 4096, (None, GB)).parallel == default_parallel(-1)
    # What the user sets wins over every automatic choice.
    chosen = RunOptions(hardware=HardwareOptions(n_gpu_layers=-1, parallel=8, mix_prompts=False,
                                                 kv_unified=False))
    fixed = decoder_options(chosen, 4096, (40 * GB, GB // 2))
    assert fixed.parallel == 8 and fixed.isolate_prompts and not fixed.kv_unified
    assert gpu_parallel(GB // 10, GB) == 1  # never 0


def test_the_flags_reach_the_run_and_its_manifest(tmp_path, tiny_model, capsys):
    reports = tmp_path / "in"
    reports.mkdir()
    for n in range(3):
        (reports / f"r{n}.txt").write_text(f"PSA {n + 4},1 ng/ml. PI-RADS {n + 2}.",
                                           encoding="utf-8")
    out = tmp_path / "run"
    assert main(["extract", "--task", "prostate_mri_nl", "--input", str(reports), "--model",
                 str(tiny_model), "--out", str(out), "--parallel", "2", "--mix-prompts",
                 "--kv-unified"]) == 0
    manifest = RunFolder(out).read_manifest()
    assert manifest.options["hardware"]["mix_prompts"] is True
    engine = manifest.engine_facts["options"]
    assert engine["isolate_prompts"] is False and engine["kv_unified"] is True
    assert len(RunFolder(out).records()) == 3
