"""An extraction job from start to finish: inputs, model, run folder, engine, records, exports.

The CLI's `pluk extract` and the GUI's Run button both call run_job; it owns the order of the
steps and the manifest, so both write identical run folders.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from pluk.core.runs import export
from pluk.core.engine.llama import EngineOptions, LlamaEngine, engine_versions
from pluk.core.models.gguf_info import GGUFInfo, file_sha256, read_gguf_info
from pluk.core.extraction.context import plan_context
from pluk.core.extraction.loop import RunOptions, run_extraction
from pluk.core.progress import Progress
from pluk.core.extraction.prompt import prompt_template_facts
from pluk.core.runs.records import Record
from pluk.core.readers.reports import Report
from pluk.core.runs.folder import ModelFacts, RunFolder, RunManifest, check_writable
from pluk.core.tasks import TaskDefinition, task_sha256


class JobResult(BaseModel):
    run_dir: str
    status: str
    counts: dict[str, int]
    exports: list[str]
    n_ctx: int


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
    on_status: Callable[[str], None] | None = None,
    on_hash_progress: Callable[[int, int], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_record: Callable[[Record], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> JobResult:
    say = on_status or (lambda _msg: None)
    check_writable(out_dir)
    say("Checking the model file")
    info = read_gguf_info(model_path)
    # Rendered once before anything slow, and before llama-cpp-python compiles the template
    # while loading the model (where a broken one is a raw Jinja traceback): a template error
    # is one line naming the model file, and the manifest says which template ran and whether
    # the instructions were folded. The fold depends on the roles, not on the special tokens.
    template = prompt_template_facts(task, info.chat_template, model_name=model_path.name)
    facts = model_facts(model_path, on_hash_progress, info=info)
    manifest = RunManifest(
        engine=engine_versions(), model=facts, task=task.model_dump(mode="json"),
        task_sha256=task_sha256(task), chat_template=template,
        options=options.model_dump(mode="json"), inputs=inputs or [])
    folder = RunFolder.start(out_dir, manifest, resume=resume)
    status = "failed"
    try:
        say("Counting tokens")
        tokenizer = LlamaEngine(model_path, vocab_only=True)
        try:
            plan = plan_context(task, reports, tokenizer, options.ctx_cap)
        finally:
            tokenizer.close()
        manifest = folder.read_manifest()
        manifest.options = {**manifest.options, "context_plan": plan.model_dump()}
        folder.write_manifest(manifest)
        say(f"Loading the model (context {plan.n_ctx} tokens)")
        engine_options = EngineOptions(n_ctx=plan.n_ctx, n_threads=options.n_threads,
                                       n_gpu_layers=options.n_gpu_layers, seed=options.seed,
                                       temperature=options.temperature,
                                       reuse_prefix=options.reuse_prefix)
        with LlamaEngine(model_path, engine_options) as engine:
            for record in run_extraction(task, reports, engine, options,
                                         on_progress=on_progress, should_stop=should_stop,
                                         skip=folder.already_done()):
                folder.append(record)
                if on_record:
                    on_record(record)
        status = "cancelled" if should_stop and should_stop() else "finished"
    finally:
        final = folder.finish(status)
    files = write_exports(folder, task, delimiter=delimiter)
    return JobResult(run_dir=str(folder.path), status=status, counts=final.counts,
                     exports=[str(f) for f in files], n_ctx=plan.n_ctx)

