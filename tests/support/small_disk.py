"""A real, tiny disk for full-disk and read-only tests: a tmpfs mounted on a test folder.

Mounting needs root (CI runs as root in its container); elsewhere `mount_tmpfs` skips the test,
and each such test has a twin that makes the writes fail with OSError(ENOSPC) or EROFS instead,
so the behaviour is checked on every machine and on a real full disk where one can be made.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["mount", *args], capture_output=True, text=True)


@contextmanager
def mount_tmpfs(path: Path, size_kb: int, *, read_only: bool = False) -> Iterator[Path]:
    """A tmpfs of `size_kb` KB on `path` for the block; skips the test when it cannot mount."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the twin test patches the writes")
    options = f"size={size_kb}k" + (",ro" if read_only else "")
    done = _mount("-t", "tmpfs", "-o", options, "tmpfs", str(path))
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); the twin test "
                    "patches the writes")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def resize_tmpfs(path: Path, size_kb: int) -> None:
    """Free space on the disk: grow the mounted tmpfs."""
    done = _mount("-o", f"remount,size={size_kb}k", str(path))
    assert done.returncode == 0, done.stderr
