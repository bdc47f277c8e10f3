"""Shared test set-up: isolated user folders, offscreen Qt, and the suite's own tiny model.

The tiny model is a random-weight llama GGUF built by pluk.core.random_model in about half a
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
    from pluk.core.random_model import build_random_gguf

    return build_random_gguf(tmp_path_factory.mktemp("models") / "tiny.gguf")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED_DIR.is_dir():
        pytest.skip("../shared is not beside the repository")
    return SHARED_DIR
