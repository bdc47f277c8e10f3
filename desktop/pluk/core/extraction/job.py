"""An extraction job from start to finish: inputs, model (or server), run folder, engine, records,

`pluk extract`, the window's Run button, `pluk dragon run` and the self-test all call run_job;
it owns the order of the steps and the manifest, so every run folder is written the same way.
DRAGON adds its own parts through the arguments: few-shot examples chosen per report, its own
manifest section, and the answers of an earlier fold with the same test set.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pluk.core.engine.decoder import Decoder
from pluk.core.engine.keeper import DecoderKeeper
from pluk.core.engine.model import Model
from pluk.core.engine.native import engine_versions
from pluk.core.engine.protocol import Engine
from pluk.core.extraction.context import ContextPlan, ReportTokens, plan_context
from pluk.core.extraction.decoder_choice import decoder_options, gpu_room
from pluk.core.extraction.loop import run_extraction
from pluk.core.extraction.prompt import prompt_template_facts
from pluk.core.extraction.thinking_plan import thinking_plan
from pluk.core.extraction.server_setup import (connect_server, served_model_facts,
                                               server_versions)
from pluk.core.errors import storage_error
from pluk.core.models.gguf_info import GGUFInfo, file_sha256, read_gguf_info
from pluk.core.models.load_probe import check_loads
from pluk.core.options import RunOptions
from pluk.core.privacy.runs import MappedFolder, RunPseudonymiser, manifest_entry
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


def write_exports(folder: RunFolder, task: TaskDefinition, *, delimiter: str = ",",
                  decimal: str = ".", booleans: tuple[str, str] = ("yes", "no")) -> list[Path]:
    records = folder.records()
    try:
        return [
            export.write_csv(folder.path / "results.csv", task, records, delimiter=delimiter,
                             decimal=decimal, booleans=booleans),
            export.write_json(folder.path / "results.json", task, records),
            export.write_xlsx(folder.path / "results.xlsx", task, records),
        ]
    except OSError as exc:
        raise storage_error(exc, f"cannot write the exports (results.*) in {folder.path}",
                            "free some space, then run it again with --resume to write them"
                            ) from None


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
    model_path: Path | None,
    out_dir: Path,
    options: RunOptions,
    *,
    resume: bool = False,
    retry_errors: bool = False,
    inputs: list[str] | None = None,
    delimiter: str = ",",
    decimal: str = ".",
    booleans: tuple[str, str] = ("yes", "no"),
    choose_examples: Callable[[Report], list[Example]] | None = None,
    manifest_options: dict[str, Any] | None = None,
    reuse_records: list[Record] | None = None,
    checked: CheckedModel | None = None,
    on_status: Callable[[str], None] | None = None,
    on_hash_progress: Callable[[int, int], None] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_record: Callable[[Record], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    keeper: DecoderKeeper | None = None,
) -> JobResult:
    """Run `task` over `reports` into the run folder `out_dir`, and export the results.

    `choose_examples(report)` gives each report its own few-shot examples; `manifest_options`
    adds sections to the manifest's options (DRAGON's "dragon"); `reuse_records` are answers
    already made for these reports (an earlier fold's), appended before anything runs, and
    they count toward the limit; `checked` is the model file, checked before; `keeper` keeps
    the loaded model for the next run (the window's). With nothing left to run the model is
    not loaded. `retry_errors` (with resume) redoes the reports whose
    record is an error; their new records supersede the old ones. The exports are written
    before the manifest says "finished"; a failed export makes the run "failed"."""
    say = on_status or (lambda _msg: None)
    check_writable(out_dir)
    # A server (options.server) answers instead of a model file: no file to check or hash.
    server = connect_server(options, say) if options.server is not None else None
    if server is not None:
        template, facts, versions = None, served_model_facts(server), server_versions(server)
    else:
        template, facts = _check_local_model(task, model_path, checked, say, on_hash_progress)
        versions = engine_versions()
    saved = options.model_dump(mode="json")
    if server is not None:
        saved["server"]["url"] = server.info.url  # without credentials
    # Checked (deduce installed) before the run folder opens; loaded when reports run.
    privacy = manifest_entry(options.pseudonymises(), server=server is not None,
                             asked=options.privacy.pseudonymise)
    manifest = RunManifest(
        engine=versions, model=facts, task=task.model_dump(mode="json"),
        task_sha256=task_sha256(task), chat_template=template,
        options={**saved, **(manifest_options or {}), "pseudonymisation": privacy},
        inputs=inputs or [])
    folder = RunFolder.start(out_dir, manifest, resume=resume, retry_errors=retry_errors)
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
        skip = folder.already_done(retry_errors=retry_errors)
        if _left_to_run(reports, skip, options):
            target, reports, on_record = _pseudonymised(folder, reports, skip, options,
                                                         say, on_record)
            if server is None:
                n_ctx = _run_model(task, reports, model_path, target, options, skip,
                                   choose_examples, say, on_progress, on_record, should_stop,
                                   keeper)
            else:
                say(f"Sending the reports to the server, {server.concurrency} at a time")
                _append_records(task, reports, server, target, options, skip, choose_examples,
                                on_progress, on_record, should_stop)
                n_ctx = server.info.n_ctx
        elif on_progress:
            on_progress(ProgressTracker(total=0).snapshot())  # as a run would: none to do
        stopped = should_stop and should_stop()
        files = write_exports(folder, task, delimiter=delimiter, decimal=decimal,
                              booleans=booleans)
        status = "cancelled" if stopped else "finished"
    finally:
        final = folder.finish(status)
    return JobResult(run_dir=str(folder.path), status=status, counts=final.counts,
                     exports=[str(f) for f in files], n_ctx=n_ctx)


def _pseudonymised(folder: RunFolder, reports: list[Report], skip: Callable[[Report], bool],
                   options: RunOptions, say: Callable[[str], None],
                   on_record: Callable[[Record], None] | None):
    """With --pseudonymise: the reports as the model sees them, and the folder and on_record
    the loop writes to, which map each record back onto the original text (privacy/runs.py).
    Without it: all three as they were."""
    if not options.pseudonymises():
        return folder, reports, on_record
    say("Pseudonymising the reports")
    privacy = RunPseudonymiser()
    seen = privacy.reports(reports, skip)
    manifest = folder.read_manifest()
    manifest.options["pseudonymisation"]["replaced"] = privacy.counts()
    folder.write_manifest(manifest)
    mapped = None if on_record is None else (lambda record: on_record(privacy.record(record)))
    return MappedFolder(folder, privacy.record), seen, mapped


def _check_local_model(task: TaskDefinition, model_path: Path, checked: CheckedModel | None,
                       say: Callable[[str], None],
                       on_hash_progress: Callable[[int, int], None] | None):
    """The model file's chat template facts and manifest facts (its sha256), checked before
    the run folder opens."""
    if checked is None:
        say("Checking the model file")
    info = checked.info if checked else read_gguf_info(model_path)
    # Rendered once before anything slow (hashing the model file, too): a template error is
    # one line naming the model file, and the manifest says which template ran and whether the
    # instructions were folded. The fold depends on the roles, not on the special tokens.
    template = prompt_template_facts(task, info.chat_template, model_name=model_path.name)
    facts = checked.facts if checked else model_facts(model_path, on_hash_progress, info=info)
    check_loads(model_path, facts.sha256)  # a file llama.cpp aborts on never gets a run folder
    return template, facts


def _run_model(task: TaskDefinition, reports: list[Report], model_path: Path, folder: RunFolder,
               options: RunOptions, skip: Callable[[Report], bool],
               choose_examples: Callable[[Report], list[Example]] | None,
               say: Callable[[str], None], on_progress: Callable[[Progress], None] | None,
               on_record: Callable[[Record], None] | None,
               should_stop: Callable[[], bool] | None,
               keeper: DecoderKeeper | None = None) -> int:
    """Plan the context, load the model (or take the keeper's) and append a record per
    report; returns n_ctx."""
    held = keeper.held(model_path) if keeper is not None else None
    loaded = None
    if held is None:
        # The weights, loaded once: the plan counts tokens with them and the decoder takes
        # them over (a kept decoder of another context loads anew, as it must). A kept
        # decoder of another file goes first: never two models in memory at once.
        if keeper is not None:
            keeper.close()
        say("Loading the model")
        loaded = Model(model_path, vocab_only=False,
                       n_gpu_layers=options.hardware.n_gpu_layers)
    try:
        say("Counting tokens")
        tokens = ReportTokens()  # counted once, for the plan and the run
        thinking = thinking_plan(task, options, held or loaded)
        plan = plan_context(task, reports, held or loaded, options.context.ctx_cap,
                            choose_examples, tokens, thinking)
        room = (gpu_room(model_path, plan.n_ctx)
                if options.hardware.n_gpu_layers and not options.hardware.parallel else None)
        wanted = decoder_options(options, plan.n_ctx, room)
        if keeper is None:
            with Decoder(model_path, wanted, loaded=loaded) as engine:
                _say_fallback(engine, say)
                _append_records(task, reports, engine, folder, options, skip, choose_examples,
                                on_progress, on_record, should_stop, plan, tokens)
            return plan.n_ctx
        # Said once: a decoder that takes over `loaded` loads nothing more.
        reload = None if loaded is not None else (
            lambda: say(f"Loading the model (context {plan.n_ctx} tokens)"))
        engine, was_loaded = keeper.get(model_path, wanted, loaded=loaded, on_load=reload)
    finally:
        if loaded is not None:
            loaded.close()  # a no-op once a decoder took it over
    if not was_loaded:
        say(f"Using the loaded model (context {plan.n_ctx} tokens)")
    _say_fallback(engine, say)
    _append_records(task, reports, engine, folder, options, skip, choose_examples,
                    on_progress, on_record, should_stop, plan, tokens)
    return plan.n_ctx


def _say_fallback(engine: Decoder, say: Callable[[str], None]) -> None:
    """A model the engine runs another way than its default (the load probe saw the default
    crash) is said in the status line, as the manifest's engine_facts.fallback records it."""
    fallback = engine.probe.fallback_text()
    if fallback:
        say(f"The model runs {fallback}")


def _append_records(task: TaskDefinition, reports: list[Report], engine: Engine,
                    folder: RunFolder, options: RunOptions, skip: Callable[[Report], bool],
                    choose_examples: Callable[[Report], list[Example]] | None,
                    on_progress: Callable[[Progress], None] | None,
                    on_record: Callable[[Record], None] | None,
                    should_stop: Callable[[], bool] | None, plan: ContextPlan | None = None,
                    tokens: ReportTokens | None = None) -> None:
    """Run the reports on `engine` (the local decoder or a server), appending each record as
    it finishes. What the run learnt of its engine (its facts, the context plan of a local
    model) goes into the manifest here, once, before the first record."""
    manifest = folder.read_manifest()
    if plan is not None:
        manifest.options = {**manifest.options, "context_plan": plan.model_dump()}
    manifest.engine_facts = engine.facts().model_dump(mode="json")
    folder.write_manifest(manifest)
    with closing(run_extraction(task, reports, engine, options, on_progress=on_progress,
                                should_stop=should_stop, skip=skip,
                                choose_examples=choose_examples, held=tokens)) as records:
        for record in records:
            folder.append(record)
            if on_record:
                on_record(record)
