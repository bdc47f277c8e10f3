"""Loads deduce (UMC Utrecht's Dutch de-identifier) once per process, from a lookup cache that
an installed copy may hold read-only.

deduce builds its lookup structures (name, street and place lists as tries) on first use:
about 70-80 s on 2 cores, a 77 MB pickle. Later processes load that pickle (about 8 s). The
pickle is looked for, in order, in:
1. `PLUK_DEDUCE_CACHE` (a folder holding `cache/lookup_structs.pickle`), when set;
2. the per-user cache folder (`<user cache>/deduce-<version>`), where Pluk builds it when no
   other is usable;
3. deduce's own data folder, where the installers put a cache built at packaging time
   (packaging/README.md); it may be read-only.
deduce rebuilds a cache that is older than its source lists (an installer that changed the
files' times) and then writes it where it read it: when that folder is read-only, Pluk builds it
in the per-user folder instead, so an installed copy never writes outside the user's folders.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from pluk.core.errors import PlukError
from pluk.core.paths import user_cache_dir

log = logging.getLogger(__name__)
CACHE_FILE = Path("cache") / "lookup_structs.pickle"
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


def build_cache(folder: Path) -> Path:
    """Build deduce's lookup cache into `folder` (packaging time, or `pluk deidentify
    --build-cache`); returns the pickle's path."""
    from deduce import Deduce

    folder.mkdir(parents=True, exist_ok=True)
    Deduce(cache_path=folder, build_lookup_structs=True)
    return folder / CACHE_FILE


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
    log.info("building deduce's lookup structures in %s (once; about a minute)", target)
    target.mkdir(parents=True, exist_ok=True)
    return Deduce(cache_path=target)
