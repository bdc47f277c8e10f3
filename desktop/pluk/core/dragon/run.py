"""`pluk dragon run`: a DRAGON task folder in, a run folder and a predictions file out.

A task folder (docs/dragon.md §2) holds `nlp-task-configuration.json`, `nlp-test-dataset.json`
and usually `nlp-training-dataset.json`. The Pluk task that answers it is the library task whose
`dragon.task_name` matches. For `OUT/<task folder>/` this writes a normal run folder (`run/`),
`nlp-predictions-dataset.json` with exactly the test uids and the JSON types the evaluator
expects, and `pluk-dragon-notes.json`: every uid whose prediction did not come straight from the
model's answer (and why), and how the NER entities aligned.

A prediction is never left out and never a type the evaluator refuses: a failed multi-class
answer takes the model's most probable label, or else the most frequent training label; a failed
number takes the training median. A binary prediction is the model's probability of true; a run
without probabilities fails rather than turning the answers into hard 0/1 scores.
"""

from __future__ import annotations

import json
import math
import re
import string
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

from pydantic import BaseModel

from pluk.core.dragon import ner_align
from pluk.core.dragon.errors import DragonError, shorten
from pluk.core.dragon.evaluate import PREDICTIONS_FILE
from pluk.core.dragon.scoring import value_problem
from pluk.core.dragon.tasks import (ML_BIN, ML_MC, ML_NER, ML_REG, SL_BIN, SL_MC, SL_NER, SL_REG,
                                    get_task)
from pluk.core.engine import EngineOptions, LlamaEngine, engine_versions
from pluk.core.fewshot import ExampleIndex
from pluk.core.job import model_facts, write_exports
from pluk.core.pipeline import (MIN_CTX, ContextPlan, RunOptions, output_token_budget,
                                plan_context, prompt_parts, run_extraction)
from pluk.core.progress import Progress
from pluk.core.readers.decoding import normalise
from pluk.core.records import Record
from pluk.core.reports import Report
from pluk.core.runs import ModelFacts, RunFolder, RunManifest
from pluk.core.tasks import TaskDefinition, json_schema, list_tasks, task_sha256, validate_answer
from pluk.core.tasks.definition import Example

CONFIG_FILE = "nlp-task-configuration.json"
TEST_FILE = "nlp-test-dataset.json"
TRAINING_FILE = "nlp-training-dataset.json"
NOTES_FILE = "pluk-dragon-notes.json"
RUN_SUBFOLDER = "run"
# A longer training report is not offered as an example: K of them would crowd out the report.
MAX_EXAMPLE_CHARS = 2000
NER_LABELS = (SL_NER, ML_NER)
BIN_LABELS = (SL_BIN, ML_BIN)
MC_LABELS = (SL_MC, ML_MC)
REG_LABELS = (SL_REG, ML_REG)


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


def _tokens(row: dict[str, Any], where: str) -> list[str]:
    parts = row.get("text_parts")
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        raise DragonError(f"{where}: NER needs text_parts, a list of token strings")
    return parts


def _row_text(row: dict[str, Any], folder: TaskFolder) -> str:
    """The report text the model reads. NER: the given tokens joined by spaces, so aligned
    spans map straight back to tokens; text_parts otherwise as the table reader joins them."""
    if folder.label_name in NER_LABELS:
        return " ".join(_tokens(row, f"{folder.path.name} uid {row['uid']}"))
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

def _label_values(label: Any, n_fields: int, label_name: str) -> list[Any]:
    if label_name in (ML_BIN, ML_MC, ML_REG):
        return list(label) if isinstance(label, list) and len(label) == n_fields else []
    return [label]


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
            values = _label_values(label, len(spec.fields), folder.label_name)
            if not values:
                continue
            answer = dict(zip(spec.fields, values))
        _, errors = validate_answer(task, answer)
        if not errors:
            examples.append(Example(text=text, answer=answer))
    return examples


# -- records to predictions ------------------------------------------------------------------------

class _Notes:
    def __init__(self) -> None:
        self.fallbacks: list[dict[str, Any]] = []
        self.alignment: Counter[str] = Counter()
        self.not_found: list[dict[str, Any]] = []
        self.dropped: list[dict[str, Any]] = []

    def fallback(self, uid: str, field: str, value: Any, reason: str, failed: bool = True
                 ) -> None:
        # failed=False: the model answered, but null (an absent lesion), and needs a number.
        self.fallbacks.append({"uid": uid, "field": field, "value": value, "reason": reason,
                               "failed": failed})

    def as_json(self, folder: TaskFolder, task: TaskDefinition) -> dict[str, Any]:
        return {
            "task_name": folder.task_name, "pluk_task": task.id, "label_name": folder.label_name,
            "uids_with_fallbacks": sorted({f["uid"] for f in self.fallbacks if f["failed"]}),
            "uids_with_null_answers": sorted({f["uid"] for f in self.fallbacks
                                              if not f["failed"]}),
            "fallbacks": self.fallbacks,
            "ner_alignment": {"counts": dict(self.alignment), "not_found": self.not_found,
                              "dropped_types": self.dropped}
            if folder.label_name in NER_LABELS else None,
        }


def _why(record: Record | None, field: str) -> str:
    if record is None:
        return "not run (--limit or a stopped run)"
    if record.status == "error":
        return f"no answer: {record.error}"
    return f"no valid answer: {record.field_errors.get(field) or record.error}"


def _training_column(folder: TaskFolder, n_fields: int, j: int) -> list[Any]:
    column = []
    for row in folder.training:
        values = _label_values(row.get(folder.label_name), n_fields, folder.label_name)
        if values:
            column.append(values[j])
    return column


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _binary(record: Record | None, field: str, prior: float, uid: str, notes: _Notes) -> float:
    probs = record.probabilities.get(field) if record is not None else None
    if probs is None:
        if record is not None and record.status == "ok":
            raise DragonError(f"uid {uid}: the record has no probability for '{field}'; a "
                              "binary DRAGON prediction must be the model's probability "
                              "(was the run made without probabilities?)")
        notes.fallback(uid, field, prior, _why(record, field) + "; training prevalence")
        return prior
    yes, no = probs.get("true", 0.0), probs.get("false", 0.0)
    if yes + no <= 0 or not math.isfinite(yes + no):
        notes.fallback(uid, field, prior, "no usable probability; training prevalence")
        return prior
    return yes / (yes + no)  # an optional field's "null" share is left out


def _label(record: Record | None, field: str, vocabulary: list[str], frequent: str, uid: str,
           notes: _Notes) -> str:
    value = (record.fields or {}).get(field) if record is not None else None
    if value in vocabulary:
        return value
    probs = record.probabilities.get(field, {}) if record is not None else {}
    allowed = {label: p for label, p in probs.items() if label in vocabulary}
    if value is not None:
        reason = f"the model's label {value!r} is not in the training labels"
    else:
        reason = _why(record, field)
    if allowed:
        best = max(sorted(allowed), key=lambda label: allowed[label])
        notes.fallback(uid, field, best, reason + "; most probable training label")
        return best
    notes.fallback(uid, field, frequent, reason + "; most frequent training label")
    return frequent


def _number(record: Record | None, field: str, fill: float, uid: str, notes: _Notes) -> float:
    value = (record.fields or {}).get(field) if record is not None else None
    if _is_number(value):
        return value
    if value is None and record is not None and record.status == "ok":
        notes.fallback(uid, field, fill, "the model answered null (not stated); training "
                       "median", failed=False)
    else:
        notes.fallback(uid, field, fill, _why(record, field) + "; training median")
    return fill


def _ner(task: TaskDefinition, record: Record | None, tokens: list[str], types: set[str],
         multi_label: bool, uid: str, notes: _Notes) -> list:
    field = task.dragon.fields[0]
    entities = (record.fields or {}).get(field) if record is not None else None
    if not isinstance(entities, list):
        notes.fallback(uid, field, "O", _why(record, field) + "; no entities")
        entities = []
    pairs = []
    for entity in entities:
        tag = task.dragon.entity_tag.format(**entity)
        if not multi_label and types and tag not in types:
            # Macro F1 runs over the union of types: an invented type only adds a zero.
            notes.dropped.append({"uid": uid, "text": entity["text"], "tag": tag})
            continue
        pairs.append((entity["text"], tag))
    tags, alignments = ner_align.tag_tokens(tokens, pairs, multi_label=multi_label)
    for alignment, (_, tag) in zip(alignments, pairs):
        notes.alignment[alignment.status] += 1
        if alignment.status == "not_found":
            notes.not_found.append({"uid": uid, "text": alignment.text, "tag": tag})
    return tags


def build_predictions(task: TaskDefinition, folder: TaskFolder, records: list[Record]
                      ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One prediction per test uid, in test order, and the notes on how each was made."""
    label_name = folder.label_name
    fields = task.dragon.fields
    field_name = label_name.removesuffix("_target")
    by_id = {r.id: r for r in records}
    notes = _Notes()
    columns = [_training_column(folder, len(fields), j) for j in range(len(fields))]
    vocabularies, frequent, prevalence, fills = [], [], [], []
    all_numbers = [v for c in columns for v in c if _is_number(v)]
    for j, column in enumerate(columns):
        vocabulary = sorted({v for v in column if isinstance(v, str)})
        if not vocabulary and task.field(fields[j]).type == "enum":
            vocabulary = list(task.field(fields[j]).values)
        vocabularies.append(vocabulary)
        counts = Counter(v for v in column if v in vocabulary)
        frequent.append(min(counts, key=lambda v: (-counts[v], v)) if counts
                        else (vocabulary or [""])[0])
        flags = [v for v in column if isinstance(v, bool)]
        prevalence.append(sum(flags) / len(flags) if flags else 0.5)
        numbers = [v for v in column if _is_number(v)] or all_numbers
        fills.append(float(median(numbers)) if numbers else 0.0)
    ner_types = set()
    if label_name in NER_LABELS:
        for row in folder.training:
            for token in row.get(label_name) or []:
                ner_types.update(t[2:] for t in ([token] if isinstance(token, str) else token)
                                 if t != "O")
    per_field = range(len(fields))
    rows = []
    for row in folder.test:
        uid = row["uid"]
        record = by_id.get(uid)
        if label_name in BIN_LABELS:
            values = [_binary(record, fields[j], prevalence[j], uid, notes) for j in per_field]
        elif label_name in MC_LABELS:
            values = [_label(record, fields[j], vocabularies[j], frequent[j], uid, notes)
                      for j in per_field]
        elif label_name in REG_LABELS:
            values = [_number(record, fields[j], fills[j], uid, notes) for j in per_field]
        else:
            values = [_ner(task, record, _tokens(row, f"uid {uid}"), ner_types,
                           label_name == ML_NER, uid, notes)]
        value = values if label_name in (ML_BIN, ML_MC, ML_REG) else values[0]
        rows.append({"uid": uid, field_name: value})
    _validate(folder, rows, field_name, len(fields),
              vocabularies if label_name in MC_LABELS else None)
    return rows, notes.as_json(folder, task)


def _validate(folder: TaskFolder, rows: list[dict], field_name: str, n_fields: int,
              vocabularies: list[list[str]] | None) -> None:
    """What the evaluator would refuse, refused here before anything is written."""
    dragon_task = get_task(folder.task_name)
    problems = []
    for row, test in zip(rows, folder.test):
        value = row[field_name]
        if folder.label_name in NER_LABELS:
            stand_in: Any = ["O"] * len(test["text_parts"])
        elif folder.label_name in (ML_BIN, ML_MC, ML_REG):
            stand_in = [None] * n_fields
        else:
            stand_in = None
        problem = value_problem(dragon_task, value, stand_in)
        scores = value if isinstance(value, list) else [value]
        if not problem and folder.label_name in BIN_LABELS and not all(
                0.0 <= s <= 1.0 for s in scores):
            problem = "a score outside [0, 1]"
        if not problem and folder.label_name in REG_LABELS and any(s is None for s in scores):
            problem = "a null number"
        if not problem and vocabularies is not None and not all(
                v in vocab for v, vocab in zip(scores, vocabularies)):
            problem = "a label outside the training labels"
        if problem:
            problems.append(f"{row['uid']}: {problem}")
    if [r["uid"] for r in rows] != [t["uid"] for t in folder.test]:
        problems.append("the uids differ from the test set")
    if problems:
        raise DragonError(f"{folder.path.name}: the predictions would not score: "
                          f"{shorten(problems, 5, sep='; ')}")


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
        task_sha256=task_sha256(task), inputs=[str((folder.path / TEST_FILE).resolve())],
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
    facts = model_facts(model_path)
    reuse: dict[tuple, tuple[str, list[Record]]] = {}
    results = []
    for f, t in zip(folders, tasks):
        if should_stop and should_stop():
            break
        results.append(run_task_folder(f, t, model_path, facts, out, options, reuse=reuse,
                                       on_status=on_status, on_progress=on_progress,
                                       should_stop=should_stop))
    return results
