"""`pluk export`: write a run folder's records as CSV, JSON, XLSX or a self-contained HTML page
with the evidence of every value highlighted; with reviews, the reviewed values beside them."""

from __future__ import annotations

import sys
from pathlib import Path

from pluk.core.extraction.run_export import FORMATS, export_run


def register(subparsers) -> None:
    p = subparsers.add_parser("export", help="export a run folder to CSV, JSON, XLSX or HTML")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--format", choices=FORMATS, default="csv")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--delimiter", default=",", help="CSV delimiter (';' for Dutch Excel)")
    p.add_argument("--nested", choices=("flatten", "json"), default="flatten",
                   help="objects as dotted columns (flatten) or as JSON text")
    p.add_argument("--reviewed", action="store_true",
                   help="reviewed values only: the reports a person reviewed, each field's "
                        "reviewed value and review status")
    p.add_argument("--input", nargs="+", metavar="PATH",
                   help="where the reports are now, if they moved since the run (HTML: the "
                        "report texts are read from the run's inputs)")
    p.set_defaults(func=run)


def run(args) -> int:
    path, count = export_run(args.run_dir, Path(args.out), args.format,
                             delimiter=args.delimiter, nested=args.nested,
                             reviewed_only=args.reviewed, inputs=args.input)
    print(f"pluk: wrote {count} {'report' if args.format == 'html' else 'row'}"
          f"{'' if count == 1 else 's'} to {path}", file=sys.stderr)
    return 0
