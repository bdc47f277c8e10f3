"""The `pluk` command line: parses arguments and dispatches to one module per command group.

Each module in pluk.commands has `register(subparsers)`, which adds its sub-commands and sets
`func` on them; `func(args) -> int` is the exit code. With no command, the GUI opens.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from pluk import __version__
from pluk.core.errors import PlukError, is_storage_error, storage_error

# Command modules in the order `pluk --help` lists them.
COMMAND_MODULES = (
    "pluk.commands.gui",
    "pluk.commands.extract",
    "pluk.commands.export",
    "pluk.commands.deidentify",
    "pluk.commands.review",
    "pluk.commands.tasks",
    "pluk.commands.inspect_model",
    "pluk.commands.dragon",
    "pluk.commands.evaluate",
    "pluk.commands.models",
    "pluk.commands.self_test",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pluk",
        description="Offline extraction of structured data from clinical reports with a local LLM.",
    )
    parser.add_argument("--version", action="version", version=f"pluk {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Offline unless a download command lifts it for its own call: no Hub access, telemetry
    # or update check happens anywhere else.
    from pluk.core.models.offline import enforce_offline_env

    enforce_offline_env()
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        if "pluk.commands.gui" in COMMAND_MODULES:
            return importlib.import_module("pluk.commands.gui").open_window([])
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except PlukError as exc:
        print(f"pluk: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        # A full, read-only or foreign disk met where no core code said more: one line too.
        if not is_storage_error(exc):
            raise
        print(f"pluk: error: {storage_error(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pluk: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
