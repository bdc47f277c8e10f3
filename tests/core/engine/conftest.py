"""Shared set-up for the decoder tests: decoders on the suite's models, requests built the way
the pipeline will build them (extraction/context.py's prompt_parts, the task's GBNF, an
AnswerGuard, the bool/enum decisions), and the check every answer must pass."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from pluk.core.engine.answer_guard import AnswerGuard
from pluk.core.engine.decoder import Decoder, DecoderOptions
from pluk.core.engine.grammar import schema_to_gbnf
from pluk.core.engine.protocol import (DecisionSpec, ExtractRequest, ExtractResult, GrammarSpec,
                                       PreparedPrompt)
from pluk.core.extraction.answer_parse import parse_answer
from pluk.core.extraction.context import output_token_budget, prompt_parts
from pluk.core.extraction.loop import decimal_keys
from pluk.core.extraction.scoring import option_forms
from pluk.core.readers.reports import Report
from pluk.core.tasks import TaskDefinition, json_schema, load_task, validate_answer
from pluk.core.tasks.loader import parse_task
from tests.support.english_mri import reports as english_reports

# Two threads stall badly on this shared machine (DESIGN.md); every test decodes with one.
ONE_THREAD = dict(n_threads=1, n_threads_batch=1)

LIST_TASK = {
    "id": "findings_list", "title": "Findings", "language": "en",
    "description": "List the findings of the report.",
    "fields": [
        {"name": "findings", "type": "list", "max_items": 3,
         "items": {"type": "string", "max_length": 12}},
        {"name": "count", "type": "int", "minimum": 0, "maximum": 20},
        {"name": "urgent", "type": "bool"},
    ],
}


def prostate_task() -> TaskDefinition:
    return load_task("prostate_mri_nl")


def list_task() -> TaskDefinition:
    return parse_task(LIST_TASK, "test")


def make_decoder(model: Path, **options) -> Decoder:
    settings = dict(n_ctx=4096, **ONE_THREAD)
    settings.update(options)
    return Decoder(model, DecoderOptions(**settings))


def build_requests(decoder: Decoder, task: TaskDefinition, reports: Iterable[Report], *,
                   max_tokens: int | None = None, time_limit: float | None = None,
                   guard: bool = True, decisions: bool = True,
                   ) -> tuple[PreparedPrompt, list[ExtractRequest]]:
    parts = prompt_parts(task, decoder)
    schema = json_schema(task)
    grammar = GrammarSpec(schema_to_gbnf(schema))
    budget = output_token_budget(schema) if max_tokens is None else max_tokens
    specs = [DecisionSpec(key=spec.name, options=option_forms(spec))
             for spec in task.fields if decisions and option_forms(spec) is not None]
    floats = decimal_keys(task.fields)
    requests = []
    for report in reports:
        requests.append(ExtractRequest(
            id=report.id, tokens=decoder.tokenize(report.text) + parts.suffix_tokens,
            grammar=grammar, max_tokens=budget, time_limit=time_limit,
            guard=_guard_factory(decoder, report.text, floats) if guard else None,
            decisions=specs))
    return decoder.prepare(parts.prefix_tokens), requests


def _guard_factory(decoder: Decoder, text: str, floats: set[str]):
    return lambda: AnswerGuard(decoder.token_classes, text, floats)


def run_all(decoder: Decoder, task: TaskDefinition, reports: list[Report], **kwargs,
            ) -> dict[str, ExtractResult]:
    prompt, requests = build_requests(decoder, task, reports, **kwargs)
    return {result.id: result for result in decoder.extract(prompt, requests)}


def check_answer(task: TaskDefinition, result: ExtractResult):
    """A finished answer parses in the grammar's language and validates field by field."""
    assert result.finish_reason == "stop", (result.finish_reason, result.error, result.text)
    parsed = parse_answer(result.text)
    notes: list[str] = []
    fields, errors = validate_answer(task, parsed.value, notes)
    assert set(fields) == {spec.name for spec in task.fields}
    assert all(fields[name] is None for name in errors)
    return parsed, fields, errors


def answered_option(spec, value) -> str:
    if value is None:
        return "null"
    return str(value).lower() if spec.type == "bool" else value


@pytest.fixture(scope="session")
def reports() -> list[Report]:
    return english_reports()
