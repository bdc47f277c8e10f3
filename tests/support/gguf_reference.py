"""read_gguf_info as it was before issue 22, over gguf-py's GGUFReader (which parses every
field, token arrays too): the reference tests/core/models/test_gguf_header.py holds the header-only
reader to, and what bench/gguf_info_bench.py times as the old way. The quantization name is
looked up in gguf-py here, not in gguf_info's own table, so the table is checked too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gguf

from pluk.core.models.gguf_info import GGUFInfo


def reference_info(path: Path, reader: gguf.GGUFReader | None = None) -> GGUFInfo:
    """read_gguf_info before issue 22 (GGUFReader parses every field, token arrays too)."""
    from gguf import GGUFReader, GGUFValueType

    from pluk.core.models.gguf_info import _check_tensors, _int_or_none, _shape

    reader = reader or GGUFReader(str(path), "r")
    scalars: dict[str, Any] = {}
    array_lengths: dict[str, int] = {}
    for key, field in reader.fields.items():
        if key.startswith("GGUF."):
            continue
        if field.types and field.types[0] == GGUFValueType.ARRAY:
            array_lengths[key] = len(field.data)
        else:
            scalars[key] = field.contents()
    arch = scalars.get("general.architecture")
    _check_tensors(path.name, arch, reader.tensors, scalars,
                   array_lengths.get("tokenizer.ggml.tokens"))
    chat_template = scalars.pop("tokenizer.chat_template", None)
    metadata = dict(scalars)
    metadata.update({key: f"[array of {n}]" for key, n in array_lengths.items()})
    file_type = scalars.get("general.file_type")
    quantization = None
    if file_type is not None:
        try:
            quantization = gguf.LlamaFileType(file_type).name.removeprefix(
                "MOSTLY_").removeprefix("ALL_")
        except ValueError:
            quantization = f"type {file_type}"
    licence = scalars.get("general.license")
    return GGUFInfo(
        path=str(path.resolve()), size_bytes=path.stat().st_size, architecture=arch,
        name=scalars.get("general.name"),
        parameters=int(sum(int(t.n_elements) for t in reader.tensors)) or None,
        quantization=quantization,
        context_length=_int_or_none(scalars.get(f"{arch}.context_length")) if arch else None,
        n_vocab=array_lengths.get("tokenizer.ggml.tokens"),
        licence=licence if isinstance(licence, str) else None,
        chat_template=chat_template, metadata=metadata, **_shape(arch, scalars))
