"""resolve_model_path and the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from pluk.core.errors import ModelError
from pluk.core.models import store
from pluk.core.models.catalogue import load_catalogue
from pluk.core.models.importer import import_model


def test_resolve_a_path(tiny_gguf):
    assert store.resolve_model_path(str(tiny_gguf)) == tiny_gguf.resolve()


def test_resolve_a_path_that_is_not_gguf(tmp_path):
    bad = tmp_path / "x.gguf"
    bad.write_bytes(b"PK\x03\x04")
    with pytest.raises(ModelError, match="not a GGUF"):
        store.resolve_model_path(str(bad))
    with pytest.raises(ModelError, match="not found"):
        store.resolve_model_path(str(tmp_path / "gone.gguf"))


def test_resolve_an_installed_id(tiny_gguf):
    entry = import_model(tiny_gguf)
    assert store.resolve_model_path(entry.id) == Path(entry.path)
    Path(entry.path).unlink()
    with pytest.raises(ModelError, match="is missing"):
        store.resolve_model_path(entry.id)


def test_resolve_a_catalogue_id_that_is_not_installed():
    default = load_catalogue().default
    with pytest.raises(ModelError) as info:
        store.resolve_model_path(default.id)
    assert f"`pluk models download {default.id}`" in str(info.value)


def test_resolve_an_installed_catalogue_model(tiny_gguf):
    default = load_catalogue().default
    entry = import_model(tiny_gguf, model_id=default.id)
    assert store.resolve_model_path(default.id) == Path(entry.path)


def test_resolve_unknown():
    with pytest.raises(ModelError, match="Unknown model 'no-such-model'"):
        store.resolve_model_path("no-such-model")


def test_invalid_id_refused(tiny_gguf):
    with pytest.raises(ModelError, match="not a valid model id"):
        import_model(tiny_gguf, model_id="../evil")
    assert store.list_installed() == []


def test_slugify():
    assert store.slugify("Qwen2.5-7B-Instruct-Q4_K_M.gguf") == "qwen2.5-7b-instruct-q4_k_m"
    assert store.slugify("  weird name (1).GGUF") == "weird-name-1"
