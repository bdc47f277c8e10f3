"""`pluk export`: write a run folder's records as CSV, JSON, XLSX or a self-contained HTML page
with the evidence of every value highlighted; with reviews, the reviewed values beside them.

Without --format the format is the --out file's extension; a --format that contradicts the
extension is refused (an .xlsx file holding CSV text cannot be opened)."""

from __future__ import annotations

import sys
from pathlib import Path

from pluk.core.errors import PlukError
from pluk.core.extraction.run_export import FORMATS, export_run


def register(subparsers) -> None:
    p = subparsers.add_parser("export", help="export a run folder to CSV, JSON, XLSX or HTML")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--format", choices=FORMATS,
                   help="csv, json, xlsx or html; by default the extension of --out")
    p.add_argument("--out", required=True, metavar="FILE")
    p.add_argument("--delimiter", default=",", help="CSV delimiter (';' for Dutch Excel)")
    p.add_argument("--decimal", choices=(".", ","), default=".",
                   help="CSV decimal mark (',' for Excel with a Dutch locale); default '.'")
    p.add_argument("--nested", choices=("flatten", "json"), default="flatten",
                   help="objects as dotted columns (flatten) or as JSON text")
    p.add_argument("--reviewed", action="store_true",
                   help="reviewed values only: the reports a person reviewed, each field's "
                        "reviewed value and review status")
    p.add_argument("--input", nargs="+", metavar="PATH",
                   help="where the reports are now, if they moved since the run (HTML: the "
                        "report texts are read from the run's inputs)")
    p.set_defaults(func=run)


def export_format(out: Path, fmt: str | None) -> str:
    """The format --format names, or the one of the --out extension; a mismatch is an error."""
    ext = out.suffix.lower().lstrip(".")
    ext = {"htm": "html", "tsv": "csv"}.get(ext, ext)
    if fmt is None:
        if ext not in FORMATS:
            raise PlukError(f"Cannot tell the format from '{out.name}': give --format "
                            f"({', '.join(FORMATS)}) or an --out ending in one of them")
        return ext
    if ext in FORMATS and ext != fmt:
        raise PlukError(f"--format {fmt} does not match the file name {out.name}: give "
                        f"--out {out.stem}.{fmt}, or leave --format out")
    return fmt


def run(args) -> int:
    out = Path(args.out)
    fmt = export_format(out, args.format)
    path, count = export_run(args.run_dir, out, fmt, delimiter=args.delimiter,
                             decimal=args.decimal, nested=args.nested,
                             reviewed_only=args.reviewed, inputs=args.input)
    print(f"pluk: wrote {count} {'report' if fmt == 'html' else 'row'}"
          f"{'' if count == 1 else 's'} ({fmt}) to {path}", file=sys.stderr)
    return 0
