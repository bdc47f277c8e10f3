"""Inline Parser_Format dicts of llm_extractinator Taskfiles, as Pluk fields.

Owns the conversion of an inline field-spec dict (types str/int/float/bool/list/dict/any,
`literals`, `optional`, nested `items`/`properties`) into Pluk field dicts, the allowed-values
conversion (`literal_field`) that the `.py` parser reader shares, and `ImportRefused`, the error
every Taskfile import raises.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pluk.core.errors import TaskError
from pluk.core.tasks.definition import NAME_PATTERN

_INLINE_TYPES = ("str", "int", "float", "bool", "list", "dict", "any")
_SPEC_KEYS = {"type", "description", "literals", "optional", "items", "properties", "examples",
              "name"}
FIELD_NAME_RE = re.compile(NAME_PATTERN)


class ImportRefused(TaskError):
    """The Taskfile or its parser cannot be converted; the message says where and why."""


def _check_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not FIELD_NAME_RE.match(name) or len(name) > 64:
        raise ImportRefused(f"{where}: field name {name!r} is not usable (letters, digits and "
                            "underscores, not starting with a digit, at most 64 characters)")
    return name


def inline_fields(specs: dict[str, Any], where: str, notes: list[str]) -> list[dict[str, Any]]:
    if not specs:
        raise ImportRefused(f"{where}: declares no fields")
    fields = []
    for name, spec in specs.items():
        field = _inline_spec(spec, f"{where}.{name}", notes)
        field["name"] = _check_name(name, f"{where}.{name}")
        fields.append(field)
    return fields


def _truthy_flag(value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ImportRefused(f"{where}: 'optional' must be true or false, not {value!r}")


def _inline_spec(spec: Any, where: str, notes: list[str]) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise ImportRefused(f"{where}: a field spec must be an object with a 'type'")
    kind = spec.get("type")
    if kind not in _INLINE_TYPES:
        raise ImportRefused(f"{where}: unknown type {kind!r} (expected one of "
                            f"{', '.join(_INLINE_TYPES)})")
    for key in spec:
        if key == "Optional":
            notes.append(f"{where}: key 'Optional' is ignored, as llm_extractinator ignores it "
                         "(it reads 'optional')")
        elif key not in _SPEC_KEYS:
            notes.append(f"{where}: key {key!r} is ignored")
    description = spec.get("description") or ""
    if not isinstance(description, str):
        raise ImportRefused(f"{where}: 'description' must be text")
    examples = spec.get("examples")
    if isinstance(examples, list) and examples:
        shown = ", ".join(json.dumps(e, ensure_ascii=False) for e in examples)
        description = (description.rstrip() + " " if description else "") + f"Examples: {shown}."

    if kind == "dict":
        properties = spec.get("properties")
        if not isinstance(properties, dict) or not properties:
            raise ImportRefused(f"{where}: a 'dict' needs 'properties' naming its keys (Pluk has "
                                "no free-form objects)")
        field: dict[str, Any] = {"type": "object",
                                 "fields": inline_fields(properties, where, notes)}
    elif kind == "list":
        items = spec.get("items")
        if items is None:
            raise ImportRefused(f"{where}: a 'list' needs 'items' (llm_extractinator requires "
                                "it too)")
        item = _inline_spec(items, f"{where}.items", notes)
        item.pop("name", None)
        field = {"type": "list", "items": item}
    elif kind == "any":
        notes.append(f"{where}: type 'any' became a text field (Pluk fields are typed)")
        field = {"type": "string"}
    else:
        field = {"type": {"str": "string", "int": "int", "float": "float",
                          "bool": "bool"}[kind]}

    literals = spec.get("literals")
    if literals is not None:
        if kind in ("list", "dict"):
            raise ImportRefused(f"{where}: 'literals' on a {kind} is not supported; put them on "
                                "the item or property they constrain")
        if not isinstance(literals, list) or not literals:
            raise ImportRefused(f"{where}: 'literals' must be a non-empty list")
        field = literal_field(literals, where, notes)
    if description:
        field["description"] = description
    if "optional" in spec and _truthy_flag(spec["optional"], where):
        field["optional"] = True
    return field


def literal_field(values: list[Any], where: str, notes: list[str]) -> dict[str, Any]:
    """Allowed values: a bool, a bounded int for a run of whole numbers, else an enum."""
    if any(isinstance(v, (list, dict)) or v is None for v in values):
        raise ImportRefused(f"{where}: allowed values must be text, numbers or booleans")
    if all(isinstance(v, bool) for v in values):
        return {"type": "bool"}
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        ordered = sorted(set(values))
        if ordered == list(range(ordered[0], ordered[-1] + 1)):
            return {"type": "int", "minimum": ordered[0], "maximum": ordered[-1]}
    if not all(isinstance(v, str) for v in values):
        notes.append(f"{where}: the allowed values {values!r} became text labels")
    labels: list[str] = []
    for value in values:
        label = value if isinstance(value, str) else json.dumps(value)
        if label and label not in labels:
            labels.append(label)
    if not labels:
        raise ImportRefused(f"{where}: no usable allowed value")
    return {"type": "enum", "values": labels}

