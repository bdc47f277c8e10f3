"""`pluk review`: what the reviews of a run say (reviews are made in the window's Review tab).

`--summary` prints per field how many reports have each review status (model: not reviewed,
accepted, corrected, rejected) and how many reports are fully reviewed; `--json` the same as
JSON."""

from __future__ import annotations

import json
from pathlib import Path

from pluk.core.runs.folder import RunFolder
from pluk.core.runs.reviews import (REVIEW_STATUSES, ReviewLog, is_reviewed, latest_reviews,
                                    summary)
from pluk.core.tasks.loader import parse_task


def register(subparsers) -> None:
    p = subparsers.add_parser("review", help="summarise the reviews of a run folder")
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    p.add_argument("--summary", action="store_true",
                   help="counts per field and review status (the default)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=run)


def run(args) -> int:
    folder = RunFolder(args.run_dir)
    manifest = folder.read_manifest()
    task = parse_task(manifest.task, str(folder.manifest_path))
    records = folder.records()
    log = ReviewLog(folder.path)
    latest = latest_reviews(log.read(), records)
    counts = summary(task, records, latest)
    done = sum(1 for r in records if is_reviewed(task, r, latest))
    if args.json:
        print(json.dumps({"run": str(folder.path), "reports": len(records),
                          "reviewed_reports": done, "fields": counts,
                          "damaged_lines": log.skipped}, indent=2))
        return 0
    print(f"{done} of {len(records)} reports reviewed ({folder.path.name})")
    width = max([len("field")] + [len(p) for p in counts])
    print(f"{'field':<{width}}  " + "  ".join(f"{s:>9}" for s in REVIEW_STATUSES))
    for path, row in counts.items():
        print(f"{path:<{width}}  " + "  ".join(f"{row[s]:>9}" for s in REVIEW_STATUSES))
    if log.skipped:
        print(f"({log.skipped} damaged line(s) of {log.path.name} left out)")
    return 0
