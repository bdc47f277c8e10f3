"""`pluk tasks import-extractinator`, `import-redcap` and `import-castor`: turn an
llm_extractinator Taskfile, a REDCap data dictionary or a Castor study structure into a Pluk task
file.

Added to the `pluk tasks` group by `add_import_command(tasks_subparsers)`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pluk.core.errors import PlukError
from pluk.core.tasks.castor import import_castor
from pluk.core.tasks.definition import TaskDefinition
from pluk.core.tasks.extractinator import import_taskfile
from pluk.core.tasks.redcap import import_redcap


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

    redcap = tasks_subparsers.add_parser(
        "import-redcap",
        help="turn a REDCap data dictionary into a Pluk task",
        description=(
            "Turn a REDCap data dictionary (CSV) into a Pluk task: one field per variable, the "
            "model choosing among the choice labels. The task keeps the dictionary's variable "
            "names and codes, so its runs export with `pluk export RUN --format redcap`. "
            "Without --out the task is printed as JSON."),
    )
    redcap.add_argument("dictionary", type=Path, metavar="DICTIONARY.csv")
    redcap.add_argument("--form", metavar="NAME", help="import this form (instrument) only")
    _common(redcap, "the dictionary's file name")
    redcap.set_defaults(func=run_import_redcap)

    castor = tasks_subparsers.add_parser(
        "import-castor",
        help="turn a Castor EDC study structure export into a Pluk task",
        description=(
            "Turn a Castor EDC study structure export (the CSV of fields, with its option "
            "groups CSV) into a Pluk task whose runs export with `pluk export RUN --format "
            "castor`. Without --out the task is printed as JSON."),
    )
    castor.add_argument("structure", type=Path, metavar="STRUCTURE.csv")
    castor.add_argument("--option-groups", type=Path, metavar="FILE.csv",
                        help="the option groups export (needed for radio, dropdown and "
                             "checkbox fields)")
    castor.add_argument("--form", metavar="NAME", help="import this form only")
    _common(castor, "the structure's file name")
    castor.set_defaults(func=run_import_castor)


def _common(parser: argparse.ArgumentParser, id_from: str) -> None:
    parser.add_argument("--out", type=Path, metavar="FILE", help="write the Pluk task here")
    parser.add_argument("--language", default="en", metavar="CODE",
                        help="language of the reports, e.g. nl (default: en)")
    parser.add_argument("--id", dest="task_id", metavar="ID",
                        help=f"task id (default: from {id_from})")
    parser.add_argument("--force", action="store_true", help="overwrite an existing --out file")


def run_import(args: argparse.Namespace) -> int:
    task, notes = import_taskfile(args.taskfile, language=args.language, task_id=args.task_id)
    return _write(args, task, notes)


def run_import_redcap(args: argparse.Namespace) -> int:
    task, notes = import_redcap(args.dictionary, form=args.form, language=args.language,
                                task_id=args.task_id)
    return _write(args, task, notes)


def run_import_castor(args: argparse.Namespace) -> int:
    task, notes = import_castor(args.structure, args.option_groups, form=args.form,
                                language=args.language, task_id=args.task_id)
    return _write(args, task, notes)


def _write(args: argparse.Namespace, task: TaskDefinition, notes: list[str]) -> int:
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
