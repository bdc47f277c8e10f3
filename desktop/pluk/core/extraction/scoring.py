"""Option probabilities: how sure the model was of each bool and enum answer.

Each decision is read at the model's own token boundary before the value, every option scored
as the model would write it from there, and the options renormalised (option_tree).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pluk.core.engine.grammar import NUMBER_LIKE
from pluk.core.engine.llama import LlamaEngine
from pluk.core.extraction.answer_parse import Span
from pluk.core.tasks import TaskDefinition

def option_forms(spec: Any) -> dict[str, list[str]] | None:
    """The answer options of a bool or enum field: key -> the texts the grammar lets a model
    write it as (a number-like choice also bare: "4" or 4)."""
    if spec.type == "bool":
        options = {"true": ["true"], "false": ["false"]}
    elif spec.type == "enum":
        options = {}
        for value in spec.values:
            options[value] = [json.dumps(value, ensure_ascii=False)]
            if NUMBER_LIKE.match(value):
                options[value].append(value)
    else:
        return None
    if spec.optional:
        options["null"] = ["null"]
    return options


def field_probabilities(task: TaskDefinition, engine: LlamaEngine, prompt_tokens: list[int],
                        raw: str, spans: dict[str, Span], output_tokens: list[int],
                        should_stop: Callable[[], bool]) -> dict[str, dict[str, float]]:
    """For each top-level bool/enum field: the probability of every allowed option at the point
    where the model chose, given the prompt and its answer so far. These are the model's own
    token probabilities renormalised over the options, not the grammar-masked sample.

    The decision is read after the last whole token the model generated before the value, and
    each option is scored as the model would write it from there (' true' is one token in BPE
    vocabularies); the option the model answered is scored along the very tokens it wrote."""
    scored: dict[str, dict[str, float]] = {}
    # Last field first: after generation the KV cache holds the whole answer, so each field's
    # context is a prefix of what is cached and costs one token, not the answer between fields.
    fields = [s for s in task.fields if option_forms(s) is not None and s.name in spans]
    for spec in sorted(fields, key=lambda s: spans[s.name].start, reverse=True):
        span = spans[spec.name]
        used, lead, after = engine.token_boundary(output_tokens, raw, span.start)
        before = raw[:span.start - len(lead)]
        written = raw[span.start:span.end]
        keys, sequences = [], []
        for key, forms in option_forms(spec).items():
            for form in forms:
                sequence = engine.continuation_tokens(before, lead + form)
                if form == written:
                    own = _covering(engine, after, lead + form)
                    sequence = own or sequence
                keys.append(key)
                sequences.append(sequence)
        probs = engine.option_probabilities(prompt_tokens + output_tokens[:used], sequences,
                                            should_stop)
        totals: dict[str, float] = {}
        for key, p in zip(keys, probs):
            totals[key] = totals.get(key, 0.0) + p
        scored[spec.name] = totals
    return {s.name: scored[s.name] for s in fields}


def _covering(engine: LlamaEngine, tokens: list[int], text: str) -> list[int] | None:
    """The leading generated tokens that write exactly `text`, if a token boundary falls at
    its end."""
    target = text.encode("utf-8")
    used, done = engine.leading_tokens(tokens, target)
    return tokens[:used] if used and done == target else None
