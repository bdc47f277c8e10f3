"""Decoders for the suite: one thread each (two stall badly on this shared machine; see
models/hardware.py default_threads), at the context a test asks for."""

from __future__ import annotations

from pathlib import Path

from pluk.core.engine.decoder import Decoder, DecoderOptions

ONE_THREAD = dict(n_threads=1, n_threads_batch=1)


def open_decoder(model: Path, n_ctx: int = 4096, **options) -> Decoder:
    """A Decoder of `model` whose sequences hold `n_ctx` tokens (prefix, report and answer)."""
    return Decoder(model, DecoderOptions(n_ctx=n_ctx, **{**ONE_THREAD, **options}))
