"""`pluk tasks`: list the task library and show one task or its JSON schema."""

from __future__ import annotations

import json
import sys

from pluk.commands.tasks_import import add_import_command
from pluk.core.extraction.prompt import field_guide
from pluk.core.tasks import json_schema, list_tasks, load_task, task_sha256


def register(subparsers) -> None:
    p = subparsers.add_parser("tasks", help="list and show tasks")
    sub = p.add_subparsers(dest="tasks_command", metavar="SUBCOMMAND", required=True)
    lst = sub.add_parser("list", help="list the built-in and user tasks")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=run_list)
    show = sub.add_parser("show", help="show a task's definition")
    show.add_argument("task", metavar="TASK", help="task id or task file")
    show.add_argument("--json-schema", action="store_true",
                      help="print the JSON schema every answer is validated against")
    show.set_defaults(func=run_show)
    add_import_command(sub)


def run_list(args) -> int:
    tasks, problems = list_tasks()
    if args.json:
        print(json.dumps([{"id": t.id, "title": t.title, "language": t.language,
                           "fields": [f.name for f in t.fields], "file": str(path)}
                          for path, t in tasks], indent=2, ensure_ascii=False))
    else:
        # Columns as wide as the longest id and language, so the titles line up.
        width = max((len(t.id) for _, t in tasks), default=0)
        lang = max((len(t.language) for _, t in tasks), default=0)
        for _, task in tasks:
            print(f"{task.id:<{width}}  {task.language:<{lang}}  {task.title}")
    for problem in problems:
        print(f"pluk: skipped an invalid task file: {problem}", file=sys.stderr)
    return 0


def run_show(args) -> int:
    task = load_task(args.task)
    if args.json_schema:
        print(json.dumps(json_schema(task), indent=2, ensure_ascii=False))
        return 0
    print(f"{task.title} ({task.id}, language {task.language})")
    print(f"sha256 {task_sha256(task)}\n")
    print(task.description + "\n")
    print("Fields:")
    print(field_guide(task))
    return 0
