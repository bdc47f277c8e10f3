"""`pluk dragon run`: a DRAGON task folder in, a run folder and a predictions file out.

A task folder (docs/dragon.md §2) holds `nlp-task-configuration.json`, `nlp-test-dataset.json`
and usually `nlp-training-dataset.json`. The Pluk task that answers it is the library task whose
`dragon.task_name` matches. For `OUT/<task folder>/` this writes a normal run folder (`run/`),
`nlp-predictions-dataset.json` with exactly the test uids and the JSON types the evaluator
expects, and `pluk-dragon-notes.json`: every uid whose prediction did not come straight from the
model's answer (and why), and how the NER entities aligned.

This module owns reading task folders, the few-shot examples from the training set, planning the
context and running the model; `predict` turns the run's records into the predictions and notes.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pluk.core.extraction.chat_template import TemplateFacts
from pluk.core.dragon import ner_align
from pluk.core.dragon.errors import DragonError, shorten
from pluk.core.dragon.evaluate import PREDICTIONS_FILE
from pluk.core.dragon.predict import (NER_LABELS, REG_LABELS, build_predictions, label_values,
                                      row_tokens)
from pluk.core.dragon.tasks import get_task
from pluk.core.engine.llama import EngineOptions, LlamaEngine, engine_versions
from pluk.core.extraction.fewshot import ExampleIndex
from pluk.core.models.gguf_info import read_gguf_info
from pluk.core.extraction.job import model_facts, write_exports
from pluk.core.extraction.context import (MIN_CTX, ContextPlan, output_token_budget,
                                          plan_context, prompt_parts)
from pluk.core.extraction.loop import RunOptions, run_extraction
from pluk.core.progress import Progress
from pluk.core.extraction.prompt import prompt_template_facts
from pluk.core.readers.decoding import normalise
from pluk.core.runs.records import Record
from pluk.core.readers.reports import Report
from pluk.core.runs.folder import ModelFacts, RunFolder, RunManifest
from pluk.core.tasks import TaskDefinition, json_schema, list_tasks, task_sha256, validate_answer
from pluk.core.tasks.definition import Example

CONFIG_FILE = "nlp-task-configuration.json"
TEST_FILE = "nlp-test-dataset.json"
TRAINING_FILE = "nlp-training-dataset.json"
NOTES_FILE = "pluk-dragon-notes.json"
RUN_SUBFOLDER = "run"
# A longer training report is not offered as an example: K of them would crowd out the report.
MAX_EXAMPLE_CHARS = 2000


class DragonRunOptions(BaseModel):
    shots: int = 0  # few-shot examples from the training set; 0 = zero-shot
    fixed_shots: bool = False  # one set for the whole run (prefix reuse) instead of per report
    limit: int | None = None
    ctx_cap: int = 8192
    n_threads: int | None = None
    n_gpu_layers: int = 0
    resume: bool = False


class FolderResult(BaseModel):
    folder: str
    task_name: str
    status: str
    run_dir: str
    predictions: str | None
    counts: dict[str, int]
    fallbacks: int
    reused_from: str | None = None


class TaskFolder(BaseModel):
    path: Path
    task_name: str
    input_name: str
    label_name: str
    test: list[dict[str, Any]]
    training: list[dict[str, Any]]


# -- reading -------------------------------------------------------------------------------------

def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DragonError(f"cannot read {path}: {exc}") from None


def find_task_folders(folder: str | Path) -> list[Path]:
    """The folder itself if it is a task folder, else its task folders (TaskNNN_...-foldK)."""
    folder = Path(folder)
    if (folder / CONFIG_FILE).is_file():
        return [folder]
    if not folder.is_dir():
        raise DragonError(f"DRAGON folder not found: {folder}")
    found = sorted(p for p in folder.iterdir() if (p / CONFIG_FILE).is_file())
    if not found:
        raise DragonError(f"{folder} is neither a DRAGON task folder (no {CONFIG_FILE}) nor a "
                          "folder of task folders")
    return found


def read_task_folder(path: Path) -> TaskFolder:
    config = _read_json(path / CONFIG_FILE)
    if not isinstance(config, dict) or not {"task_name", "label_name"} <= set(config):
        raise DragonError(f"{path / CONFIG_FILE}: needs task_name and label_name")
    test = _records(path / TEST_FILE)
    training = _records(path / TRAINING_FILE) if (path / TRAINING_FILE).is_file() else []
    uids = [row["uid"] for row in test]
    repeated = [uid for uid, n in Counter(uids).items() if n > 1]
    if repeated:
        raise DragonError(f"{path / TEST_FILE}: repeated uid(s) {shorten(repeated)}")
    return TaskFolder(path=path, task_name=config["task_name"],
                      input_name=config.get("input_name", "text"),
                      label_name=config["label_name"], test=test, training=training)


def _records(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise DragonError(f"{path.parent}: {path.name} not found")
    rows = _read_json(path)
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "uid" in r for r in rows):
        raise DragonError(f"{path}: must be a JSON array of records with a uid")
    for row in rows:
        if isinstance(row["uid"], int) and not isinstance(row["uid"], bool):
            row["uid"] = str(row["uid"])  # dragon_eval reads uids as strings
    return rows


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


def _row_text(row: dict[str, Any], folder: TaskFolder) -> str:
    """The report text the model reads. NER: the given tokens joined by spaces, so aligned
    spans map straight back to tokens; text_parts otherwise as the table reader joins them."""
    if folder.label_name in NER_LABELS:
        return " ".join(row_tokens(row, f"{folder.path.name} uid {row['uid']}"))
    value = row.get(folder.input_name, row.get("text", row.get("text_parts")))
    if isinstance(value, list):
        return "\n\n".join(normalise(str(p)) for p in value)
    return normalise(str(value)) if value is not None else ""


def make_reports(folder: TaskFolder) -> list[Report]:
    source = folder.path / TEST_FILE
    reports = []
    for number, row in enumerate(folder.test, start=1):
        text = _row_text(row, folder)
        common = dict(id=row["uid"], source=f"{source}#{number}", format="dragon")
        if text.strip():
            reports.append(Report.from_text(text=text, **common))
        else:
            reports.append(Report.failed(reason="the test record has no text", **common))
    return reports


# -- few-shot examples from the training set ------------------------------------------------------

def _tag_parser(entity_tag: str) -> re.Pattern:
    pattern = ""
    for literal, name, _, _ in string.Formatter().parse(entity_tag):
        pattern += re.escape(literal)
        if name is not None:
            pattern += f"(?P<{name}>.+?)"
    return re.compile(f"^{pattern}$")


def _entity_objects(task: TaskDefinition, tokens: list[str], tags: list[Any]) -> list[dict] | None:
    spec = task.field(task.dragon.fields[0])
    item_fields = spec.items.fields
    parser = _tag_parser(task.dragon.entity_tag)
    objects = []
    for text, kind, _ in ner_align.entities_from_tags(tokens, tags):
        match = parser.match(kind)
        if match is None:
            return None
        values = {**match.groupdict(), "text": text}
        obj = {}
        for field in item_fields:
            if field.name not in values:
                return None
            value = values[field.name]
            if field.type == "int":
                if not re.fullmatch(r"-?[0-9]+", value):
                    return None
                value = int(value)
            obj[field.name] = value
        objects.append(obj)
    return objects


def training_examples(task: TaskDefinition, folder: TaskFolder) -> list[Example]:
    """The training records as worked examples in the task's answer format; records whose
    label the task cannot express (or too long to show) are left out."""
    spec = task.dragon
    examples = []
    for row in folder.training:
        label = row.get(folder.label_name)
        text = _row_text(row, folder)
        if label is None and folder.label_name not in REG_LABELS or not text.strip():
            continue
        if len(text) > MAX_EXAMPLE_CHARS:
            continue
        if folder.label_name in NER_LABELS:
            if not isinstance(label, list) or len(label) != len(row.get("text_parts", [])):
                continue
            objects = _entity_objects(task, row["text_parts"], label)
            if objects is None:
                continue
            answer = {spec.fields[0]: objects}
        else:
            values = label_values(label, len(spec.fields), folder.label_name)
            if not values:
                continue
            answer = dict(zip(spec.fields, values))
        _, errors = validate_answer(task, answer)
        if not errors:
            examples.append(Example(text=text, answer=answer))
    return examples


def _write_json(path: Path, value: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


# -- running ---------------------------------------------------------------------------------------

def _plan(task: TaskDefinition, reports: list[Report], tokenizer: LlamaEngine, ctx_cap: int,
          choose: Callable[[Report], list[Example]] | None) -> ContextPlan:
    if choose is None:
        return plan_context(task, reports, tokenizer, ctx_cap)
    output = output_token_budget(json_schema(task))
    needed, fixed_max, longest, sizes = 0, 0, 0, []
    for report in reports:
        if report.text is None:
            continue
        parts = prompt_parts(task, tokenizer, choose(report))
        fixed = len(parts.prefix_tokens) + len(parts.suffix_tokens)
        n = tokenizer.count_tokens(report.text)
        needed, fixed_max, longest = max(needed, fixed + n + output), max(fixed_max, fixed), max(
            longest, n)
        sizes.append(fixed + n + output)
    n_ctx = max(MIN_CTX, min(ctx_cap, -(-needed // 256) * 256))
    return ContextPlan(n_ctx=n_ctx, prompt_tokens=fixed_max, output_tokens=output,
                       longest_report_tokens=longest,
                       reports_too_long=sum(1 for s in sizes if s > n_ctx))


def run_task_folder(
    folder: TaskFolder, task: TaskDefinition, model_path: Path, facts: ModelFacts, out: Path,
    options: DragonRunOptions, *, reuse: dict[tuple, tuple[str, list[Record]]] | None = None,
    template: TemplateFacts | None = None,
    on_status: Callable[[str], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> FolderResult:
    say = on_status or (lambda _msg: None)
    _check_task(task, folder)
    reports = make_reports(folder)
    choose = None
    if options.shots > 0:
        examples = training_examples(task, folder)
        if not examples:
            say(f"{folder.path.name}: no usable training examples; running zero-shot")
        elif options.fixed_shots:
            chosen = ExampleIndex(examples).representative(
                [r.text for r in reports if r.text], options.shots)
            task = task.model_copy(update={"examples": chosen})
        else:
            choose = ExampleIndex(examples).chooser(options.shots)
    run_options = RunOptions(ctx_cap=options.ctx_cap, n_threads=options.n_threads,
                             n_gpu_layers=options.n_gpu_layers, limit=options.limit)
    manifest = RunManifest(
        engine=engine_versions(), model=facts, task=task.model_dump(mode="json"),
        task_sha256=task_sha256(task), chat_template=template,
        inputs=[str((folder.path / TEST_FILE).resolve())],
        options={**run_options.model_dump(mode="json"),
                 "dragon": options.model_dump(mode="json", exclude={"resume"})})
    task_out = out / folder.path.name
    run = RunFolder.start(task_out / RUN_SUBFOLDER, manifest, resume=options.resume)
    # Zero-shot folds of one task share the test set: the answers of the first fold serve all.
    key = (task_sha256(task), facts.sha256, tuple((r.id, r.sha256) for r in reports),
           options.limit) if choose is None and options.shots == 0 else None
    reused_from = None
    status = "failed"
    try:
        if key is not None and reuse is not None and key in reuse:
            reused_from, records = reuse[key]
            say(f"{folder.path.name}: same test set and task as {Path(reused_from).name}; "
                "reusing its answers")
            done = {record_id for record_id, _ in run.done_keys()}
            for record in records:
                if record.id not in done:
                    run.append(record)
        else:
            tokenizer = LlamaEngine(model_path, vocab_only=True)
            try:
                plan = _plan(task, reports, tokenizer, options.ctx_cap, choose)
            finally:
                tokenizer.close()
            manifest = run.read_manifest()
            manifest.options = {**manifest.options, "context_plan": plan.model_dump()}
            run.write_manifest(manifest)
            say(f"{folder.path.name}: {len(reports)} reports, task {task.id}, "
                f"context {plan.n_ctx} tokens")
            engine_options = EngineOptions(n_ctx=plan.n_ctx, n_threads=options.n_threads,
                                           n_gpu_layers=options.n_gpu_layers)
            with LlamaEngine(model_path, engine_options) as engine:
                for record in run_extraction(task, reports, engine, run_options,
                                             on_progress=on_progress, should_stop=should_stop,
                                             skip=run.already_done(), choose_examples=choose):
                    run.append(record)
        status = "cancelled" if should_stop and should_stop() else "finished"
    finally:
        final = run.finish(status)
    write_exports(run, task)
    records = run.records()
    if key is not None and reuse is not None and status == "finished" and reused_from is None:
        reuse[key] = (str(task_out), records)
    result = FolderResult(folder=str(folder.path), task_name=folder.task_name, status=status,
                          run_dir=str(run.path), predictions=None, counts=final.counts,
                          fallbacks=0, reused_from=reused_from)
    if status != "finished":
        return result
    rows, notes = build_predictions(task, folder, records)
    _write_json(task_out / PREDICTIONS_FILE, rows)
    _write_json(task_out / NOTES_FILE, notes)
    return result.model_copy(update={"predictions": str(task_out / PREDICTIONS_FILE),
                                     "fallbacks": len(notes["uids_with_fallbacks"])})


def run_dragon(
    folder: str | Path, model_path: str | Path, out: str | Path,
    options: DragonRunOptions | None = None, *, task: TaskDefinition | None = None,
    on_status: Callable[[str], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[FolderResult]:
    """Run every task folder in `folder` (or `folder` itself); OUT mirrors the folder names.

    `task` overrides the library lookup (it must answer every folder's label type)."""
    options = options or DragonRunOptions()
    model_path, out = Path(model_path), Path(out)
    folders = [read_task_folder(p) for p in find_task_folders(folder)]
    tasks = [task or find_task(f.task_name) for f in folders]
    for f, t in zip(folders, tasks):
        _check_task(t, f)
        get_task(f.task_name)  # the evaluator must know it, or the output cannot be checked
    (on_status or (lambda _m: None))(f"checking the model file {model_path.name}")
    info = read_gguf_info(model_path)
    facts = model_facts(model_path, info=info)
    reuse: dict[tuple, tuple[str, list[Record]]] = {}
    results = []
    for f, t in zip(folders, tasks):
        if should_stop and should_stop():
            break
        template = prompt_template_facts(t, info.chat_template, model_name=model_path.name)
        results.append(run_task_folder(f, t, model_path, facts, out, options, reuse=reuse,
                                       template=template,
                                       on_status=on_status, on_progress=on_progress,
                                       should_stop=should_stop))
    return results
