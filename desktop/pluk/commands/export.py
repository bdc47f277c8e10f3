"""`pluk export`: write a run folder's records as CSV, JSON, XLSX or a self-contained HTML page
with the evidence of every value highlighted; with reviews, the reviewed values beside them.
A run of a task imported from a data dictionary also exports as REDCap's or Castor's import
CSV (--format redcap / castor, to a .csv file).

Without --format the format is the --out file's extension; a --format that contradicts the
extension is refused (an .xlsx file holding CSV text cannot be opened).

A run that did not finish (cancelled, failed, or still `running`: its process was killed or
runs on) is exported all the same, with a warning on stderr: the file holds only the reports
done so far, and --resume does the rest."""

from __future__ import annotations

import sys
from pathlib import Path

from pluk.core.errors import PlukError
from pluk.core.extraction.run_export import FORMATS, export_run
from pluk.core.runs.edc_export import EDC_FORMATS
from pluk.core.runs.folder import RunFolder
from pluk.core.runs.lock import run_in_use
from pluk.core.written_words import LANGUAGES


def register(subparsers) -> None:
    p = subparsers.add_parser("export", help="export a run folder to CSV, JSON, XLSX, HTML, or "
                              "a REDCap or Castor import file")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--format", choices=FORMATS,
                   help="csv, json, xlsx, html, redcap or castor (REDCap's or Castor's import "
                        "CSV, for a task imported from their data dictionary); by default the "
                        "extension of --out")
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
    p.add_argument("--language", choices=LANGUAGES, default="en",
                   help="the language of an HTML page's own words (en, nl); default en")
    p.add_argument("--report-text", action="store_true",
                   help="HTML of a --pseudonymise run: show the original report text "
                        "(identifiers included) instead of the pseudonymised one")
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
    if fmt in EDC_FORMATS and ext == "csv":
        return fmt  # an EDC import file is a CSV
    if ext in FORMATS and ext != fmt:
        wanted = "csv" if fmt in EDC_FORMATS else fmt
        raise PlukError(f"--format {fmt} does not match the file name {out.name}: give "
                        f"--out {out.stem}.{wanted}, or leave --format out")
    return fmt


def incomplete_warning(run_dir: str | Path) -> str | None:
    """What to tell the user when the run has not finished; None when it has."""
    folder = RunFolder(run_dir)
    manifest = folder.read_manifest()
    if manifest.status == "finished":
        return None
    done = manifest.counts.get("total")
    if done is None:  # a run that never ended has no counts yet
        done = len(folder.records())
    status = manifest.status
    if status == "running":
        status += (", still running in another Pluk process" if run_in_use(folder.path)
                   else ", but its process ended before it finished")
    return (f"the run is incomplete (status {status}): the export holds the {done} "
            f"report{'' if done == 1 else 's'} done so far; run `pluk extract` again with "
            "--resume and the same --out to do the rest")


def run(args) -> int:
    out = Path(args.out)
    fmt = export_format(out, args.format)
    notes: list[str] = []
    path, count = export_run(args.run_dir, out, fmt, delimiter=args.delimiter,
                             decimal=args.decimal, nested=args.nested,
                             reviewed_only=args.reviewed, inputs=args.input, notes=notes,
                             report_text=args.report_text, language=args.language)
    for note in notes:
        print(f"pluk: note: {note}", file=sys.stderr)
    print(f"pluk: wrote {count} {'report' if fmt == 'html' else 'row'}"
          f"{'' if count == 1 else 's'} ({fmt}) to {path}", file=sys.stderr)
    warning = incomplete_warning(args.run_dir)
    if warning:
        print(f"pluk: warning: {warning}", file=sys.stderr)
    return 0
