"""Keeps one Decoder loaded between runs, so a run with the same model file and the same load
options as the one before starts without loading the model again (the window's engine worker
holds one keeper for its whole life; the CLI loads per run).

Load options are every DecoderOptions field but the sampling ones (temperature, seed), which a
kept decoder takes from the next run as they are. A different file, a file changed on disk or
any other option closes the kept decoder first, so there is never more than one model loaded.
Like the Decoder, a keeper belongs to one thread.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pluk.core.engine.decoder import Decoder, DecoderOptions
from pluk.core.engine.model import Model

_SAMPLING = {"temperature", "seed"}


def _file_key(model_path: Path) -> tuple[str, int, int]:
    path = Path(model_path).resolve()
    stat = path.stat()
    return str(path), stat.st_size, stat.st_mtime_ns


class DecoderKeeper:
    def __init__(self) -> None:
        self._decoder: Decoder | None = None
        self._key: tuple | None = None
        self.loads = 0  # how many times a model was loaded (tests and the status line read it)

    def held(self, model_path: Path) -> Decoder | None:
        """The kept decoder if it holds this very file (its tokenizer serves planning)."""
        if self._decoder is None or self._key is None:
            return None
        try:
            return self._decoder if self._key[0] == _file_key(model_path) else None
        except OSError:
            return None

    def get(self, model_path: Path, options: DecoderOptions,
            on_load: Callable[[], None] | None = None, *,
            loaded: Model | None = None) -> tuple[Decoder, bool]:
        """A decoder of `model_path` with `options`, and whether it was loaded now (on_load is
        called first then); `loaded`: the file's weights, loaded already, for a new decoder to
        take over."""
        key = (_file_key(model_path), options.model_dump(exclude=_SAMPLING))
        if self._decoder is not None and key == self._key:
            self._decoder.options = options  # the sampling options of this run
            return self._decoder, False
        self.close()
        if on_load is not None:
            on_load()
        self._decoder = Decoder(model_path, options, loaded=loaded)
        self._key = key
        self.loads += 1
        return self._decoder, True

    def close(self) -> None:
        decoder, self._decoder, self._key = self._decoder, None, None
        if decoder is not None:
            decoder.close()
