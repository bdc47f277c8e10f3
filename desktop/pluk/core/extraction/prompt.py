"""Builds the chat messages for one report; chat_template.py renders them with the model's
own chat template.

The fixed part (instructions, the task, a field guide naming every field's type, allowed values,
unit and meaning, and any worked examples) comes first and the report last, so llama.cpp
evaluates the shared prefix once per run and only the report for each following one.

The fixed part never holds a NUL character (`system_prompt` drops any that task text brings):
context.py finds where the report goes by a marker made of NULs, so no task title, description,
instruction, field description or example can spell the marker and move the report into the
instructions. A NUL means nothing in a prompt, so nothing the model should read is lost.
"""

from __future__ import annotations

import json
from typing import Any

from pluk.core.extraction.chat_template import FALLBACK_TEMPLATE, PromptRenderer, TemplateFacts
from pluk.core.tasks.definition import Example, TaskDefinition

# Rendering lives in chat_template.py; these names stay importable from here.
__all__ = ["FALLBACK_TEMPLATE", "PromptRenderer", "TemplateFacts", "field_guide", "messages_for",
           "prompt_template_facts", "system_prompt"]

# Never in the fixed part of a prompt: the report marker (context.py) is made of it.
NUL = "\x00"

_LANGUAGES = {"nl": "Dutch", "en": "English", "de": "German", "fr": "French"}

_RULES = (
    "You extract structured data from clinical reports. Reply with one JSON object that "
    "follows the field guide exactly: every field, in the given order, nothing else. "
    "Use only what the report states. When the report does not give a value and the field "
    "may be null, answer null; never guess or fill in a typical value."
)


def _type_phrase(spec: Any) -> str:
    kind = spec.type
    if kind == "bool":
        text = "true or false"
    elif kind == "int":
        text = "whole number"
    elif kind == "float":
        text = "number"
    elif kind == "string":
        text = f"text, at most {spec.max_length} characters"
    elif kind == "enum":
        text = "one of " + ", ".join(json.dumps(v, ensure_ascii=False) for v in spec.values)
    elif kind == "list":
        text = f"list of at most {spec.max_items} items, each {_type_phrase(spec.items)}"
    else:
        text = "object with the fields below"
    # A number's bounds are not in the guide: they are sanity limits for validation, not facts
    # about the report, and a small model copies them. Gemma 3 270M answered "psa": 10000 (the
    # maximum it read here) for 9 of 14 English MRI reports; without them 14 of 14 were right.
    if spec.unit:
        text += f", in {spec.unit}"
    if spec.optional:
        text += "; null if not stated"
    return text


def _guide_lines(fields: list[Any], indent: str = "") -> list[str]:
    lines = []
    for spec in fields:
        line = f"{indent}- {spec.name} ({_type_phrase(spec)})"
        if spec.description:
            line += f": {spec.description}"
        lines.append(line)
        inner = spec.items if spec.type == "list" else spec
        if inner.type == "object":
            lines += _guide_lines(inner.fields, indent + "    ")
    return lines


def field_guide(task: TaskDefinition) -> str:
    return "\n".join(_guide_lines(task.fields))


def system_prompt(task: TaskDefinition, examples: list[Example] | None = None) -> str:
    language = _LANGUAGES.get(task.language, task.language)
    parts = [
        _RULES,
        f"Task: {task.title}\n{task.description}",
        f"The reports are written in {language}; keep quoted text in the report's language.",
    ]
    if task.instructions:
        parts.append(task.instructions)
    parts.append("Field guide:\n" + field_guide(task))
    for number, example in enumerate(examples or [], start=1):
        answer = json.dumps(example.answer, ensure_ascii=False)
        parts.append(f"Example {number}\nReport:\n{example.text}\nAnswer:\n{answer}")
    return "\n\n".join(parts).replace(NUL, "")


def messages_for(task: TaskDefinition, report_text: str,
                 examples: list[Example] | None = None) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": system_prompt(task, examples)},
        {"role": "user", "content": f"Report:\n{report_text}"},
    ]


def prompt_template_facts(task: TaskDefinition, chat_template: str | None, bos_token: str = "",
                          eos_token: str = "", *, model_name: str | None = None
                          ) -> TemplateFacts:
    """Render the task's prompt once and say which template ran and whether the instructions
    had to move into the user message; raises ChatTemplateError naming the model if the
    template cannot be used. A run calls it before loading the model, for its manifest."""
    renderer = PromptRenderer(chat_template, bos_token, eos_token, model_name=model_name)
    renderer.render(messages_for(task, "", task.examples or None))
    return renderer.facts
