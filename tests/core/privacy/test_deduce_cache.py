"""deduce's packed lookup cache (the installers ship it xz-compressed; a first use unpacks it
into the per-user folder): the unpacked pickle is byte for byte the packed one, a damaged file
leaves no torn pickle behind, and a loader with no usable cache unpacks the bundled one instead
of building from the source lists. deduce itself is not loaded here (test_deidentify does)."""

from __future__ import annotations

import lzma
import os

import pytest

from pluk.core.privacy import deduce_engine
from pluk.core.privacy.deduce_engine import CACHE_FILE, PACKED_FILE, unpack_cache

pytest.importorskip("deduce")


def test_unpack_gives_back_the_packed_bytes(tmp_path):
    data = os.urandom(1 << 16) * 20  # over one copy buffer
    packed = tmp_path / "lookup_structs.pickle.xz"
    packed.write_bytes(lzma.compress(data))
    target = unpack_cache(packed, tmp_path / "user")
    assert target == tmp_path / "user" / CACHE_FILE
    assert target.read_bytes() == data
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no partial file left


def test_a_damaged_packed_cache_leaves_no_pickle(tmp_path):
    packed = tmp_path / "lookup_structs.pickle.xz"
    packed.write_bytes(lzma.compress(b"x" * 100_000)[:-40])  # cut: the stream never ends
    with pytest.raises((lzma.LZMAError, EOFError)):
        unpack_cache(packed, tmp_path / "user")
    assert not list((tmp_path / "user" / "cache").iterdir())


def test_the_loader_unpacks_the_bundled_cache_before_building_one(tmp_path, monkeypatch):
    bundled = tmp_path / "bundled"
    (bundled / PACKED_FILE).parent.mkdir(parents=True)
    (bundled / PACKED_FILE).write_bytes(lzma.compress(b"a pickle"))
    monkeypatch.setenv("PLUK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("PLUK_DEDUCE_CACHE", raising=False)
    monkeypatch.setattr(deduce_engine, "bundled_lookup_dir", lambda: bundled)
    seen = []

    class FakeDeduce:  # records where deduce would load from; loading 77 MB is test_deidentify's
        def __init__(self, cache_path, **kwargs):
            seen.append(((cache_path / CACHE_FILE).read_bytes(), kwargs))

    import deduce

    monkeypatch.setattr(deduce, "Deduce", FakeDeduce)
    deduce_engine._load.cache_clear()
    try:
        deduce_engine._load()
    finally:
        deduce_engine._load.cache_clear()
    assert seen == [(b"a pickle", {})]  # unpacked, not built (build_lookup_structs not asked)
    assert (deduce_engine.user_lookup_cache() / CACHE_FILE).read_bytes() == b"a pickle"
