"""The bundled catalogue validates, and the validator catches what it must."""

from __future__ import annotations

import json

import pytest

from pluk.core.errors import ModelError
from pluk.core.models.catalogue import catalogue_path, load_catalogue


def test_bundled_catalogue_is_valid():
    catalogue = load_catalogue()
    assert len(catalogue.models) >= 8
    assert catalogue.default.id == "qwen2.5-7b-instruct-q4_k_m"
    for entry in catalogue.models:
        assert entry.filename.endswith(".gguf") and entry.licence
        assert entry.sha256 is None or len(entry.sha256) == 64
        assert entry.arch is not None


def _write(tmp_path, models):
    path = tmp_path / "models.json"
    path.write_text(json.dumps({"models": models}))
    return path


def _entry(**changes):
    base = json.loads(catalogue_path().read_text())["models"][0]
    base.update(changes)
    return base


def test_exactly_one_default(tmp_path):
    with pytest.raises(ModelError, match="exactly one model must be the default"):
        load_catalogue(_write(tmp_path, [_entry(default=False)]))
    with pytest.raises(ModelError, match="exactly one"):
        load_catalogue(_write(tmp_path, [_entry(default=True), _entry(id="b", default=True)]))


def test_bad_fields_are_named(tmp_path):
    with pytest.raises(ModelError, match="sha256"):
        load_catalogue(_write(tmp_path, [_entry(default=True, sha256="abc")]))
    with pytest.raises(ModelError, match="filename"):
        load_catalogue(_write(tmp_path, [_entry(default=True, filename="x.bin")]))
    with pytest.raises(ModelError, match="duplicate model ids"):
        load_catalogue(_write(tmp_path, [_entry(default=True), _entry()]))
