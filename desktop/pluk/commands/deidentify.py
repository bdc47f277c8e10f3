"""`pluk deidentify INPUT... --out DIR`: pseudonymised text copies of reports, read by the
same readers as extraction, and a summary of what was replaced per category (no report text)."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from pluk.commands.progress_bar import say
from pluk.core.errors import PlukError
from pluk.core.privacy.deduce_engine import deduce_version, load_deduce
from pluk.core.privacy.pseudonymise import pseudonymise
from pluk.core.readers import SUPPORTED_SUFFIXES, read_inputs

SUMMARY = "deidentify_summary.json"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "deidentify", help="write pseudonymised text copies of reports (deduce, offline)",
        description="Replace names, places, dates, BSN, phone numbers, e-mail addresses and "
                    "institutions by placeholders ([PATIENT], [PERSOON-1], ...) and write each "
                    f"report as a .txt file to --out, with {SUMMARY} (counts per category, "
                    "no report text).")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="a folder (recursive), a report file, or a table")
    p.add_argument("--out", required=True, metavar="DIR", help="the folder to write")
    p.add_argument("--id-column", help="for tables: the column holding the report id")
    p.add_argument("--text-column", help="for tables: the column holding the report text")
    p.set_defaults(func=run)


def _file_name(report_id: str) -> str:
    # Ids hold folders ("sub/a.txt") and table rows ("t.csv/17"): one flat, safe name each.
    name = re.sub(r"[^\w.-]+", "_", report_id).strip("._")
    return name if name.lower().endswith(".txt") else name + ".txt"


def run(args) -> int:
    from pluk.core.readers import TableOptions

    deduce_version()  # a clear error before anything is read
    reports = read_inputs(args.inputs, table=TableOptions(id_column=args.id_column,
                                                          text_column=args.text_column),
                          on_status=say)
    if not reports:
        raise PlukError(f"No reports found in {', '.join(args.inputs)}: Pluk reads "
                        f"{' '.join(SUPPORTED_SUFFIXES)} files and tables")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    say("Loading deduce")
    started = time.perf_counter()
    load_deduce()
    loaded = time.perf_counter() - started
    totals: dict[str, int] = {}
    per_report, failed, names = [], [], set()
    started = time.perf_counter()
    for report in reports:
        if report.text is None:
            failed.append({"id": report.id, "error": report.error})
            continue
        done = pseudonymise(report.text)
        name = _file_name(report.id)
        while name in names:
            name = "_" + name
        names.add(name)
        (out / name).write_text(done.text, encoding="utf-8")
        counts = done.counts()
        for category, n in counts.items():
            totals[category] = totals.get(category, 0) + n
        per_report.append({"id": report.id, "file": name, "replaced": counts})
    seconds = time.perf_counter() - started
    summary = {"by": f"deduce {deduce_version()}", "reports": len(per_report),
               "unreadable": failed, "replaced": dict(sorted(totals.items())),
               "per_report": per_report, "seconds_loading": round(loaded, 2),
               "seconds_per_report": round(seconds / max(1, len(per_report)), 4)}
    (out / SUMMARY).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n",
                               encoding="utf-8")
    print(f"pluk: {len(per_report)} reports pseudonymised into {out} "
          f"({sum(totals.values())} identifiers replaced; {len(failed)} unreadable)",
          file=sys.stderr)
    return 0
