"""`pluk extract`: run a task over reports with a local model and write a run folder."""

from __future__ import annotations

import sys
from pathlib import Path

from pluk.commands.progress_bar import interruptible_progress, say
from pluk.commands.run_flags import add_run_flags, run_options
from pluk.core.engine.server_http import strip_credentials
from pluk.core.errors import ModelError, PlukError
from pluk.core.extraction.job import run_job
from pluk.core.readers import (SUPPORTED_SUFFIXES, GroupOptions, OcrOptions, ReadLimits,
                               TableOptions, read_inputs)
from pluk.core.runs.export import check_csv_options
from pluk.core.runs.folder import reports_to_read
from pluk.core.tasks import load_task


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "extract", help="extract structured data from reports into a run folder",
        description="Run a task over report files, folders or tables with a local GGUF model "
                    "(or an inference server: --server). "
                    "Writes manifest.json, records.jsonl and results.csv/.json/.xlsx to --out.")
    p.add_argument("--task", required=True, help="task id from the library, or a task file")
    p.add_argument("--input", required=True, action="append", metavar="PATH",
                   help="a folder (recursive), a report file, or a table; repeatable")
    p.add_argument("--model", help="a .gguf file, or an installed model id (or --server URL)")
    p.add_argument("--out", required=True, metavar="RUN_DIR", help="the run folder to write")
    p.add_argument("--resume", action="store_true",
                   help="continue a run in RUN_DIR, skipping reports it already has")
    p.add_argument("--retry-errors", action="store_true",
                   help="with --resume (implied): also redo the reports whose record is an "
                        "error, e.g. after raising --ctx")
    p.add_argument("--limit", type=int, metavar="N", help="process at most N reports")
    add_run_flags(p)
    p.add_argument("--id-column", help="for tables: the column holding the report id")
    p.add_argument("--text-column", help="for tables: the column holding the report text")
    p.add_argument("--group-by", metavar="RULE",
                   help="one report per patient or case: 'folder' (the files in one folder), "
                        "'column:NAME' (table rows sharing NAME), or a regular expression "
                        "with (?P<id>...) matched in each file's path")
    p.add_argument("--delimiter", default=",",
                   help="CSV delimiter of results.csv (';' for Excel with a Dutch locale)")
    p.add_argument("--decimal", choices=(".", ","), default=".",
                   help="decimal mark of results.csv (',' for Excel with a Dutch locale)")
    p.set_defaults(func=run)


def model_or_server(args) -> Path | None:
    """The local model file --model names, or None with --server; one of the two."""
    if bool(args.model) == bool(getattr(args, "server", None)):
        raise PlukError("Give --model FILE (a local model) or --server URL (an inference "
                        "server): one of the two")
    return resolve_model(args.model) if args.model else None


def resolve_model(spec: str) -> Path:
    try:
        from pluk.core.models.store import resolve_model_path
    except ImportError:  # the model manager is optional for plain file paths
        resolve_model_path = None
    if resolve_model_path is not None:
        return resolve_model_path(spec)
    path = Path(spec)
    if not path.is_file():
        raise ModelError(f"Model file not found: {spec}")
    return path


def run(args) -> int:
    # Options that would fail only at the end (the export) or run nothing are refused first.
    check_csv_options(args.delimiter, args.decimal)
    if args.limit is not None and args.limit < 1:
        raise PlukError(f"--limit {args.limit} would run no report: give 1 or more, or leave "
                        "it out to run them all")
    task = load_task(args.task)
    model_path = model_or_server(args)
    table = TableOptions(id_column=args.id_column, text_column=args.text_column)
    # Reading stops at the reports the limit can take: a huge table is not read whole first.
    resume = args.resume or args.retry_errors
    limits = ReadLimits(max_reports=reports_to_read(args.out, args.limit, resume,
                                                    args.retry_errors))
    reports = read_inputs(args.input, table=table, limits=limits, on_status=say,
                          ocr=OcrOptions.for_task_language(task.language),
                          group=GroupOptions(by=args.group_by))
    if not reports:
        # A run over nothing would "finish" with 0 records and exit 0: say so and stop.
        raise PlukError(f"No reports found in {', '.join(args.input)}: Pluk reads "
                        f"{' '.join(SUPPORTED_SUFFIXES)} files and tables; nothing was run")
    options = run_options(args)
    answers = (f"model {model_path.name}" if model_path
               else f"server {strip_credentials(options.server.url)}")
    say(f"{len(reports)} reports, task {task.id}, {answers}")
    with interruptible_progress() as (stop, bar):
        result = run_job(
            task, reports, model_path, Path(args.out), options, resume=resume,
            retry_errors=args.retry_errors,
            inputs=[str(Path(i).resolve()) for i in args.input], delimiter=args.delimiter,
            decimal=args.decimal,
            on_status=say, on_progress=bar, should_stop=stop.is_set)
    counts = result.counts
    print(f"pluk: run {result.status}: {counts.get('total', 0)} records "
          f"(ok {counts.get('ok', 0)}, invalid {counts.get('invalid', 0)}, "
          f"error {counts.get('error', 0)}) in {result.run_dir}", file=sys.stderr)
    return 130 if result.status == "cancelled" else 0
