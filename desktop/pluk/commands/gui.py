"""`pluk gui [PATH ...]`: open the desktop window, with these folders or files loaded.

`pluk` with no command calls `open_window([])`. Qt is imported only here, on demand, so the
other commands work where PySide6 or a display is missing.
"""

from __future__ import annotations

from pathlib import Path

from pluk.core.errors import PlukError


def register(subparsers) -> None:
    p = subparsers.add_parser("gui", help="open the Pluk window",
                              description="Open the Pluk window, optionally with report folders, "
                                          "files or tables already loaded.")
    p.add_argument("paths", nargs="*", metavar="PATH", help="a folder, report file or table")
    p.set_defaults(func=run)


def open_window(paths: list[str]) -> int:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise PlukError(f"No such file or folder: {', '.join(missing)}")
    from pluk.gui.app import run_app

    return run_app([str(Path(p).absolute()) for p in paths])


def run(args) -> int:
    return open_window(args.paths)
