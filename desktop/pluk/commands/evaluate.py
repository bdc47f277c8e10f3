"""`pluk evaluate`: validate a run against a labelled table and write a report for a paper."""

from __future__ import annotations

import argparse
from pathlib import Path

from pluk.core.errors import PlukError
from pluk.core.validation.evaluate import (
    DEFAULT_RESAMPLES, DEFAULT_SEED, validate_run, write_report,
)
from pluk.core.validation.review_truth import validate_against_reviews
from pluk.core.written_words import LANGUAGES


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="validate a run against a labelled table (accuracy, kappa, F1, MAE, ECE, 95%% CIs)",
        description=(
            "Compare the fields of a run folder with a labelled reference table (CSV, Excel "
            "CSV with ';', or XLSX), matched on an id column. Writes validation.md (a report "
            "for a paper's supplement) and validation.json, and for yes/no and category fields "
            "with option probabilities their expected calibration error (ECE) and a "
            "reliability diagram (reliability-FIELD-probability.png). Missing predictions "
            "count as the category '—/null', never dropped."
        ),
    )
    parser.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    parser.add_argument("--truth", type=Path, metavar="FILE",
                        help="the reference table (.csv or .xlsx)")
    parser.add_argument("--id-column", metavar="C",
                        help="the table's column holding the report ids of the run")
    parser.add_argument("--truth-from-reviews", type=Path, metavar="REVIEWED_RUN",
                        help="use the reviewed values of a run folder (RUN_DIR itself or "
                             "another run over the same reports) as the reference, in place "
                             "of --truth")
    parser.add_argument("--columns", nargs="+", metavar="FIELD[=COLUMN]",
                        help="fields to compare, optionally with the table column to compare "
                             "with (default: every field with a like-named column)")
    parser.add_argument("--tolerance", nargs="+", metavar="[FIELD=]T",
                        help="numbers agree within T (default 0); FIELD=T for one field")
    parser.add_argument("--sheet", metavar="NAME", help="the XLSX sheet (default: the first)")
    parser.add_argument("--resamples", type=int, default=DEFAULT_RESAMPLES, metavar="B",
                        help=f"bootstrap resamples (default {DEFAULT_RESAMPLES})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"bootstrap seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="folder for the report (default: RUN_DIR/validation)")
    parser.add_argument("--language", choices=LANGUAGES, default="en",
                        help="the language of validation.md (en, nl); default en")
    parser.set_defaults(func=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    if args.resamples < 0:
        args.resamples = 0
    options = dict(columns=args.columns, tolerance=args.tolerance, resamples=args.resamples,
                   seed=args.seed)
    if args.truth_from_reviews is not None:
        if args.truth is not None:
            raise PlukError("give either --truth or --truth-from-reviews, not both")
        report = validate_against_reviews(args.run_dir, args.truth_from_reviews, **options)
    elif args.truth is None or args.id_column is None:
        raise PlukError("give the reference: --truth FILE with --id-column C, or "
                        "--truth-from-reviews RUN_DIR")
    else:
        report = validate_run(args.run_dir, args.truth, args.id_column, sheet=args.sheet,
                              **options)
    out_dir = args.out if args.out is not None else args.run_dir / "validation"
    md, js = write_report(report, out_dir, args.language)
    cov = report.coverage
    print(f"{cov.with_record} of {cov.truth_rows} reference rows have a record"
          + (f"; {cov.without_record} without a record were not scored"
             if cov.without_record else ""))
    for field in report.fields:
        parts = []
        for name, label in (("accuracy", "accuracy"), ("kappa", "kappa"),
                            ("macro_f1", "macro F1"), ("mae", "MAE"),
                            ("tolerance_accuracy", "within tolerance"), ("ece", "ECE")):
            metric = field.metrics.get(name)
            if metric is not None and metric.value is not None:
                ci = (f" [{metric.ci_low:.3f}, {metric.ci_high:.3f}]"
                      if metric.ci_low is not None and metric.ci_high is not None else "")
                parts.append(f"{label} {metric.value:.3f}{ci}")
        print(f"  {field.field:24} n={field.n:<5} " + ("; ".join(parts) or "n/a"))
    print(f"Wrote {md} and {js}")
    return 0
