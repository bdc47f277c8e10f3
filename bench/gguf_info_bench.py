"""Benchmark: what reading a GGUF file's metadata costs (read_gguf_info, issue 22), on a model
with a 262,144-token vocabulary (the real Gemma 3 270M by default).

Three ways: gguf-py's GGUFReader as read_gguf_info used it before (every field parsed, token
arrays too), the header-only reader without the cache (what a new or changed file costs), and
the cached call (what every later `pluk extract` and the window's model details pay). Also the
whole first call in a fresh process, imports included. The file's pages are in the OS cache for
all of them (one untimed read first), so the figures are parsing, not the disk.

    PYTHONPATH=desktop:. .venv/bin/python bench/gguf_info_bench.py [--model PATH] [--repeat 11]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _old_read_gguf_info(path: Path):
    """read_gguf_info before issue 22, over gguf-py's GGUFReader (the tests' reference)."""
    sys.path.insert(0, str(REPO))
    from tests.support.gguf_reference import reference_info

    return reference_info(path)


def _timed(call, repeat: int) -> tuple[float, Any]:
    spent, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        spent.append(time.perf_counter() - started)
    return statistics.median(spent), result


_FRESH = """
import sys, time
started = time.perf_counter()
from pluk.core.models.gguf_info import read_gguf_info
info = read_gguf_info(sys.argv[1], use_cache=sys.argv[2] == "cache")
print(time.perf_counter() - started, "gguf" in sys.modules)
"""


def _fresh_process(model: Path, mode: str, home: str, repeat: int) -> float:
    """Seconds of the first read_gguf_info in a new process, its imports included."""
    env = {**os.environ, "PLUK_HOME": home,
           "PYTHONPATH": os.pathsep.join([str(REPO / "desktop"), str(REPO)])}
    spent = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", _FRESH, str(model), mode], env=env,
                              capture_output=True, text=True, check=True)
        seconds, imported_gguf = done.stdout.split()
        assert imported_gguf == "False", "a cold read imported gguf-py"
        spent.append(float(seconds))
    return statistics.median(spent)


def main() -> int:
    sys.path[:0] = [str(REPO / "desktop"), str(REPO)]
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, help="default: the real Gemma 3 270M Q4_K_M "
                        "(tests/support/real_models.py fetches it)")
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--old-repeat", type=int, default=3, help="GGUFReader takes seconds")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="pluk-bench-home-")
    os.environ["PLUK_HOME"] = home  # an empty cache of our own
    if args.model is None:
        from tests.support.real_models import fetch

        args.model = fetch("gemma3")
    model = args.model
    model.read_bytes()  # into the OS cache, so that no figure pays the disk
    load = os.getloadavg()

    from pluk.core.models import gguf_info
    from pluk.core.models.gguf_header import read_gguf_header

    old_s, old = _timed(lambda: _old_read_gguf_info(model), args.old_repeat)
    new_s, new = _timed(lambda: gguf_info.read_gguf_info(model, use_cache=False), args.repeat)
    assert new.model_dump() == old.model_dump(), "the readers disagree"
    header_s, _ = _timed(lambda: read_gguf_header(model), args.repeat)
    gguf_info.read_gguf_info(model)  # fills the cache
    cached_s, cached = _timed(lambda: gguf_info.read_gguf_info(model), args.repeat)
    assert cached == new
    fresh_cold = _fresh_process(model, "nocache", home, 5)
    fresh_cached = _fresh_process(model, "cache", home, 5)

    rows = [
        ("GGUFReader (before issue 22)", old_s, args.old_repeat),
        ("header-only reader, no cache", new_s, args.repeat),
        ("  of which gguf_header.read_gguf_header", header_s, args.repeat),
        ("cached (an unchanged file)", cached_s, args.repeat),
        ("fresh process, no cache, imports included", fresh_cold, 5),
        ("fresh process, cached, imports included", fresh_cached, 5),
    ]
    print(f"model: {model.name}, {model.stat().st_size / 1e6:.0f} MB, n_vocab {new.n_vocab}, "
          f"{len(new.metadata)} metadata keys; load before: {load[0]:.2f}")
    print("| read_gguf_info | median ms | runs |")
    print("|---|---|---|")
    for what, seconds, runs in rows:
        print(f"| {what} | {1000 * seconds:.2f} | {runs} |")
    print(f"speedup without cache: {old_s / new_s:.0f}x; with it: {old_s / cached_s:.0f}x")
    print(json.dumps({"model": model.name, "n_vocab": new.n_vocab, "load": load[0],
                      "ms": {what.strip(): round(1000 * s, 3) for what, s, _ in rows}}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
