"""Reads the header of a GGUF file (metadata keys and tensor infos) without decoding its arrays.

gguf-py's GGUFReader builds a numpy view for every part of every field: on a 262,144-token
vocabulary (Gemma 3) that is 786k parts and seconds of work, for a list of tokens Pluk never
looks at. Pluk needs the scalar keys, the length of each array, and the name, shape and type of
each tensor, so this reader (the stdlib only, over an mmap) skips arrays: a numeric array in one
step (element size times count), a string array by walking its length prefixes without building
the strings.

Layout (https://github.com/ggml-org/ggml/blob/master/docs/gguf.md, versions 2 and 3): the magic
"GGUF", a uint32 version, a uint64 tensor count and a uint64 key count; then each key (a string:
uint64 length and UTF-8 bytes), a uint32 value type and the value (an array is a uint32 element
type, a uint64 count and the elements); then each tensor's name, uint32 number of dimensions,
uint64 dimensions, uint32 ggml type and uint64 offset into the data section, which starts at
the next multiple of `general.alignment` (32 unless the file says otherwise).

A damaged file raises GGUFFormatError with a plain reason, never another exception, a
MemoryError or a hang: every length and count is checked against what is left of the file before
it is used. The checks are those of gguf-py's reader and llama.cpp's gguf.cpp, so a file either
of them refuses is refused here too (plus an array of arrays, which llama.cpp refuses).
"""

from __future__ import annotations

import mmap
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAGIC = b"GGUF"
VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32
MAX_DIMS = 4
MAX_COUNT = 1 << 30  # keys, tensors, array elements (gguf-py's and gguf.cpp's limit)
MAX_STRING = 1 << 30

# GGUF value types (gguf.GGUFValueType)
(UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64,
 FLOAT64) = range(13)
_SCALAR_FORMAT = {UINT8: "B", INT8: "b", UINT16: "H", INT16: "h", UINT32: "I", INT32: "i",
                  FLOAT32: "f", BOOL: "B", UINT64: "Q", INT64: "q", FLOAT64: "d"}
_SCALAR_SIZE = {t: struct.calcsize(f) for t, f in _SCALAR_FORMAT.items()}

# (elements per block, bytes per block) of each ggml tensor type (gguf.GGML_QUANT_SIZES), so a
# cold read needs no `import gguf` (numpy and all: 0.1 s). A type missing here is looked up
# there; tests/core/models/test_gguf_header.py checks this table against it.
GGML_TYPE_SIZES: dict[int, tuple[int, int]] = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
    9: (32, 40), 10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176), 14: (256, 210),
    15: (256, 292), 16: (256, 66), 17: (256, 74), 18: (256, 98), 19: (256, 50), 20: (32, 18),
    21: (256, 110), 22: (256, 82), 23: (256, 136), 24: (1, 1), 25: (1, 2), 26: (1, 4),
    27: (1, 8), 28: (1, 8), 29: (256, 56), 30: (1, 2), 34: (256, 54), 35: (256, 66),
    39: (32, 17), 40: (64, 36), 41: (128, 18),
}


class GGUFFormatError(ValueError):
    """The file is not a readable GGUF file; the message says why, in plain words."""


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]  # GGUF order: the fastest-moving dimension first ([n_embd, n_vocab])
    ggml_type: int
    offset: int  # into the data section
    n_elements: int
    n_bytes: int


@dataclass(frozen=True)
class GGUFHeader:
    version: int
    scalars: dict[str, Any]  # every non-array key, in file order: int, float, bool or str
    array_lengths: dict[str, int]  # every array key, in file order: its number of elements
    tensors: list[TensorInfo]
    alignment: int
    data_offset: int  # where the data section starts
    file_size: int


def ggml_type_size(ggml_type: int) -> tuple[int, int] | None:
    """(elements per block, bytes per block) of a ggml tensor type, None if unknown."""
    sizes = GGML_TYPE_SIZES.get(ggml_type)
    if sizes is None:  # a type newer than this table: ask gguf-py
        from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

        try:
            sizes = GGML_QUANT_SIZES.get(GGMLQuantizationType(ggml_type))
        except ValueError:
            return None
    return sizes


def read_gguf_header(path: str | Path) -> GGUFHeader:
    """The header of the GGUF file at `path`; GGUFFormatError when it is damaged. OSError when
    it cannot be opened."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            raise GGUFFormatError("the file is empty")
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            return parse_gguf_header(buf)


def parse_gguf_header(buf: Any) -> GGUFHeader:
    """The header of GGUF bytes (bytes, mmap or any buffer holding the whole file)."""
    return _Parser(buf).parse()


def _cut(where: str, size: int) -> GGUFFormatError:
    return GGUFFormatError(f"it is cut short: the file ends at byte {size:,}, inside {where}")


class _Parser:
    def __init__(self, buf: Any) -> None:
        self.buf = buf
        self.size = len(buf)
        self.pos = 0
        self.order = "<"

    # -- primitives ------------------------------------------------------------------------

    def need(self, n: int, where: str) -> None:
        if n > self.size - self.pos:
            raise _cut(where, self.size)

    def unpack(self, fmt: str, n: int, where: str) -> Any:
        self.need(n, where)
        value = struct.unpack_from(self.order + fmt, self.buf, self.pos)[0]
        self.pos += n
        return value

    def u32(self, where: str) -> int:
        return self.unpack("I", 4, where)

    def u64(self, where: str) -> int:
        return self.unpack("Q", 8, where)

    def string(self, where: str) -> str:
        n = self.u64(where)
        if n > MAX_STRING:
            raise GGUFFormatError(f"{where} claims a string of {n:,} bytes")
        self.need(n, where)
        raw = self.buf[self.pos:self.pos + n]
        self.pos += n
        try:
            return bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise GGUFFormatError(f"{where} is not valid UTF-8 text") from None

    # -- the file --------------------------------------------------------------------------

    def parse(self) -> GGUFHeader:
        if bytes(self.buf[:4]) != MAGIC:
            raise GGUFFormatError("it does not start with 'GGUF'")
        self.pos = 4
        version = self.u32("the version")
        if version & 0xFFFF == 0:  # written for the other byte order (gguf-py does the same)
            self.order = ">"
            version = struct.unpack_from(">I", self.buf, 4)[0]
        if version not in VERSIONS:
            raise GGUFFormatError(f"it is GGUF version {version}; versions 2 and 3 are read")
        n_tensors = self.u64("the tensor count")
        n_keys = self.u64("the key count")
        for count, what, least in ((n_tensors, "tensors", 8 + 4 + 4 + 8),
                                   (n_keys, "metadata keys", 8 + 4 + 1)):
            if count > MAX_COUNT:
                raise GGUFFormatError(f"it claims {count:,} {what}, more than GGUF allows")
            self.need(count * least, f"its {what}")  # what is left cannot hold them

        scalars: dict[str, Any] = {}
        scalar_types: dict[str, int] = {}
        array_lengths: dict[str, int] = {}
        for i in range(n_keys):
            key = self.string(f"metadata key {i + 1} of {n_keys}")
            if key in scalars or key in array_lengths:
                raise GGUFFormatError(f"metadata key '{key}' appears twice")
            where = f"the value of metadata key '{key}'"
            value_type = self.u32(where)
            if value_type == ARRAY:
                array_lengths[key] = self.skip_array(key, where)
            else:
                scalars[key] = self.scalar(value_type, key, where)
                scalar_types[key] = value_type

        alignment = scalars.get("general.alignment", DEFAULT_ALIGNMENT)
        if "general.alignment" in array_lengths or scalar_types.get("general.alignment",
                                                                     UINT32) != UINT32:
            raise GGUFFormatError("general.alignment is not stored as a uint32")
        if alignment == 0 or alignment & (alignment - 1):
            raise GGUFFormatError(f"general.alignment is {alignment}, not a power of two")

        infos = [self.tensor_info(i, n_tensors) for i in range(n_tensors)]
        data_offset = -(-self.pos // alignment) * alignment
        tensors: list[TensorInfo] = []
        seen: set[str] = set()
        for name, dims, ggml_type, offset in infos:
            if name in seen:
                raise GGUFFormatError(f"tensor '{name}' appears twice")
            seen.add(name)
            tensors.append(self.tensor(name, dims, ggml_type, offset, data_offset))
        return GGUFHeader(version=version, scalars=scalars, array_lengths=array_lengths,
                          tensors=tensors, alignment=alignment, data_offset=data_offset,
                          file_size=self.size)

    def scalar(self, value_type: int, key: str, where: str) -> Any:
        if value_type == STRING:
            return self.string(where)
        fmt = _SCALAR_FORMAT.get(value_type)
        if fmt is None:
            raise GGUFFormatError(f"metadata key '{key}' has an unknown value type {value_type}")
        value = self.unpack(fmt, _SCALAR_SIZE[value_type], where)
        return value != 0 if value_type == BOOL else value

    def skip_array(self, key: str, where: str) -> int:
        item_type = self.u32(where)
        count = self.u64(where)
        if item_type == ARRAY:
            raise GGUFFormatError(f"metadata key '{key}' is an array of arrays, which llama.cpp "
                                  "does not read")
        if item_type != STRING and item_type not in _SCALAR_SIZE:
            raise GGUFFormatError(f"metadata key '{key}' is an array of an unknown value type "
                                  f"{item_type}")
        if count > MAX_COUNT:
            raise GGUFFormatError(f"metadata key '{key}' claims an array of {count:,} elements, "
                                  "more than GGUF allows")
        least = 8 if item_type == STRING else _SCALAR_SIZE[item_type]
        self.need(count * least, where)
        if item_type == STRING:
            self.pos = _skip_strings(self.buf, self.pos, count, self.size, self.order, where)
        else:
            self.pos += count * least
        return count

    def tensor_info(self, i: int, n_tensors: int) -> tuple[str, tuple[int, ...], int, int]:
        name = self.string(f"the name of tensor {i + 1} of {n_tensors}")
        where = f"the description of tensor '{name}'"
        n_dims = self.u32(where)
        if n_dims > MAX_DIMS:
            raise GGUFFormatError(f"tensor '{name}' has {n_dims} dimensions; at most {MAX_DIMS}")
        self.need(8 * n_dims, where)
        dims = struct.unpack_from(f"{self.order}{n_dims}Q", self.buf, self.pos)
        self.pos += 8 * n_dims
        ggml_type = self.u32(where)
        offset = self.u64(where)
        return name, dims, ggml_type, offset

    def tensor(self, name: str, dims: tuple[int, ...], ggml_type: int, offset: int,
               data_offset: int) -> TensorInfo:
        sizes = ggml_type_size(ggml_type)
        if sizes is None:
            raise GGUFFormatError(f"tensor '{name}' has an unknown type {ggml_type}")
        block, type_size = sizes
        n_elements = 1
        for dim in dims:
            n_elements *= dim
        if dims and dims[0] % block:
            raise GGUFFormatError(f"tensor '{name}' has rows of {dims[0]} elements, not a "
                                  f"multiple of its type's block of {block}")
        n_bytes = n_elements * type_size // block
        if data_offset + offset + n_bytes > self.size:
            raise _cut(f"the data of tensor '{name}'", self.size)
        return TensorInfo(name=name, shape=tuple(dims), ggml_type=ggml_type, offset=offset,
                          n_elements=n_elements, n_bytes=n_bytes)


def _skip_strings(buf: Any, pos: int, count: int, size: int, order: str, where: str) -> int:
    """The position after `count` strings starting at `pos`: only their length prefixes are
    read. A length past the end of the file stops the walk at the next string."""
    unpack = struct.Struct(order + "Q").unpack_from
    last = size - 8  # the last position a length prefix can start at
    for _ in range(count):
        if pos > last:
            raise _cut(where, size)
        pos += 8 + unpack(buf, pos)[0]
    if pos > size:
        raise _cut(where, size)
    return pos
