"""Option probabilities: how sure the model was of each bool and enum answer.

A task's top-level bool and enum fields become DecisionSpecs: the texts the grammar lets the
model write each option as. The engine reads the model's own distribution (before the grammar)
at the moment it writes such a value, scores every option along its tokens as the model would
write it from there (engine/decisions.py) and renormalises over the options (option_tree).

The answer then follows those probabilities (follow_most_probable). Token by token, the
decoder takes the most probable next token, and that need not spell the most probable option:
when an option may be written two ways (a number-like choice bare or quoted: 2 or "2") or its
options start with different tokens and split again later, the greedy path can take the
largest single branch while another option holds more probability over all its forms ("2" bare
0.35 against a quote 0.45 that then splits "1" 0.25 / "2" 0.20: the decoder writes "1", whose
total is 0.25, not 2 at 0.55). The value kept is the most probable option, with a warning
that says what was written, so no probability contradicts a greedy (temperature 0) answer; a
sampled answer keeps its draw.
"""

from __future__ import annotations

import json
from typing import Any

from pluk.core.engine.grammar import NUMBER_LIKE
from pluk.core.engine.protocol import DecisionSpec
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


def decision_specs(task: TaskDefinition) -> list[DecisionSpec]:
    """The decisions whose probabilities a run reads: every top-level bool and enum field."""
    return [DecisionSpec(key=spec.name, options=forms) for spec in task.fields
            if (forms := option_forms(spec)) is not None]


def follow_most_probable(task: TaskDefinition, fields: dict[str, Any],
                         field_errors: dict[str, str],
                         probabilities: dict[str, dict[str, float]]) -> list[str]:
    """Set each scored field whose written value is not its most probable option to that
    option (in place); returns a warning per change. A field that failed validation, or whose
    written value holds the largest probability (ties included), is left as written."""
    warnings = []
    for spec in task.fields:
        options = probabilities.get(spec.name)
        if not options or spec.name in field_errors or spec.name not in fields:
            continue
        written = option_key(spec, fields[spec.name])
        best = max(options, key=options.get)
        if written not in options or options[best] <= options[written]:
            continue
        fields[spec.name] = _option_value(spec, best)
        warnings.append(
            f"{spec.name}: the answer wrote {written}, but {best} was more probable "
            f"({options[best]:.2f} against {options[written]:.2f}, every written form of "
            f"each option counted); {best} is kept")
    return warnings


def option_key(spec: Any, value: Any) -> str:
    if value is None:
        return "null"
    return ("true" if value else "false") if spec.type == "bool" else str(value)


def _option_value(spec: Any, key: str) -> Any:
    if key == "null":
        return None
    return key == "true" if spec.type == "bool" else key
