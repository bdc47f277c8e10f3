"""The GPU check's script (bench/gpu/gpu_bench.py) runs end to end as a CPU dry run on a tiny
model with the Qwen2 vocabulary, writing its JSON lines: so the script a GPU session depends on
does not rot between sessions (no GPU can be had here; the real run is bench/gpu/run.sh)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_the_gpu_bench_dry_run_writes_every_figure(tmp_path, shared_dir):
    # shared_dir: the Qwen2 vocabulary the bench's model copies (skips without ../shared).
    out = tmp_path / "gpu.jsonl"
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / "gpu" / "gpu_bench.py"), "--shape", "tiny",
         "--cpu", "--parallel", "1", "4", "--skip-baseline", "--models", str(tmp_path),
         "--vocab", str(shared_dir / "vocab" / "ggml-vocab-qwen2.gguf"),
         "--out", str(out)],
        capture_output=True, text=True, timeout=300, cwd=REPO,
        env={**__import__("os").environ, "PYTHONPATH": f"{REPO / 'desktop'}:{REPO}"})
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    events = [line["event"] for line in lines]
    assert events == ["start", "model", "floor", "floor", "floor", "decoder", "decoder", "end"]
    decoder = [line for line in lines if line["event"] == "decoder"]
    assert [d["parallel"] for d in decoder] == [1, 4]
    assert all(d["reports"] == 16 and d["reports_per_min"] > 0 for d in decoder)
    assert [f["floor_sequences"] for f in lines if f["event"] == "floor"] == [1, 16, 64]
