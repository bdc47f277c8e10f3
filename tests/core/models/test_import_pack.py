"""import_model, export_pack and import_pack: local files only."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from pluk.core import paths
from pluk.core.errors import ModelError
from pluk.core.models import store
from pluk.core.models.importer import import_model
from pluk.core.models.pack import MANIFEST, export_pack, import_pack

from .conftest import write_gguf


def test_import_copies_and_registers(tiny_gguf):
    reports = []
    entry = import_model(tiny_gguf, on_progress=reports.append)
    assert entry.id == "tiny-model" and entry.source == "import" and not entry.in_place
    assert entry.sha256 == hashlib.sha256(tiny_gguf.read_bytes()).hexdigest()
    assert Path(entry.path).parent == paths.models_dir() / "tiny-model"
    assert Path(entry.path).read_bytes() == tiny_gguf.read_bytes()
    assert entry.gguf.architecture == "llama" and entry.gguf.name == "tiny"
    assert entry.gguf.n_head_kv == 2 and entry.gguf.head_dim == 16
    assert reports and reports[-1].done == tiny_gguf.stat().st_size
    # The same file again: the existing entry, no second copy.
    assert import_model(tiny_gguf).id == entry.id
    assert len(store.list_installed()) == 1


def test_import_in_place_and_remove_keeps_users_file(tiny_gguf):
    entry = import_model(tiny_gguf, copy=False)
    assert entry.in_place and Path(entry.path) == tiny_gguf.resolve()
    store.remove(entry.id)
    assert tiny_gguf.exists() and store.list_installed() == []


def test_remove_deletes_copied_file(tiny_gguf):
    entry = import_model(tiny_gguf)
    store.remove(entry.id)
    assert not Path(entry.path).exists() and not Path(entry.path).parent.exists()
    with pytest.raises(ModelError, match="No installed model"):
        store.remove(entry.id)


def test_import_refuses_non_gguf(tmp_path):
    fake = tmp_path / "notes.gguf"
    fake.write_text("this is a clinical report, not a model")
    with pytest.raises(ModelError, match="not a GGUF model file"):
        import_model(fake)
    with pytest.raises(ModelError, match="not found"):
        import_model(tmp_path / "missing.gguf")
    assert store.list_installed() == []


def test_import_refuses_truncated_gguf(tmp_path, tiny_gguf):
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(tiny_gguf.read_bytes()[:40])
    with pytest.raises(ModelError):
        import_model(cut)
    assert store.list_installed() == []


def test_ids_do_not_collide(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = write_gguf(tmp_path / "a" / "same.gguf", seed=1)
    b = write_gguf(tmp_path / "b" / "same.gguf", seed=2)
    assert [import_model(a).id, import_model(b).id] == ["same", "same-2"]


def test_verify_detects_a_changed_file(tiny_gguf):
    entry = import_model(tiny_gguf)
    assert store.verify(entry.id).ok
    with open(entry.path, "r+b") as fh:
        fh.seek(-1, 2)
        fh.write(b"\x00" if fh.read(1) != b"\x00" else b"\x01")
    result = store.verify(entry.id)
    assert not result.ok and result.actual_sha256 != entry.sha256
    Path(entry.path).unlink()
    assert "missing" in store.verify(entry.id).message


def test_pack_round_trip(tiny_gguf, tmp_path):
    entry = import_model(tiny_gguf)
    manifest_path = export_pack(entry.id, tmp_path / "usb")
    manifest = json.loads(manifest_path.read_text())
    assert manifest["sha256"] == entry.sha256 and manifest["size_bytes"] == entry.size_bytes
    assert manifest["gguf"]["architecture"] == "llama" and manifest["source"]["source"] == "import"
    assert (tmp_path / "usb" / "tiny-model.gguf").read_bytes() == tiny_gguf.read_bytes()
    with pytest.raises(ModelError, match="already holds a model pack"):
        export_pack(entry.id, tmp_path / "usb")

    store.remove(entry.id)
    installed = import_pack(tmp_path / "usb")
    assert (installed.id, installed.source) == ("tiny-model", "pack")
    assert installed.sha256 == entry.sha256
    assert Path(installed.path).read_bytes() == tiny_gguf.read_bytes()


def test_tampered_pack_is_refused(tiny_gguf, tmp_path):
    entry = import_model(tiny_gguf)
    export_pack(entry.id, tmp_path / "pack")
    store.remove(entry.id)
    packed = tmp_path / "pack" / "tiny-model.gguf"
    data = bytearray(packed.read_bytes())
    data[-5] ^= 0xFF  # same size, different content
    packed.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match its manifest"):
        import_pack(tmp_path / "pack")
    assert store.list_installed() == []
    assert list((paths.models_dir() / store.STAGING_DIR).iterdir()) == []

    packed.write_bytes(bytes(data[:-100]))  # truncated: refused on size, before hashing
    with pytest.raises(ModelError, match="incomplete or altered"):
        import_pack(tmp_path / "pack")


def test_pack_without_manifest_or_with_bad_id(tmp_path, tiny_gguf):
    with pytest.raises(ModelError, match="not a Pluk model pack"):
        import_pack(tmp_path)
    entry = import_model(tiny_gguf)
    export_pack(entry.id, tmp_path / "p")
    manifest = json.loads((tmp_path / "p" / MANIFEST).read_text())
    manifest["id"] = "../../escape"
    (tmp_path / "p" / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="manifest .* is invalid"):
        import_pack(tmp_path / "p")
