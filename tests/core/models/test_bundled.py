"""The offline installer's model beside the app is found and registered on first start."""

from __future__ import annotations

from pluk.core.models.bundle import write_manifest
from pluk.core.models.gguf_info import file_sha256
from pluk.core.models.store import adopt_bundled_models, list_installed, resolve_model_path
from pluk.core.models.random_model import build_random_gguf


def test_a_bundled_model_is_adopted_in_place_once(tmp_path, monkeypatch):
    monkeypatch.setenv("PLUK_HOME", str(tmp_path / "home"))
    shipped = tmp_path / "app" / "models"
    model = build_random_gguf(shipped / "site-model.gguf")
    write_manifest(shipped)
    monkeypatch.setenv("PLUK_BUNDLED_MODELS", str(shipped))

    assert resolve_model_path(str(model)) == model.resolve()  # any resolve adopts first
    installed = list_installed()
    assert len(installed) == 1
    entry = installed[0]
    assert entry.source == "bundle" and entry.in_place
    assert entry.path == str(model.resolve()) and model.exists()  # registered where it lies
    assert entry.sha256 == file_sha256(model, use_cache=False)
    assert adopt_bundled_models() == []  # nothing twice
    assert resolve_model_path(entry.id) == model.resolve()
