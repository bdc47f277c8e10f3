"""Option probabilities: how sure the model was of each bool and enum answer.

A task's top-level bool and enum fields become DecisionSpecs: the texts the grammar lets the
model write each option as. The engine reads the model's own distribution (before the grammar)
at the moment it writes such a value, scores every option along its tokens as the model would
write it from there (engine/decisions.py) and renormalises over the options (option_tree).
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
