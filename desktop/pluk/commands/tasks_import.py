"""`pluk tasks import-extractinator`: turn an llm_extractinator Taskfile into a Pluk task file.

Added to the `pluk tasks` group by `add_import_command(tasks_subparsers)`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pluk.core.errors import PlukError
from pluk.core.tasks.extractinator import import_taskfile


def add_import_command(tasks_subparsers: argparse._SubParsersAction) -> None:
    parser = tasks_subparsers.add_parser(
        "import-extractinator",
        help="convert an llm_extractinator Taskfile into a Pluk task",
        description=(
            "Convert an llm_extractinator Taskfile (TaskNNN_name.json) into a Pluk task file. "
            "An inline Parser_Format dict is converted directly; a parser .py file is read as "
            "plain pydantic declarations and never run, and anything else in it is refused. "
            "Without --out the task is printed as JSON."
        ),
    )
    parser.add_argument("taskfile", type=Path, metavar="TASKFILE.json")
    parser.add_argument("--out", type=Path, metavar="FILE", help="write the Pluk task here")
    parser.add_argument("--language", default="en", metavar="CODE",
                        help="language of the reports, e.g. nl (default: en)")
    parser.add_argument("--id", dest="task_id", metavar="ID",
                        help="task id (default: from the Taskfile's name)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing --out file")
    parser.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    task, notes = import_taskfile(args.taskfile, language=args.language, task_id=args.task_id)
    text = json.dumps(task.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    for note in notes:
        print(f"pluk: note: {note}", file=sys.stderr)
    if args.out is None:
        sys.stdout.write(text)
        return 0
    if args.out.exists() and not args.force:
        raise PlukError(f"{args.out} already exists; use --force to overwrite it")
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PlukError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(f"Wrote task '{task.id}' to {args.out}", file=sys.stderr)
    return 0
