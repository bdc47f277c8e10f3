"""`pluk dragon ...`: the DRAGON benchmark commands. Each sub-command has its own `_add_*`
function that adds its parser to the group."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pluk.commands.run_flags import add_run_flags
from pluk.core.dragon.errors import DragonError
from pluk.core.dragon.evaluate import FOLDS, evaluate_folder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "dragon",
        help="DRAGON benchmark: run tasks, score predictions",
        description="Commands for the DRAGON clinical NLP benchmark.",
    )
    group = parser.add_subparsers(dest="dragon_command", metavar="SUBCOMMAND", required=True)
    _add_run(group)
    _add_evaluate(group)


def _add_run(group: argparse._SubParsersAction) -> None:
    parser = group.add_parser(
        "run",
        help="answer DRAGON task folders with a local model",
        description=(
            "Read a DRAGON task folder (nlp-task-configuration.json, nlp-test-dataset.json and, "
            "for few-shot examples, nlp-training-dataset.json), or a folder of them, run the "
            "Pluk task whose dragon.task_name matches, and write "
            "OUT/<task folder>/nlp-predictions-dataset.json, the run folder "
            "OUT/<task folder>/run/ and pluk-dragon-notes.json (predictions that did not come "
            "straight from the model, NER alignment). OUT can be scored with "
            "`pluk dragon evaluate --predictions OUT`."
        ),
    )
    parser.add_argument("folder", type=Path, metavar="FOLDER",
                        help="a DRAGON task folder, or a folder of TaskNNN_...-foldK folders")
    parser.add_argument("--model",
                        help="a .gguf file, or an installed model id (or --server URL)")
    parser.add_argument("--out", required=True, type=Path, metavar="OUT")
    parser.add_argument("--task", metavar="TASK",
                        help="task id or file to use instead of the library's DRAGON task")
    parser.add_argument("--shots", type=int, default=0, metavar="K",
                        help="K few-shot examples from the training set, the most similar "
                             "(BM25) to each report (default 0: zero-shot)")
    parser.add_argument("--fixed-shots", action="store_true",
                        help="with --shots: one set of K examples for the whole run, in the "
                             "reused prompt prefix (faster) instead of K per report")
    parser.add_argument("--limit", type=int, metavar="N",
                        help="run the model on the first N reports only; the others get the "
                             "fallback predictions listed in pluk-dragon-notes.json")
    add_run_flags(parser)
    parser.add_argument("--resume", action="store_true",
                        help="continue the run folders in OUT, skipping reports they have")
    parser.set_defaults(func=run_command)


def run_command(args: argparse.Namespace) -> int:
    from pluk.commands.extract import model_or_server
    from pluk.commands.progress_bar import interruptible_progress, say
    from pluk.commands.run_flags import run_options
    from pluk.core.dragon.run import DragonOptions, run_dragon
    from pluk.core.tasks import load_task

    if args.shots < 0 or (args.limit is not None and args.limit < 0):
        raise DragonError("--shots and --limit must not be negative")
    if args.fixed_shots and not args.shots:
        raise DragonError("--fixed-shots needs --shots K")
    options = run_options(args)
    task = load_task(args.task) if args.task else None
    model_path = model_or_server(args)
    dragon = DragonOptions(shots=args.shots, fixed_shots=args.fixed_shots)
    with interruptible_progress() as (stop, bar):
        results = run_dragon(args.folder, model_path, args.out, options, dragon,
                             resume=args.resume, task=task, on_status=say, on_progress=bar,
                             should_stop=stop.is_set)
    for result in results:
        counts = result.counts
        where = result.predictions or f"no predictions (run {result.status})"
        print(f"pluk: {Path(result.folder).name}: {counts.get('total', 0)} records (ok "
              f"{counts.get('ok', 0)}, invalid {counts.get('invalid', 0)}, error "
              f"{counts.get('error', 0)}), {result.fallbacks} uid(s) with fallbacks -> {where}",
              file=sys.stderr)
    return 130 if stop.is_set() else 0


def _add_evaluate(group: argparse._SubParsersAction) -> None:
    parser = group.add_parser(
        "evaluate",
        help="score a predictions folder against the ground truth",
        description=(
            "Score <predictions>/<task>-fold<k>/nlp-predictions-dataset.json against "
            "<ground-truth>/<task>.json with the metrics of the official scorer, dragon_eval "
            "0.2.11 (a one-class AUC truth scores 0, a null regression prediction counts as 0), "
            "and print the metrics as JSON (per task and fold, per task, overall)."
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
