"""Every test gets its own PLUK_HOME and a clean network environment (no proxies)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pluk.core.models import download

_NETWORK_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy", "HF_ENDPOINT", "HF_TOKEN", "PLUK_CA_BUNDLE")
_OFFLINE_VARS = ("HF_HUB_OFFLINE", "HF_HUB_DISABLE_TELEMETRY", "HF_HUB_DISABLE_UPDATE_CHECK")


@pytest.fixture(autouse=True)
def pluk_home(tmp_path, monkeypatch) -> Path:
    import huggingface_hub.constants as constants

    home = tmp_path / "pluk-home"
    monkeypatch.setenv("PLUK_HOME", str(home))
    for var in _NETWORK_VARS + _OFFLINE_VARS:
        monkeypatch.delenv(var, raising=False)
    # Tests switch offline mode on: make sure it is switched back for the rest of the suite.
    for name in _OFFLINE_VARS:
        monkeypatch.setattr(constants, name, False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setattr(download, "CHUNK_SIZE", 64 * 1024)  # several chunks per test file
    return home


def write_gguf(path: Path, *, n_floats: int = 1024, name: str = "tiny", seed: int = 0) -> Path:
    """A small llama-architecture GGUF (header, metadata, f32 tensors); not meant to run."""
    import gguf

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(name)
    writer.add_block_count(2)
    writer.add_context_length(256)
    writer.add_embedding_length(64)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_file_type(0)
    rng = np.random.default_rng(seed)
    writer.add_tensor("token_embd.weight", rng.standard_normal((16, 64)).astype(np.float32))
    for layer in range(2):  # as many layers as block_count says, or gguf_info refuses it
        writer.add_tensor(f"blk.{layer}.attn_norm.weight", np.ones(64, dtype=np.float32))
    writer.add_tensor("output.weight", rng.standard_normal(n_floats).astype(np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


@pytest.fixture
def tiny_gguf(tmp_path) -> Path:
    return write_gguf(tmp_path / "tiny-model.gguf")


@pytest.fixture
def gguf_bytes(tmp_path) -> bytes:
    """About 600 KB of GGUF: about ten download chunks."""
    return write_gguf(tmp_path / "payload.gguf", n_floats=150_000, seed=1).read_bytes()
