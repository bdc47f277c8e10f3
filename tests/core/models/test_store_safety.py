"""The model store against hostile or unlucky names, packs and servers (issue 15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pluk.core.errors import ModelError
from pluk.core.models import store
from pluk.core.models.importer import import_model
from pluk.core.models.pack import MANIFEST, export_pack, import_pack, read_manifest

from .conftest import write_gguf
from .fake_hub import FakeHub
from .test_commands import run


def _still_usable(tmp_path: Path) -> None:
    other = import_model(write_gguf(tmp_path / "other.gguf", seed=7))
    store.remove(other.id)


@pytest.mark.parametrize("model_id", ["registry.json.tmp", "registry.json"])
def test_an_id_named_like_the_registry_never_breaks_the_store(tmp_path, tiny_gguf, model_id):
    try:
        entry = import_model(tiny_gguf, model_id=model_id)
    except ModelError as exc:
        assert "\n" not in str(exc) and model_id in str(exc)
    else:
        store.remove(entry.id)
    _still_usable(tmp_path)


def test_a_file_named_like_the_registry_gets_an_id_that_is_not(tmp_path):
    entry = import_model(write_gguf(tmp_path / "registry.json.tmp.gguf"))
    _still_usable(tmp_path)
    assert store.get_installed(entry.id) is not None
    entry = import_model(write_gguf(tmp_path / "registry.json.gguf", seed=3))
    assert entry.id != "registry.json"
    _still_usable(tmp_path)


def _pack(tmp_path: Path, tiny_gguf: Path) -> Path:
    entry = import_model(tiny_gguf)
    export_pack(entry.id, tmp_path / "pack")
    store.remove(entry.id)
    return tmp_path / "pack"


def _edit_manifest(pack: Path, **changes) -> None:
    path = pack / MANIFEST
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))


def test_a_pack_with_the_registrys_name_as_id_leaves_the_store_usable(tmp_path, tiny_gguf):
    pack = _pack(tmp_path, tiny_gguf)
    _edit_manifest(pack, id="registry.json.tmp")
    try:
        import_pack(pack)
    except ModelError as exc:
        assert "\n" not in str(exc)
    _still_usable(tmp_path)


@pytest.mark.parametrize("filename", [
    "D:evil.gguf", "x:y.gguf", "..\\\\x.gguf", "a/b.gguf", "con.gguf", "NUL.gguf", "a\u0000.gguf",
    ".hidden.gguf", "model .gguf", "model.gguf.", "ünïcode.gguf", "x.gguf:stream",
])
def test_a_pack_filename_outside_the_strict_set_is_refused_in_one_line(tmp_path, tiny_gguf,
                                                                         filename):
    pack = _pack(tmp_path, tiny_gguf)
    _edit_manifest(pack, filename=filename)
    with pytest.raises(ModelError) as caught:
        read_manifest(pack)
    message = str(caught.value)
    assert "\n" not in message and "filename" in message
    assert "pydantic" not in message and "errors.pydantic.dev" not in message


def test_an_imported_file_with_an_unsafe_name_is_stored_under_a_safe_one(tmp_path):
    entry = import_model(write_gguf(tmp_path / "D:evil model (copy).gguf"))
    assert entry.filename == "D-evil-model-copy.gguf"
    assert Path(entry.path).parent == store.model_folder(entry.id)
    with pytest.raises(ModelError, match="filename"):
        store.install_file(tmp_path / "x.gguf", model_id="x", filename="D:evil.gguf",
                           sha256="0" * 64, source="import")


def test_a_pack_is_hashed_even_when_its_sha256_is_installed_already(tmp_path, tiny_gguf):
    installed = import_model(tiny_gguf)
    export_pack(installed.id, tmp_path / "pack")
    packed = tmp_path / "pack" / installed.filename
    data = bytearray(packed.read_bytes())
    data[-1] ^= 0xFF  # same size, same header: only the hash can tell
    packed.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match its manifest"):
        import_pack(tmp_path / "pack")


def test_a_download_that_cannot_be_verified_says_so_and_is_recorded(monkeypatch, gguf_bytes,
                                                                     capsys):
    with FakeHub() as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
        hub.add("acme/Tiny-GGUF", "tiny.gguf", gguf_bytes)
        hub.etag = "0123456789abcdef0123456789abcdef01234567"  # a git sha1, as for non-LFS files
        assert run("models", "download", "--repo", "acme/Tiny-GGUF", "--file", "tiny.gguf") == 0
    err = capsys.readouterr().err
    assert "could not be verified" in err
    (entry,) = store.list_installed()
    assert entry.unverified is True


def test_a_verified_download_is_not_marked(monkeypatch, gguf_bytes, capsys):
    with FakeHub() as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.endpoint)
        hub.add("acme/Tiny-GGUF", "tiny.gguf", gguf_bytes)
        assert run("models", "download", "--repo", "acme/Tiny-GGUF", "--file", "tiny.gguf") == 0
    assert "could not be verified" not in capsys.readouterr().err
    assert store.list_installed()[0].unverified is False


@pytest.mark.parametrize("change, field", [
    ({"sha256": "abc"}, "sha256"), ({"size_bytes": -1}, "size_bytes"),
    ({"format_version": 9}, "format_version"), ({"id": "Bad Id"}, "id"),
])
def test_pack_manifest_errors_are_one_line_naming_the_field(tmp_path, tiny_gguf, change, field):
    pack = _pack(tmp_path, tiny_gguf)
    _edit_manifest(pack, **change)
    with pytest.raises(ModelError) as caught:
        read_manifest(pack)
    message = str(caught.value)
    assert "\n" not in message and f"'{field}'" in message
    assert "errors.pydantic.dev" not in message


def test_a_damaged_registry_is_one_line_naming_the_field(tmp_path, tiny_gguf):
    import_model(tiny_gguf)
    path = store.registry_path()
    data = json.loads(path.read_text())
    data["models"][0]["sha256"] = "not-a-hash"
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError) as caught:
        store.list_installed()
    message = str(caught.value)
    assert "\n" not in message and "sha256" in message and "errors.pydantic.dev" not in message
