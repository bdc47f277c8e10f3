"""Models shipped next to the app by the offline installer (pluk.core.models.bundle)."""

from __future__ import annotations

import hashlib
import json

from pluk.core.models import bundle


def test_a_source_checkout_has_no_bundled_models(monkeypatch):
    monkeypatch.delenv("PLUK_BUNDLED_MODELS", raising=False)
    assert bundle.bundled_models_dir() is None
    assert bundle.bundled_models() == []


def test_manifest_round_trip_and_unlisted_files(tmp_path, monkeypatch):
    models = tmp_path / "models"
    models.mkdir()
    (models / "a.gguf").write_bytes(b"GGUF" + b"a" * 100)
    bundle.write_manifest(models, {"a.gguf": "catalogue-a"})
    (models / "late.gguf").write_bytes(b"GGUF" + b"b" * 10)  # dropped in after the build
    monkeypatch.setenv("PLUK_BUNDLED_MODELS", str(models))
    assert bundle.bundled_models_dir() == models
    found = {m.filename: m for m in bundle.bundled_models()}
    assert set(found) == {"a.gguf", "late.gguf"}
    a = found["a.gguf"]
    assert a.sha256 == hashlib.sha256((models / "a.gguf").read_bytes()).hexdigest()
    assert a.catalogue_id == "catalogue-a" and a.size_bytes == 104
    assert a.path == str((models / "a.gguf").resolve())
    assert found["late.gguf"].sha256 == ""
    data = json.loads((models / bundle.MANIFEST).read_text())
    assert data["schema_version"] == 1 and len(data["models"]) == 1


def test_a_replaced_file_is_hashed_again(tmp_path, monkeypatch):
    models = tmp_path / "models"
    models.mkdir()
    (models / "a.gguf").write_bytes(b"GGUF1")
    bundle.write_manifest(models)
    (models / "a.gguf").write_bytes(b"GGUF-longer")
    monkeypatch.setenv("PLUK_BUNDLED_MODELS", str(models))
    assert bundle.bundled_models()[0].sha256 == ""
