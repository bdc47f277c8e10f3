"""Walking a report folder: which files count, in which order, under which relative id."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

# Operating-system litter that users never think of as files in their folder.
_SYSTEM_FILES = {"thumbs.db", "desktop.ini", "ehthumbs.db"}


@dataclass(frozen=True)
class Entry:
    rel: str  # relative POSIX path from the walked folder: the report id
    path: Path
    error: str | None = None  # a subfolder that could not be listed, a link that leads nowhere
    is_folder: bool = False


def _link_failure(path: str) -> str | None:
    """Why a symbolic link cannot be read, or None when its target is there (a pipe or device,
    skipped like any other)."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop: the link leads back to itself"
        if isinstance(exc, FileNotFoundError):
            return "broken symbolic link: its target does not exist"
        return f"symbolic link whose target cannot be opened ({exc.strerror or type(exc).__name__})"
    return None


def is_hidden(entry: os.DirEntry) -> bool:
    name = entry.name
    # "~$" is Word's and Excel's lock file for an open document; "." covers .DS_Store, ._foo.
    if name.startswith((".", "~$")) or name.lower() in _SYSTEM_FILES:
        return True
    if os.name != "nt":
        return False
    # Windows marks hidden files with an attribute, not a name; DirEntry.stat() is free there.
    attributes = getattr(entry.stat(follow_symlinks=False), "st_file_attributes", 0)
    return bool(attributes & stat.FILE_ATTRIBUTE_HIDDEN)


def walk_folder(root: Path) -> list[Entry]:
    """Every visible regular file under root, sorted by relative POSIX path.

    Symlinked folders are followed once (a loop is not followed twice). Pipes, sockets and
    devices are skipped: reading one would block or make no sense. A subfolder that cannot be
    listed, a symbolic link whose target is missing or that loops back to itself, and a file
    that cannot be examined each become an Entry with an error, so none vanishes silently.
    Listing the root itself raises OSError to the caller.
    """
    entries: list[Entry] = []
    seen_dirs = {os.path.realpath(root)}
    pending = [(root, "")]
    first = True
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as it:
                children = list(it)
        except OSError as exc:
            if first:
                raise
            reason = "permission denied" if isinstance(exc, PermissionError) else (
                exc.strerror or type(exc).__name__)
            entries.append(Entry(prefix.rstrip("/"), folder,
                                 f"the folder could not be opened ({reason})", is_folder=True))
            continue
        first = False
        for child in children:
            rel = prefix + child.name
            try:
                if is_hidden(child):
                    continue
                if child.is_dir():
                    real = os.path.realpath(child.path)
                    if real not in seen_dirs:
                        seen_dirs.add(real)
                        pending.append((Path(child.path), rel + "/"))
                elif child.is_file():
                    entries.append(Entry(rel, Path(child.path)))
                elif child.is_symlink() and (failure := _link_failure(child.path)):
                    entries.append(Entry(rel, Path(child.path), failure))
            except FileNotFoundError:
                continue  # deleted while walking: nothing there any more
            except OSError as exc:
                failure = _link_failure(child.path) if child.is_symlink() else None
                entries.append(Entry(rel, Path(child.path), failure or (
                    f"the file could not be examined ({exc.strerror or type(exc).__name__})")))
    entries.sort(key=lambda e: e.rel)
    return entries
