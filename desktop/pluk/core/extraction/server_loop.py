"""The server path of a run: reports answered by an inference server (engine/server.py) instead
of the local model, and what the manifest records of it.

run_job calls connect_server before the run folder opens (the manifest needs the server's
facts) and run_on_server to answer the reports. Each report becomes an ExtractRequest with the
chat messages (prompt.messages_for, so the server renders them with its own chat template), the
task's JSON schema and Pluk's grammar, and the decisions to read; each result becomes a record
by loop.answer_record, the very function the local path uses. Records come in the order the
reports finish, each with its report's input_index (readers and exports give them back in input
order); a report without text is an error record at once and never goes to the server. There is no local tokenizer, so
a report too long for the server's context is the server's refusal, in its error record.
--time-limit bounds each request's whole life (its retries included), as it bounds a local
answer; the record's time_limit_s is that limit (or, without one, the server timeout).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pluk.core.engine.grammar import schema_to_gbnf
from pluk.core.engine.protocol import DecisionSpec, ExtractRequest, GrammarSpec
from pluk.core.engine.server import ServerEngine, ServerResult
from pluk.core.engine.server_http import ServerInfo, strip_credentials
from pluk.core.errors import CancelledError
from pluk.core.extraction.context import output_token_budget
from pluk.core.extraction.loop import RecordCounter, error_record, record_from_result
from pluk.core.extraction.prompt import messages_for
from pluk.core.extraction.scoring import decision_specs
from pluk.core.options import RunOptions
from pluk.core.progress import Progress, ProgressTracker
from pluk.core.readers.reports import Report
from pluk.core.runs.folder import ModelFacts, RunFolder
from pluk.core.runs.records import Record
from pluk.core.tasks import TaskDefinition, json_schema
from pluk.core.tasks.definition import Example


def connect_server(options: RunOptions, say: Callable[[str], None]) -> ServerEngine:
    """The run's server engine, connected: what it serves is known (ServerError if it cannot
    be used)."""
    engine = ServerEngine(options.server, options.decoding)
    say(f"Connecting to {strip_credentials(engine.options.url)}")
    info = engine.connect()
    say(f"The server ({info.variant}) serves {info.model}")
    return engine


def served_model_facts(engine: ServerEngine) -> ModelFacts:
    """The manifest's model: the served model's name and the server's URL (no credentials),
    with everything the server said of them and every request option. A resumed run must
    meet the same served model: its identity stands in the sha256 (a digest where the server
    gives one)."""
    info: ServerInfo = engine.info
    entry = next((m for m in info.models if m.get("id") == info.model), {})
    digest = next((str(entry[k]) for k in ("digest", "sha256") if entry.get(k)), None)
    return ModelFacts(path=f"{info.url} {info.model}", size_bytes=0,
                      sha256=digest or f"served:{info.model}",
                      metadata={"server": info.model_dump(mode="json"),
                                "request": engine.request_options(),
                                "concurrency": engine.concurrency})


def server_versions(engine: ServerEngine) -> dict[str, str]:
    from pluk import __version__

    info = engine.info
    return {"pluk": __version__, "engine": f"openai-compatible server ({info.variant})",
            "server_version": info.version or "unknown"}


def _request(task: TaskDefinition, report: Report, key: str, engine: ServerEngine,
             schema: dict, gbnf: str, budget: int, decisions: list[DecisionSpec],
             examples: list[Example] | None, time_limit: float | None) -> ExtractRequest:
    return ExtractRequest(id=key, tokens=[], grammar=GrammarSpec(gbnf=gbnf),
                          max_tokens=engine.max_tokens(budget), decisions=decisions,
                          time_limit=time_limit,
                          messages=messages_for(task, report.text, examples or None),
                          schema=schema)


def _record(task: TaskDefinition, report: Report, result: ServerResult, timeout: float
            ) -> Record:
    return record_from_result(task, report, result, list(report.warnings) + result.warnings,
                              dict(token_limit=result.token_limit, time_limit_s=timeout),
                              failed_by="server")


def run_server_extraction(
    task: TaskDefinition,
    reports: list[Report],
    engine: ServerEngine,
    options: RunOptions,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    skip: Callable[[Report], bool] | None = None,
    choose_examples: Callable[[Report], list[Example]] | None = None,
) -> Iterator[Record]:
    """Yield one record per report as each finishes, as run_extraction does (with its
    input_index); a stop ends the run with no record for the reports in flight."""
    stop = should_stop or (lambda: False)
    todo = [(i, r) for i, r in enumerate(reports) if not (skip and skip(r))]
    if options.reading.limit is not None:
        todo = todo[: options.reading.limit]
    tracker = ProgressTracker(total=len(todo))
    if on_progress:
        on_progress(tracker.snapshot())
    schema = json_schema(task)
    gbnf, budget = schema_to_gbnf(schema), output_token_budget(schema)
    decisions = decision_specs(task) if options.decoding.probabilities else []
    time_limit = options.decoding.time_limit
    timeout = time_limit or engine.options.timeout_s
    counted = RecordCounter(tracker, on_progress)

    readable: dict[str, tuple[int, Report]] = {}
    for index, report in todo:
        if report.error is not None or report.text is None:
            yield counted(error_record(report, report.error or "The report has no text"), index)
        else:
            readable[str(index)] = (index, report)
    if stop():
        return

    def requests() -> Iterator[ExtractRequest]:
        for key, (_index, report) in readable.items():
            examples = choose_examples(report) if choose_examples is not None else task.examples
            yield _request(task, report, key, engine, schema, gbnf, budget, decisions,
                           examples, time_limit)

    try:
        for result in engine.extract(engine.prepare([]), requests(), should_stop=stop):
            index, report = readable[result.id]
            yield counted(_record(task, report, result, timeout), index)
    except CancelledError:
        return


def run_on_server(engine: ServerEngine, task: TaskDefinition, reports: list[Report],
                  folder: RunFolder, options: RunOptions, skip: Callable[[Report], bool],
                  choose_examples: Callable[[Report], list[Example]] | None,
                  say: Callable[[str], None], on_progress: Callable[[Progress], None] | None,
                  on_record: Callable[[Record], None] | None,
                  should_stop: Callable[[], bool] | None) -> int | None:
    """run_job's server step: append a record per report as each finishes; returns the
    server's context size where it says it."""
    say(f"Sending the reports to the server, {engine.concurrency} at a time")
    for record in run_server_extraction(task, reports, engine, options, on_progress=on_progress,
                                        should_stop=should_stop, skip=skip,
                                        choose_examples=choose_examples):
        folder.append(record)
        if on_record:
            on_record(record)
    return engine.info.n_ctx
