"""Builds the chat prompt for one report with the model's own chat template.

The fixed part (instructions, the task, a field guide naming every field's type, allowed values,
unit and meaning, and any worked examples) comes first and the report last, so llama.cpp
evaluates the shared prefix once per run and only the report for each following one.
"""

from __future__ import annotations

import json
from typing import Any

from pluk.core.tasks.definition import Example, TaskDefinition

# A model without a chat template still gets a usable, plainly delimited prompt.
FALLBACK_TEMPLATE = (
    "{% for message in messages %}### {{ message['role'] | capitalize }}\n"
    "{{ message['content'] }}\n\n{% endfor %}"
    "{% if add_generation_prompt %}### Assistant\n{% endif %}"
)

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
    if kind in ("int", "float"):
        bounds = []
        if spec.minimum is not None:
            bounds.append(f">= {spec.minimum}")
        if spec.maximum is not None:
            bounds.append(f"<= {spec.maximum}")
        if bounds:
            text += " " + " and ".join(bounds)
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
    return "\n\n".join(parts)


def messages_for(task: TaskDefinition, report_text: str,
                 examples: list[Example] | None = None) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": system_prompt(task, examples)},
        {"role": "user", "content": f"Report:\n{report_text}"},
    ]


class PromptRenderer:
    """Renders messages with a chat template, the way the model was trained to read them."""

    def __init__(self, chat_template: str | None, bos_token: str = "", eos_token: str = ""):
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        self.template_source = "model" if chat_template else "fallback"
        self._formatter = Jinja2ChatFormatter(
            template=chat_template or FALLBACK_TEMPLATE,
            bos_token=bos_token,
            eos_token=eos_token,
            add_generation_prompt=True,
        )

    def render(self, messages: list[dict[str, str]]) -> str:
        return self._formatter(messages=messages).prompt

    def render_report(self, task: TaskDefinition, report_text: str,
                      examples: list[Example] | None = None) -> str:
        return self.render(messages_for(task, report_text, examples))
