"""`pluk self-test`: check that this installation works offline (engine, data, a constrained
extraction, no network) and print a short report ending in OK or FAILED."""

from __future__ import annotations

import sys

from pluk.core.diagnostics.self_test import run_self_test


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "self-test", help="check that Pluk works on this machine, offline",
        description="Load the bundled self-test model, run one constrained extraction on a "
                    "built-in sample report with network access blocked, and print versions, "
                    "CPU features, paths and the result. Exit code 0 when everything works.")
    p.add_argument("--model", metavar="FILE.gguf",
                   help="run the check with this model instead of the self-test model")
    p.set_defaults(func=run)


def run(args) -> int:
    print("Pluk self-test", flush=True)
    width = 17

    def on_line(key: str, value: str) -> None:
        print(f"  {key.ljust(width)} {value}", flush=True)

    result = run_self_test(args.model, on_line=on_line)
    if result.ok:
        print("OK", flush=True)
        return 0
    print(f"FAILED: {result.reason}", flush=True)
    return 1


def main() -> int:
    """Entry for `python -m pluk.commands.self_test` (before the command is wired into cli)."""
    import argparse

    parser = argparse.ArgumentParser(prog="pluk")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["self-test", *sys.argv[1:]])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
