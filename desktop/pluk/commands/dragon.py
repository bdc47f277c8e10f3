"""`pluk dragon ...`: the DRAGON benchmark commands. Each sub-command has its own `_add_*`
function that adds its parser to the group, so more (e.g. `dragon run`) slot in beside it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pluk.core.dragon.errors import DragonError
from pluk.core.dragon.evaluate import FOLDS, evaluate_folder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "dragon",
        help="DRAGON benchmark: score predictions",
        description="Commands for the DRAGON clinical NLP benchmark.",
    )
    group = parser.add_subparsers(dest="dragon_command", metavar="SUBCOMMAND", required=True)
    _add_evaluate(group)


def _add_evaluate(group: argparse._SubParsersAction) -> None:
    parser = group.add_parser(
        "evaluate",
        help="score a predictions folder against the ground truth",
        description=(
            "Score <predictions>/<task>-fold<k>/nlp-predictions-dataset.json against "
            "<ground-truth>/<task>.json with the metrics of dragon_eval v0.2.6, and print the "
            "metrics as JSON (per task and fold, per task, overall)."
        ),
    )
    parser.add_argument("--predictions", required=True, type=Path, metavar="DIR")
    parser.add_argument("--ground-truth", required=True, type=Path, metavar="DIR")
    parser.add_argument(
        "--tasks",
        nargs="+",
        metavar="TASK",
        help="task names or prefixes such as Task014 (default: every ground-truth file)",
    )
    parser.add_argument(
        "--folds",
        nargs="+",
        type=int,
        default=list(FOLDS),
        metavar="K",
        help="folds to score (default: 0 1 2 3 4)",
    )
    parser.add_argument("--out", type=Path, metavar="FILE", help="also write the JSON here")
    parser.set_defaults(func=evaluate_command)


def evaluate_command(args: argparse.Namespace) -> int:
    result = evaluate_folder(args.predictions, args.ground_truth, args.tasks, folds=args.folds)
    text = json.dumps(result, indent=2)
    if args.out is not None:
        try:
            args.out.write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise DragonError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    print(text)
    return 0
