"""download_model against a local fake Hub, through the real huggingface_hub client."""

from __future__ import annotations

import hashlib
import itertools
import json
import socket
import time
from pathlib import Path

import pytest

from pluk.core import paths
from pluk.core.errors import CancelledError, ModelError
from pluk.core.models import download, store
from pluk.core.models.download import download_model, partial_downloads

from .fake_hub import COMMIT, FakeHub

REPO = "acme/Tiny-GGUF"
FILE = "tiny-Q4_K_M.gguf"


@pytest.fixture
def hub(monkeypatch):
    """A mirror-style server: the file is served from the resolve URL itself."""
    with FakeHub() as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.endpoint)
        yield fake


@pytest.fixture(params=[False, True], ids=["direct", "cdn-redirect"])
def any_hub(request, monkeypatch):
    """Both the mirror style and huggingface.co's style (302 to a CDN on another origin)."""
    with FakeHub(redirect=request.param) as fake:
        monkeypatch.setenv("HF_ENDPOINT", fake.endpoint)
        yield fake


def _staged_parts() -> list[Path]:
    return list((paths.models_dir() / store.STAGING_DIR).glob("*.part"))


def test_download_installs_with_sha256_and_progress(any_hub, gguf_bytes):
    sha = any_hub.add(REPO, FILE, gguf_bytes)
    reports = []
    entry = download_model(REPO, FILE, revision="main", on_progress=reports.append)

    assert entry.sha256 == sha
    assert entry.size_bytes == len(gguf_bytes)
    assert entry.source == "hub" and entry.repo == REPO and entry.commit == COMMIT
    installed = Path(entry.path)
    assert installed.parent.parent == paths.models_dir()
    assert hashlib.sha256(installed.read_bytes()).hexdigest() == sha
    assert entry.gguf.architecture == "llama" and entry.gguf.n_layer == 2
    assert [m.id for m in store.list_installed()] == [entry.id]
    assert _staged_parts() == [] and partial_downloads() == []
    downloading = [r for r in reports if r.phase == "downloading"]
    assert downloading[-1].done == downloading[-1].total == len(gguf_bytes)
    assert any_hub.ranges() == []
    gets = [r["path"] for r in any_hub.requests if r["method"] == "GET"]
    assert len(gets) == 1 and gets[0].startswith("/cdn/" if any_hub.redirect else f"/{REPO}/")

    # Installed already: no second request to the server.
    before = len(any_hub.requests)
    assert download_model(REPO, FILE, revision="main").id == entry.id
    assert len(any_hub.requests) == before


def test_dropped_connection_resumes_with_range(any_hub, gguf_bytes):
    sha = any_hub.add(REPO, FILE, gguf_bytes)
    any_hub.drop_after = 300 * 1024
    entry = download_model(REPO, FILE, revision="main")
    assert entry.sha256 == sha
    starts = [int(r.removeprefix("bytes=").rstrip("-")) for r in any_hub.ranges()]
    assert len(starts) == 1 and 0 < starts[0] <= 300 * 1024


def test_cancel_keeps_part_and_next_call_resumes(any_hub, gguf_bytes):
    sha = any_hub.add(REPO, FILE, gguf_bytes)
    checks = itertools.count()
    with pytest.raises(CancelledError, match="run it again to resume"):
        # Checked once before the transfer and once per chunk: stop after three chunks.
        download_model(REPO, FILE, should_stop=lambda: next(checks) >= 4)
    assert store.list_installed() == []
    [part] = _staged_parts()
    kept = part.stat().st_size
    assert 0 < kept < len(gguf_bytes)
    assert partial_downloads()[0]["downloaded"] == kept

    entry = download_model(REPO, FILE)
    assert entry.sha256 == sha
    assert any_hub.ranges() == [f"bytes={kept}-"]
    assert _staged_parts() == []


def test_server_that_ignores_range_restarts_cleanly(hub, gguf_bytes):
    sha = hub.add(REPO, FILE, gguf_bytes)
    checks = itertools.count()
    with pytest.raises(CancelledError):
        download_model(REPO, FILE, should_stop=lambda: next(checks) >= 3)
    hub.ignore_range = True  # e.g. a proxy that strips Range: huggingface_hub truncates
    entry = download_model(REPO, FILE)
    assert entry.sha256 == sha and entry.size_bytes == len(gguf_bytes)
    assert len(hub.ranges()) == 1


def test_corrupted_download_is_refused_and_not_installed(hub, gguf_bytes):
    hub.add(REPO, FILE, gguf_bytes)
    hub.corrupt = True  # right ETag, wrong bytes
    with pytest.raises(ModelError, match="corrupt.*nothing was installed"):
        download_model(REPO, FILE)
    assert store.list_installed() == []
    assert _staged_parts() == []
    assert not any(p.suffix == ".gguf" for p in paths.models_dir().rglob("*"))


def test_pinned_sha256_mismatch_fails_before_download(hub, gguf_bytes):
    hub.add(REPO, FILE, gguf_bytes)
    with pytest.raises(ModelError, match="not the expected version"):
        download_model(REPO, FILE, expected_sha256="0" * 64)
    assert not any(r["method"] == "GET" for r in hub.requests)


def test_missing_file_is_a_clear_error(hub):
    with pytest.raises(ModelError, match="not in that repository"):
        download_model(REPO, "nope.gguf")
    with pytest.raises(ModelError, match="split model"):
        download_model(REPO, "big-q4_k_m-00001-of-00003.gguf")


def test_not_enough_disk_space(hub, gguf_bytes, monkeypatch):
    hub.add(REPO, FILE, gguf_bytes)
    monkeypatch.setattr(store, "disk_free", lambda path: 1000)
    with pytest.raises(ModelError, match="not enough free disk space"):
        download_model(REPO, FILE)
    assert not any(r["method"] == "GET" for r in hub.requests)


def test_closed_port_fails_fast_with_model_error(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    start = time.monotonic()
    with pytest.raises(ModelError, match="cannot reach http://127.0.0.1"):
        download_model(REPO, FILE)
    assert time.monotonic() - start < 5
    assert store.list_installed() == []


def test_offline_mode_is_restored_after_download(hub, gguf_bytes):
    import huggingface_hub.constants as constants

    from pluk.core.models.offline import enforce_offline_env, is_offline

    enforce_offline_env()
    assert is_offline()
    hub.add(REPO, FILE, gguf_bytes)
    download_model(REPO, FILE)  # lifts offline mode for its own call only
    assert constants.HF_HUB_OFFLINE is True

    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.errors import OfflineModeIsEnabled

    with pytest.raises(OfflineModeIsEnabled):
        get_hf_file_metadata(hf_hub_url(REPO, FILE, endpoint=hub.endpoint))


def test_catalogue_download_uses_catalogue_id(hub, gguf_bytes, monkeypatch, tmp_path):
    sha = hub.add(REPO, FILE, gguf_bytes)
    catalogue = {
        "models": [{
            "id": "tiny", "title": "Tiny", "repo": REPO, "filename": FILE,
            "size_bytes": len(gguf_bytes), "size_verified": True, "sha256": sha,
            "licence": "MIT", "quantization": "Q4_K_M", "parameters_b": 0.001, "ram_gb": 0.1,
            "default": True,
        }]
    }
    (tmp_path / "res").mkdir()
    (tmp_path / "res" / "models.json").write_text(json.dumps(catalogue))
    monkeypatch.setattr(paths, "resources_dir", lambda: tmp_path / "res")
    entry = download.download_catalogue_model("tiny")
    assert (entry.id, entry.source, entry.catalogue_id, entry.licence) == (
        "tiny", "catalogue", "tiny", "MIT")
    assert store.resolve_model_path("tiny") == Path(entry.path)
