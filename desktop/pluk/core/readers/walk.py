"""Walking a report folder: which files count, in which order, under which relative id."""

from __future__ import annotations

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
    error: str | None = None  # a subfolder that could not be listed


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
    listed becomes an Entry with an error so it does not vanish silently. Listing the root itself
    raises OSError to the caller.
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
                                 f"the folder could not be opened ({reason})"))
            continue
        first = False
        for child in children:
            try:
                if is_hidden(child):
                    continue
                rel = prefix + child.name
                if child.is_dir():
                    real = os.path.realpath(child.path)
                    if real not in seen_dirs:
                        seen_dirs.add(real)
                        pending.append((Path(child.path), rel + "/"))
                elif child.is_file():
                    entries.append(Entry(rel, Path(child.path)))
            except OSError:
                # A dangling symlink or a file deleted while walking: nothing there to read.
                continue
    entries.sort(key=lambda e: e.rel)
    return entries
