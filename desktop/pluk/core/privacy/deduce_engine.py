"""Loads deduce (UMC Utrecht's Dutch de-identifier) once per process, from a lookup cache that
an installed copy may hold read-only.

deduce builds its lookup structures (name, street and place lists as tries) on first use:
about 70-80 s on 2 cores, a 77 MB pickle. Later processes load that pickle (about 8 s). The
pickle is looked for, in order, in:
1. `PLUK_DEDUCE_CACHE` (a folder holding `cache/lookup_structs.pickle`), when set;
2. the per-user cache folder (`<user cache>/deduce-<version>`), where Pluk builds it when no
   other is usable;
3. deduce's own data folder, where a cache built in place is used as it is; it may be
   read-only.
The installers ship the cache packed (`lookup_structs.pickle.xz`, 5 MB instead of 77 MB, which
kept the Linux bundle over its size limit): the first process that needs deduce unpacks it into
the per-user folder (about a second) instead of building it (a minute).
deduce rebuilds a cache that is older than its source lists (an installer that changed the
files' times) and then writes it where it read it: when that folder is read-only, Pluk builds it
in the per-user folder instead, so an installed copy never writes outside the user's folders.
"""

from __future__ import annotations

import logging
import lzma
import os
import shutil
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from pluk.core.errors import PlukError
from pluk.core.paths import user_cache_dir

log = logging.getLogger(__name__)
CACHE_FILE = Path("cache") / "lookup_structs.pickle"
PACKED_FILE = Path("cache") / "lookup_structs.pickle.xz"
_lock = threading.Lock()


def deduce_version() -> str:
    """deduce's version, or PlukError when it is not installed."""
    try:
        from deduce import __version__
    except ImportError:
        raise PlukError("Pseudonymising needs the 'deduce' package, which is not installed; "
                        "install Pluk with its dependencies (pip install deduce)") from None
    return __version__


def bundled_lookup_dir() -> Path:
    """deduce's own lookup folder (source lists, and the packaged cache beside them)."""
    deduce_version()
    import deduce.deduce as module

    return Path(module._LOOKUP_LIST_PATH)  # its own default for both paths


def user_lookup_cache() -> Path:
    return user_cache_dir() / f"deduce-{deduce_version()}"


def cache_candidates() -> list[Path]:
    """The folders whose cache is tried, in order; only those that hold one."""
    wanted = []
    if os.environ.get("PLUK_DEDUCE_CACHE"):
        wanted.append(Path(os.environ["PLUK_DEDUCE_CACHE"]))
    wanted += [user_lookup_cache(), bundled_lookup_dir()]
    return [path for path in wanted if (path / CACHE_FILE).is_file()]


def build_cache(folder: Path, packed: bool = False) -> Path:
    """Build deduce's lookup cache into `folder` (packaging time, or `pluk deidentify
    --build-cache`); returns the cache file's path. `packed` (the installers) leaves only the
    xz-compressed pickle, which a first use unpacks into the per-user folder."""
    from deduce import Deduce

    folder.mkdir(parents=True, exist_ok=True)
    Deduce(cache_path=folder, build_lookup_structs=True)
    if not packed:
        return folder / CACHE_FILE
    with (folder / CACHE_FILE).open("rb") as raw, lzma.open(folder / PACKED_FILE, "wb") as out:
        shutil.copyfileobj(raw, out, 1 << 20)
    (folder / CACHE_FILE).unlink()
    return folder / PACKED_FILE


def unpack_cache(packed: Path, folder: Path) -> Path:
    """Unpack a packed cache into `folder` (written beside and renamed, so a process stopped
    half-way leaves no torn pickle that deduce would try to load)."""
    target = folder / CACHE_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + f".{os.getpid()}.partial")
    try:
        with lzma.open(packed, "rb") as raw, partial.open("wb") as out:
            shutil.copyfileobj(raw, out, 1 << 20)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def load_deduce() -> Any:
    """The process's one Deduce instance (loading it costs seconds; reports cost milliseconds)."""
    with _lock:
        return _load()


@lru_cache(maxsize=1)
def _load() -> Any:
    deduce_version()
    from deduce import Deduce

    for folder in cache_candidates():
        try:
            return Deduce(cache_path=folder)
        except OSError as exc:  # a stale cache in a read-only folder: rebuilt, not writable
            log.info("deduce cache in %s not usable (%s); building a per-user one", folder,
                     type(exc).__name__)
    target = user_lookup_cache()
    packed = bundled_lookup_dir() / PACKED_FILE
    if packed.is_file():
        log.info("unpacking deduce's lookup structures into %s (once)", target)
        try:
            unpack_cache(packed, target)
            return Deduce(cache_path=target)
        except (OSError, lzma.LZMAError) as exc:  # a full disk, a damaged file: build instead
            log.info("the packed deduce cache could not be used (%s)", type(exc).__name__)
    log.info("building deduce's lookup structures in %s (once; about a minute)", target)
    target.mkdir(parents=True, exist_ok=True)
    return Deduce(cache_path=target)
