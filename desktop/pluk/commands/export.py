"""`pluk export`: write a run folder's records as CSV, JSON or XLSX."""

from __future__ import annotations

import sys
from pathlib import Path

from pluk.core.runs import export
from pluk.core.runs.folder import RunFolder
from pluk.core.tasks.loader import parse_task


def register(subparsers) -> None:
    p = subparsers.add_parser("export", help="export a run folder to CSV, JSON or XLSX")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--format", choices=export.FORMATS, default="csv")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--delimiter", default=",", help="CSV delimiter (';' for Dutch Excel)")
    p.add_argument("--nested", choices=("flatten", "json"), default="flatten",
                   help="objects as dotted columns (flatten) or as JSON text")
    p.set_defaults(func=run)


def run(args) -> int:
    folder = RunFolder(args.run_dir)
    manifest = folder.read_manifest()
    # The task as it was when the run was made, not as the library holds it today.
    task = parse_task(manifest.task, str(folder.manifest_path))
    records = folder.records()
    path = export.export(Path(args.out), args.format, task, records,
                         delimiter=args.delimiter, nested=args.nested)
    print(f"pluk: wrote {len(records)} rows to {path}", file=sys.stderr)
    return 0
