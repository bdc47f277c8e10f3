"""`pluk dragon run`: DRAGON task folders in, a run folder and a predictions file each out.

The Pluk task that answers a task folder is the library task whose `dragon.task_name` matches.
For `OUT/<task folder>/` this writes a normal run folder (`run/`, by the same run_job as
`pluk extract`), `nlp-predictions-dataset.json` with exactly the test uids and the JSON types the
evaluator expects, and `pluk-dragon-notes.json`: every uid whose prediction did not come straight
from the model's answer (and why), and how the NER entities aligned.

This module owns what DRAGON adds to a run: the choice of few-shot examples from the training
set, and the reuse of a zero-shot fold's answers for the next fold with the same test set.
`folders` reads the task folders; `predict` turns the run's records into the predictions.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from pluk.core.dragon.errors import DragonError
from pluk.core.dragon.evaluate import PREDICTIONS_FILE
from pluk.core.dragon.folders import (TEST_FILE, TaskFolder, find_task_folders, make_reports,
                                      read_task_folder, training_examples)
from pluk.core.dragon.predict import build_predictions
from pluk.core.dragon.tasks import get_task
from pluk.core.extraction.fewshot import ExampleIndex
from pluk.core.extraction.job import CheckedModel, check_model, run_job
from pluk.core.options import RunOptions
from pluk.core.progress import Progress
from pluk.core.runs.folder import RunFolder
from pluk.core.runs.records import Record
from pluk.core.tasks import TaskDefinition, list_tasks, task_sha256

NOTES_FILE = "pluk-dragon-notes.json"
RUN_SUBFOLDER = "run"


class DragonOptions(BaseModel):
    """What DRAGON adds to the run options; stored as the manifest's "dragon" section."""

    shots: int = Field(default=0, ge=0,
                       description="Few-shot examples from the training set; 0 = zero-shot")
    fixed_shots: bool = Field(default=False, description="One set for the whole run (a reused "
                              "prompt prefix) instead of the most similar per report")


class FolderResult(BaseModel):
    folder: str
    task_name: str
    status: str
    run_dir: str
    predictions: str | None
    counts: dict[str, int]
    fallbacks: int
    reused_from: str | None = None


# The answers of a finished zero-shot fold, by what makes them valid for another fold:
# key -> (that fold's output folder, its records).
Reuse = dict[tuple, tuple[str, list[Record]]]


def find_task(task_name: str) -> TaskDefinition:
    """The library (or user) task whose `dragon.task_name` is `task_name`."""
    tasks, _ = list_tasks()
    matches = [t for _, t in tasks if t.dragon is not None and t.dragon.task_name == task_name]
    if not matches:
        raise DragonError(f"no Pluk task answers the DRAGON task {task_name}; give one with "
                          "--task or add a task whose dragon.task_name is that name")
    return matches[0]


def _check_task(task: TaskDefinition, folder: TaskFolder) -> None:
    if task.dragon is None:
        raise DragonError(f"task {task.id} has no 'dragon' section, so it cannot answer "
                          f"{folder.task_name}")
    if task.dragon.label_name != folder.label_name:
        raise DragonError(f"task {task.id} answers {task.dragon.label_name}, but "
                          f"{folder.path.name} asks for {folder.label_name}")


def _write_json(path: Path, value: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def run_task_folder(
    folder: TaskFolder, task: TaskDefinition, model_path: Path | None,
    checked: CheckedModel | None,
    out: Path, options: RunOptions, dragon: DragonOptions, *, resume: bool = False,
    reuse: Reuse | None = None,
    on_status: Callable[[str], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> FolderResult:
    def say(message: str) -> None:
        if on_status:
            on_status(f"{folder.path.name}: {message}")

    _check_task(task, folder)
    reports = make_reports(folder)
    choose = None
    if dragon.shots > 0:
        examples = training_examples(task, folder)
        if not examples:
            say("no usable training examples; running zero-shot")
        elif dragon.fixed_shots:
            chosen = ExampleIndex(examples).representative(
                [r.text for r in reports if r.text], dragon.shots)
            task = task.model_copy(update={"examples": chosen})
        else:
            choose = ExampleIndex(examples).chooser(dragon.shots)
    # Zero-shot folds of one task share the test set: the answers of the first fold serve all.
    answers = checked.facts.sha256 if checked else options.server.model_dump_json()  # server
    key = (task_sha256(task), answers, tuple((r.id, r.sha256) for r in reports),
           options.reading.limit) if dragon.shots == 0 else None
    reused_from, reused = None, None
    if key is not None and reuse is not None and key in reuse:
        reused_from, reused = reuse[key]
        say(f"same test set and task as {Path(reused_from).name}; reusing its answers")
    else:
        say(f"{len(reports)} reports, task {task.id}")
    task_out = out / folder.path.name
    job = run_job(task, reports, model_path, task_out / RUN_SUBFOLDER, options, resume=resume,
                  inputs=[str((folder.path / TEST_FILE).resolve())], choose_examples=choose,
                  manifest_options={"dragon": dragon.model_dump(mode="json")},
                  reuse_records=reused, checked=checked, on_status=say,
                  on_progress=on_progress, should_stop=should_stop)
    records = RunFolder(job.run_dir).records()
    if key is not None and reuse is not None and job.status == "finished" and reused is None:
        reuse[key] = (str(task_out), records)
    result = FolderResult(folder=str(folder.path), task_name=folder.task_name, status=job.status,
                          run_dir=job.run_dir, predictions=None, counts=job.counts, fallbacks=0,
                          reused_from=reused_from)
    if job.status != "finished":
        return result
    rows, notes = build_predictions(task, folder, records)
    _write_json(task_out / PREDICTIONS_FILE, rows)
    _write_json(task_out / NOTES_FILE, notes)
    return result.model_copy(update={"predictions": str(task_out / PREDICTIONS_FILE),
                                     "fallbacks": len(notes["uids_with_fallbacks"])})


def run_dragon(
    folder: str | Path, model_path: str | Path | None, out: str | Path,
    options: RunOptions | None = None, dragon: DragonOptions | None = None, *,
    resume: bool = False, task: TaskDefinition | None = None,
    on_status: Callable[[str], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[FolderResult]:
    """Run every task folder in `folder` (or `folder` itself); OUT mirrors the folder names.

    `task` overrides the library lookup (it must answer every folder's label type); `resume`
    continues the run folders in OUT."""
    options, dragon = options or RunOptions(), dragon or DragonOptions()
    model_path, out = (Path(model_path) if model_path else None), Path(out)
    folders = [read_task_folder(p) for p in find_task_folders(folder)]
    tasks = [task or find_task(f.task_name) for f in folders]
    for f, t in zip(folders, tasks):
        _check_task(t, f)
        get_task(f.task_name)  # the evaluator must know it, or the output cannot be checked
    checked = None  # with options.server there is no model file to check
    if options.server is None:
        (on_status or (lambda _m: None))(f"checking the model file {model_path.name}")
        checked = check_model(model_path)
    reuse: Reuse = {}
    results = []
    for f, t in zip(folders, tasks):
        if should_stop and should_stop():
            break
        results.append(run_task_folder(f, t, model_path, checked, out, options, dragon,
                                       resume=resume, reuse=reuse, on_status=on_status,
                                       on_progress=on_progress, should_stop=should_stop))
    return results
