"""The header-only GGUF reader (gguf_header) and the cached read_gguf_info (issue 22).

The reference is gguf-py's GGUFReader, which read_gguf_info used before: on every file the suite
can build or find, the new reader must give exactly what a reading with GGUFReader gave. A
damaged file must give a ModelError with a plain reason, never another exception or a hang.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import pytest

from pluk.core.errors import ModelError
from pluk.core.models import gguf_info
from pluk.core.models.gguf_header import (GGML_TYPE_SIZES, GGUFFormatError, parse_gguf_header,
                                          read_gguf_header)
from pluk.core.models.gguf_info import GGUFInfo, read_gguf_info
from pluk.core.models.random_model import ModelShape, build_random_gguf

from tests.support.gguf_reference import reference_info as _reference_info

from .conftest import write_gguf

SHARED_VOCAB = Path(__file__).resolve().parents[3].parent / "shared" / "vocab"


def _reference_header(reader: gguf.GGUFReader) -> dict[str, Any]:
    fields = {k: f for k, f in reader.fields.items() if not k.startswith("GGUF.")}
    array = gguf.GGUFValueType.ARRAY
    return {
        "scalars": {k: f.contents() for k, f in fields.items() if f.types[0] != array},
        "arrays": {k: len(f.data) for k, f in fields.items() if f.types[0] == array},
        "tensors": [(t.name, tuple(int(n) for n in t.shape), int(t.tensor_type),
                     int(t.n_elements), int(t.n_bytes), int(t.data_offset))
                    for t in reader.tensors],
        "data_offset": reader.data_offset,
    }


def _header(path: Path) -> dict[str, Any]:
    header = read_gguf_header(path)
    return {
        "scalars": header.scalars,
        "arrays": header.array_lengths,
        "tensors": [(t.name, t.shape, t.ggml_type, t.n_elements, t.n_bytes,
                     header.data_offset + t.offset) for t in header.tensors],
        "data_offset": header.data_offset,
    }


def _assert_same(path: Path) -> None:
    reader = gguf.GGUFReader(str(path), "r")  # seconds on a large vocabulary: one reading
    new, old = _header(path), _reference_header(reader)
    assert new == old
    assert [type(v) for v in new["scalars"].values()] == [
        type(v) for v in old["scalars"].values()]
    try:
        expected = _reference_info(path, reader)
    except ModelError as exc:
        with pytest.raises(ModelError) as caught:
            read_gguf_info(path, use_cache=False)
        assert str(caught.value) == str(exc)
        return
    info = read_gguf_info(path, use_cache=False)
    assert info.model_dump() == expected.model_dump()
    assert list(info.metadata) == list(expected.metadata)


# -- (a) the same answer as GGUFReader ---------------------------------------------------------

@pytest.mark.parametrize("quantization", ["F32", "F16", "Q4_0"])
def test_random_models_read_as_gguf_reader_reads_them(tmp_path, quantization):
    model = build_random_gguf(tmp_path / f"m-{quantization}.gguf",
                              ModelShape(quantization=quantization, n_embd=64, n_layer=3))
    _assert_same(model)


def test_the_suites_tiny_models_read_as_gguf_reader_reads_them(tmp_path, tiny_model):
    _assert_same(tiny_model)
    _assert_same(write_gguf(tmp_path / "tiny.gguf"))


def test_every_value_type_big_endian_and_alignment_read_as_gguf_reader_reads_them(tmp_path):
    for endian in (gguf.GGUFEndian.LITTLE, gguf.GGUFEndian.BIG):
        path = tmp_path / f"types-{endian.name}.gguf"
        writer = gguf.GGUFWriter(str(path), "llama", endianess=endian)
        writer.add_uint8("t.u8", 200)
        writer.add_int8("t.i8", -100)
        writer.add_uint16("t.u16", 60000)
        writer.add_int16("t.i16", -30000)
        writer.add_custom_alignment(64)
        writer.add_int32("t.i32", -2_000_000_000)
        writer.add_float32("t.f32", 0.1)
        writer.add_bool("t.yes", True)
        writer.add_bool("t.no", False)
        writer.add_string("t.str", "Prostaat — PI-RADS ≥ 4")
        writer.add_string("t.empty", "")
        writer.add_uint64("t.u64", 2**64 - 1)
        writer.add_int64("t.i64", -2**62)
        writer.add_float64("t.f64", 1e-300)
        writer.add_array("t.empty_array", [])
        writer.add_array("t.floats", [0.5, 1.5])
        writer.add_array("t.strings", ["a", "", "ééé"])
        writer.add_tensor("token_embd.weight", np.ones((3, 8), np.float32))
        writer.add_tensor("scalar.weight", np.ones(1, np.float16))
        writer.add_tensor("four.weight", np.ones((2, 2, 2, 2), np.float32))
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
        _assert_same(path)
        assert read_gguf_header(path).data_offset % 64 == 0


def test_real_vocabularies_read_as_gguf_reader_reads_them():
    """A vocabulary-only file of llama.cpp's (32k tokens, no tensors)."""
    if not SHARED_VOCAB.is_dir():
        pytest.skip("../shared/vocab is not beside the repository")
    _assert_same(SHARED_VOCAB / "ggml-vocab-llama-spm.gguf")  # qwen2's: the test below


def test_a_model_with_a_real_vocabulary_reads_as_gguf_reader_reads_it(tmp_path):
    if not (SHARED_VOCAB / "ggml-vocab-qwen2.gguf").is_file():
        pytest.skip("../shared/vocab is not beside the repository")
    model = build_random_gguf(tmp_path / "qwen.gguf", ModelShape(n_embd=32, n_head=2),
                              vocab_path=SHARED_VOCAB / "ggml-vocab-qwen2.gguf")
    started = time.perf_counter()
    info = read_gguf_info(model, use_cache=False)
    assert time.perf_counter() - started < 2  # GGUFReader: about 9 s on the CI machine
    assert info.n_vocab == 151936 and info.metadata["tokenizer.ggml.merges"] == "[array of 151387]"
    _assert_same(model)


@pytest.mark.real_model  # GGUFReader takes 10-30 s on it: the cost issue 22 removes
def test_gemma3_with_its_262k_vocabulary_reads_as_gguf_reader_reads_it(gemma3_model):
    info = read_gguf_info(gemma3_model, use_cache=False)
    assert (info.n_vocab, info.architecture, info.quantization) == (262144, "gemma3", "Q4_K_M")
    _assert_same(gemma3_model)


def test_the_tables_match_gguf_py():
    """The small tables that spare a cold read `import gguf` must say what gguf-py says."""
    assert GGML_TYPE_SIZES == {int(k): v for k, v in gguf.GGML_QUANT_SIZES.items()}
    assert gguf_info._FILE_TYPES == {
        int(t): t.name.removeprefix("MOSTLY_").removeprefix("ALL_") for t in gguf.LlamaFileType}
    assert gguf_info._quantization_name(15) == "Q4_K_M"
    assert gguf_info._quantization_name(999) == "type 999"


def test_a_cold_read_does_not_import_gguf_py(tiny_model):
    code = ("import sys; from pluk.core.models.gguf_info import read_gguf_info; "
            "info = read_gguf_info(sys.argv[1], use_cache=False); "
            "print(info.quantization, 'gguf' in sys.modules, 'numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(tiny_model)], capture_output=True,
                          text=True, timeout=120)
    assert done.stdout.split() == ["F32", "False", "False"], done.stderr


# -- (b) damaged files -------------------------------------------------------------------------

@pytest.fixture
def model_bytes(tmp_path) -> bytes:
    return build_random_gguf(tmp_path / "whole.gguf").read_bytes()


def _refused(tmp_path: Path, data: bytes, name: str = "damaged.gguf") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    started = time.perf_counter()
    with pytest.raises(ModelError) as caught:
        read_gguf_info(path)
    assert time.perf_counter() - started < 2
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_a_file_cut_anywhere_in_its_header_is_refused_with_a_reason(model_bytes):
    data_offset = parse_gguf_header(model_bytes).data_offset
    for end in range(4, data_offset + 64):
        with pytest.raises(GGUFFormatError, match="cut short|claims"):
            parse_gguf_header(model_bytes[:end])


def test_cut_files_give_one_plain_model_error(tmp_path, model_bytes):
    header = parse_gguf_header(model_bytes)
    tokens = model_bytes.find(b"tokenizer.ggml.tokens")
    cuts = [0, 2, 6, 20, 30, tokens + 30, header.data_offset - 10, header.data_offset + 100,
            len(model_bytes) - 1]
    for end in cuts:
        message = _refused(tmp_path, model_bytes[:end])
        if end < 4:
            assert "is not a GGUF model file" in message
        else:
            assert message.startswith("damaged.gguf is not a valid GGUF file:"), message
            assert "cut short" in message or "claims" in message, message


def test_bad_magic_is_refused(tmp_path, model_bytes):
    message = _refused(tmp_path, b"GGUX" + model_bytes[4:])
    assert message == "damaged.gguf is not a GGUF model file (it does not start with 'GGUF')"


def _u64_after(data: bytes, marker: bytes, skip: int) -> int:
    """The offset of the uint64 `skip` bytes after `marker`."""
    return data.index(marker) + len(marker) + skip


def _put(data: bytes, offset: int, fmt: str, value: int) -> bytes:
    out = bytearray(data)
    struct.pack_into(fmt, out, offset, value)
    return bytes(out)


def test_huge_lengths_and_counts_are_refused_quickly(tmp_path, model_bytes):
    tokens = b"tokenizer.ggml.tokens"
    first_token = _u64_after(model_bytes, tokens, 4 + 4 + 8)
    cases = {
        # the length prefix of the first key
        "string": (_put(model_bytes, 24, "<Q", 2**62), "claims a string"),
        "string past the end": (_put(model_bytes, 24, "<Q", len(model_bytes)), "cut short"),
        # the element count of tokenizer.ggml.tokens
        "array count": (_put(model_bytes, _u64_after(model_bytes, tokens, 8), "<Q", 2**60),
                        "claims an array of"),
        "array count, within GGUF's limit": (
            _put(model_bytes, _u64_after(model_bytes, tokens, 8), "<Q", 60_000), "cut short"),
        # a string inside the token array
        "token length": (_put(model_bytes, first_token, "<Q", 2**63), "cut short"),
        "tensor count": (_put(model_bytes, 8, "<Q", 2**60), "claims"),
        "key count": (_put(model_bytes, 16, "<Q", 2**40), "claims"),
    }
    for what, (data, reason) in cases.items():
        message = _refused(tmp_path, data)
        assert reason in message, (what, message)


def test_unknown_types_and_impossible_shapes_are_refused(tmp_path, model_bytes):
    name = b"general.name"
    tokens = b"tokenizer.ggml.tokens"
    embd = model_bytes.index(b"token_embd.weight") + len(b"token_embd.weight")
    n_dims = struct.unpack_from("<I", model_bytes, embd)[0]
    ggml_type_at = embd + 4 + 8 * n_dims
    cases = {
        "value type": (_put(model_bytes, _u64_after(model_bytes, name, 0), "<I", 99),
                       "unknown value type 99"),
        "array of arrays": (_put(model_bytes, _u64_after(model_bytes, tokens, 4), "<I", 9),
                            "array of arrays"),
        "array element type": (_put(model_bytes, _u64_after(model_bytes, tokens, 4), "<I", 77),
                               "unknown value type 77"),
        "dimensions": (_put(model_bytes, embd, "<I", 5), "5 dimensions"),
        "tensor type": (_put(model_bytes, ggml_type_at, "<I", 5000), "unknown type 5000"),
        "version": (_put(model_bytes, 4, "<I", 7), "version 7"),
        "key text": (model_bytes.replace(b"general.name", b"general.n\xffme", 1),
                     "not valid UTF-8"),
        "duplicate key": (model_bytes.replace(b"llama.block_count", b"general.file_type", 1),
                          "'general.file_type' appears twice"),
    }
    for what, (data, reason) in cases.items():
        message = _refused(tmp_path, data)
        assert reason in message, (what, message)


def test_random_damage_gives_format_errors_only(model_bytes):
    """Bytes flipped anywhere in the header: a header or a GGUFFormatError, nothing else."""
    rng = np.random.default_rng(22)
    end = parse_gguf_header(model_bytes).data_offset
    for _ in range(400):
        data = bytearray(model_bytes)
        for offset in rng.integers(4, end, size=int(rng.integers(1, 4))):
            data[offset] = int(rng.integers(0, 256))
        try:
            parse_gguf_header(bytes(data))
        except GGUFFormatError:
            pass


def test_inconsistent_tensors_are_still_refused_as_before(tmp_path):
    from tests.core.models.test_model_checks import _claims_more_blocks, _wrong_vocab

    for path in (_claims_more_blocks(tmp_path / "claims.gguf"),
                 _wrong_vocab(tmp_path / "vocab.gguf")):
        with pytest.raises(ModelError) as new:
            read_gguf_info(path)
        with pytest.raises(ModelError) as old:
            _reference_info(path)
        assert str(new.value) == str(old.value)


# -- (c) the cache -----------------------------------------------------------------------------

def _no_parsing(monkeypatch) -> None:
    def parse(_path):
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(gguf_info, "read_gguf_header", parse)


def test_a_second_read_reads_nothing(tmp_path, monkeypatch):
    model = build_random_gguf(tmp_path / "m.gguf")
    first = read_gguf_info(model)
    _no_parsing(monkeypatch)
    second = read_gguf_info(model)
    assert second == first and second.model_dump() == _reference_info(model).model_dump()
    assert list(second.metadata) == list(first.metadata)
    assert gguf_info._info_cache_file().is_file()


def test_a_changed_file_is_read_again(tmp_path, monkeypatch):
    model = build_random_gguf(tmp_path / "m.gguf")
    read_gguf_info(model)
    calls = []
    real = gguf_info.read_gguf_header
    monkeypatch.setattr(gguf_info, "read_gguf_header", lambda p: calls.append(p) or real(p))
    st = model.stat()
    os.utime(model, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # touched
    read_gguf_info(model)
    assert len(calls) == 1
    read_gguf_info(model)
    assert len(calls) == 1
    build_random_gguf(model, ModelShape(n_layer=3))  # rewritten: a different model
    assert read_gguf_info(model).n_layer == 3 and len(calls) == 2
    entries = gguf_info._load_info_cache()
    assert len(entries) == 1  # the stale entries of the same path are dropped


def test_the_cache_keeps_the_newest_64_files(tmp_path, monkeypatch):
    model = write_gguf(tmp_path / "m0.gguf")
    paths = [model]
    for i in range(1, 70):
        paths.append(tmp_path / f"m{i}.gguf")
        paths[-1].write_bytes(model.read_bytes())
    for path in paths:
        read_gguf_info(path)
    entries = gguf_info._load_info_cache()
    assert len(entries) == 64
    assert str(paths[-1].resolve()) in next(reversed(entries))
    assert not any(k.startswith(f"{paths[0].resolve()}|") for k in entries)


def test_a_damaged_or_unwritable_cache_costs_a_reading_only(tmp_path, monkeypatch):
    model = write_gguf(tmp_path / "m.gguf")
    cache = gguf_info._info_cache_file()
    cache.write_text("{not json", encoding="utf-8")
    assert read_gguf_info(model).n_layer == 2
    cache.write_text('{"version": 1, "entries": {"%s": {"path": 3}}}'
                     % gguf_info._cache_key(model), encoding="utf-8")
    assert read_gguf_info(model).n_layer == 2
    cache.unlink()

    def full(path, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    assert read_gguf_info(model).n_layer == 2
    assert not cache.exists()
    assert not [p for p in cache.parent.iterdir() if p.suffix == ".tmp"]


def test_a_damaged_file_is_not_cached(tmp_path, model_bytes):
    path = tmp_path / "cut.gguf"
    path.write_bytes(model_bytes[:1000])
    for _ in range(2):
        with pytest.raises(ModelError, match="cut short"):
            read_gguf_info(path)
    with pytest.raises(ModelError, match="Model file not found"):
        read_gguf_info(tmp_path / "missing.gguf")
