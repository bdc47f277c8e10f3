"""An extraction job from start to finish: inputs, model, run folder, engine, records, exports.

`pluk extract`, the window's Run button, `pluk dragon run` and the self-test all call run_job;
it owns the order of the steps and the manifest, so every run folder is written the same way.
DRAGON adds its own parts through the arguments: few-shot examples chosen per report, its own
manifest section, and the answers of an earlier fold with the same test set.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pluk.core.engine.llama import LlamaEngine, engine_versions
from pluk.core.extraction.context import plan_context
from pluk.core.extraction.loop import run_extraction
from pluk.core.extraction.prompt import prompt_template_facts
from pluk.core.models.gguf_info import GGUFInfo, file_sha256, read_gguf_info
from pluk.core.options import RunOptions
from pluk.core.progress import Progress, ProgressTracker
from pluk.core.readers.reports import Report
from pluk.core.runs import export
from pluk.core.runs.folder import ModelFacts, RunFolder, RunManifest, check_writable
from pluk.core.runs.records import Record
from pluk.core.tasks import TaskDefinition, task_sha256
from pluk.core.tasks.definition import Example


class JobResult(BaseModel):
    run_dir: str
    status: str
    counts: dict[str, int]
    exports: list[str]
    n_ctx: int | None = None  # None: nothing was left to run, so the model was not loaded


def write_exports(folder: RunFolder, task: TaskDefinition, *, delimiter: str = ",") -> list[Path]:
    records = folder.records()
    return [
        export.write_csv(folder.path / "results.csv", task, records, delimiter=delimiter),
        export.write_json(folder.path / "results.json", task, records),
        export.write_xlsx(folder.path / "results.xlsx", task, records),
    ]


def model_facts(model_path: Path, on_hash_progress: Callable[[int, int], None] | None = None,
                info: GGUFInfo | None = None) -> ModelFacts:
    info = info or read_gguf_info(model_path)
    return ModelFacts(path=str(model_path.resolve()), size_bytes=info.size_bytes,
                      sha256=file_sha256(model_path, on_hash_progress),
                      metadata={**info.model_dump(exclude={"metadata", "chat_template", "path"}),
                                "gguf": info.metadata,
                                "has_chat_template": info.has_chat_template})


class CheckedModel(BaseModel):
    """What a run needs to know of its model file before it starts: the GGUF facts (for the
    chat template) and the manifest's facts (with the file's sha256). A caller that runs one
    model many times (DRAGON's folds) checks it once."""

    info: GGUFInfo
    facts: ModelFacts


def check_model(model_path: Path, on_hash_progress: Callable[[int, int], None] | None = None
                ) -> CheckedModel:
    info = read_gguf_info(model_path)
    return CheckedModel(info=info, facts=model_facts(model_path, on_hash_progress, info=info))


def _left_to_run(reports: list[Report], skip: Callable[[Report], bool],
                 options: RunOptions) -> list[Report]:
    todo = [r for r in reports if not skip(r)]
    limit = options.reading.limit
    return todo if limit is None else todo[:limit]


def run_job(
    task: TaskDefinition,
    reports: list[Report],
    model_path: Path,
    out_dir: Path,
    options: RunOptions,
    *,
    resume: bool = False,
    inputs: list[str] | None = None,
    delimiter: str = ",",
    choose_examples: Callable[[Report], list[Example]] | None = None,
    manifest_options: dict[str, Any] | None = None,
    reuse_records: list[Record] | None = None,
    checked: CheckedModel | None = None,
    on_status: Callable[[str], None] | None = None,
    on_hash_progress: Callable[[int, int], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_record: Callable[[Record], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> JobResult:
    """Run `task` over `reports` into the run folder `out_dir`, and export the results.

    `choose_examples(report)` gives each report its own few-shot examples; `manifest_options`
    adds sections to the manifest's options (DRAGON's "dragon"); `reuse_records` are answers
    already made for these reports (an earlier fold's), appended before anything runs, and
    they count toward the limit; `checked` is the model file, checked before. With nothing
    left to run the model is not loaded."""
    say = on_status or (lambda _msg: None)
    check_writable(out_dir)
    if checked is None:
        say("Checking the model file")
    info = checked.info if checked else read_gguf_info(model_path)
    # Rendered once before anything slow (hashing the model file, too), and before
    # llama-cpp-python compiles the template while loading the model (where a broken one is a
    # raw Jinja traceback): a template error is one line naming the model file, and the
    # manifest says which template ran and whether the instructions were folded. The fold
    # depends on the roles, not on the special tokens.
    template = prompt_template_facts(task, info.chat_template, model_name=model_path.name)
    facts = checked.facts if checked else model_facts(model_path, on_hash_progress, info=info)
    manifest = RunManifest(
        engine=engine_versions(), model=facts, task=task.model_dump(mode="json"),
        task_sha256=task_sha256(task), chat_template=template,
        options={**options.model_dump(mode="json"), **(manifest_options or {})},
        inputs=inputs or [])
    folder = RunFolder.start(out_dir, manifest, resume=resume)
    status = "failed"
    n_ctx = None
    try:
        if reuse_records:
            done = folder.done_keys()
            for record in reuse_records:
                if (record.id, record.sha256) not in done:
                    folder.append(record)
            if options.reading.limit is not None:
                # The reused answers are this run's own: they count toward its limit.
                reading = options.reading.model_copy(
                    update={"limit": max(0, options.reading.limit - len(reuse_records))})
                options = options.model_copy(update={"reading": reading})
        skip = folder.already_done()
        if _left_to_run(reports, skip, options):
            n_ctx = _run_model(task, reports, model_path, folder, options, skip,
                               choose_examples, say, on_progress, on_record, should_stop)
        elif on_progress:
            on_progress(ProgressTracker(total=0).snapshot())  # as a run would: none to do
        status = "cancelled" if should_stop and should_stop() else "finished"
    finally:
        final = folder.finish(status)
    files = write_exports(folder, task, delimiter=delimiter)
    return JobResult(run_dir=str(folder.path), status=status, counts=final.counts,
                     exports=[str(f) for f in files], n_ctx=n_ctx)


def _run_model(task: TaskDefinition, reports: list[Report], model_path: Path, folder: RunFolder,
               options: RunOptions, skip: Callable[[Report], bool],
               choose_examples: Callable[[Report], list[Example]] | None,
               say: Callable[[str], None], on_progress: Callable[[Progress], None] | None,
               on_record: Callable[[Record], None] | None,
               should_stop: Callable[[], bool] | None) -> int:
    """Plan the context, load the model and append a record per report; returns n_ctx."""
    say("Counting tokens")
    with LlamaEngine(model_path, vocab_only=True) as tokenizer:
        plan = plan_context(task, reports, tokenizer, options.context.ctx_cap, choose_examples)
    manifest = folder.read_manifest()
    manifest.options = {**manifest.options, "context_plan": plan.model_dump()}
    folder.write_manifest(manifest)
    say(f"Loading the model (context {plan.n_ctx} tokens)")
    with LlamaEngine(model_path, plan.n_ctx, options.hardware, options.decoding) as engine:
        for record in run_extraction(task, reports, engine, options, on_progress=on_progress,
                                     should_stop=should_stop, skip=skip,
                                     choose_examples=choose_examples):
            folder.append(record)
            if on_record:
                on_record(record)
    return plan.n_ctx
