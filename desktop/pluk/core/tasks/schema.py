"""From a task to a JSON schema (for the grammar) and a pydantic model (for validation).

Every field is required in the schema so the model always answers every key in a fixed order;
an optional field is nullable instead. Validation runs field by field, so one bad value makes
that field null with a reason and leaves the others intact.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from pluk.core.tasks.definition import TaskDefinition, option_number


def _field_schema(spec: Any) -> dict[str, Any]:
    kind = spec.type
    if kind == "bool":
        schema: dict[str, Any] = {"type": "boolean"}
    elif kind in ("int", "float"):
        schema = {"type": "integer" if kind == "int" else "number"}
        # The grammar bounds only the digits; validation refuses a value out of range.
        if spec.minimum is not None:
            schema["minimum"] = spec.minimum
        if spec.maximum is not None:
            schema["maximum"] = spec.maximum
    elif kind == "string":
        schema = {"type": "string", "maxLength": spec.max_length}
    elif kind == "enum":
        schema = {"type": "string", "enum": list(spec.values)}
    elif kind == "list":
        schema = {"type": "array", "items": _field_schema(spec.items), "maxItems": spec.max_items}
    elif kind == "object":
        schema = _object_schema(spec.fields)
    else:  # pragma: no cover - the definition's union admits no other type
        raise ValueError(f"unknown field type {kind}")
    if spec.description:
        schema["description"] = spec.description
    if spec.optional:
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


def _object_schema(fields: list[Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {spec.name: _field_schema(spec) for spec in fields},
        "required": [spec.name for spec in fields],
        "additionalProperties": False,
    }


def json_schema(task: TaskDefinition) -> dict[str, Any]:
    schema = _object_schema(task.fields)
    schema["title"] = task.id
    return schema


def _field_type(spec: Any, model_name: str) -> Any:
    kind = spec.type
    if kind == "bool":
        base: Any = Annotated[bool, Field(strict=True)]
    elif kind == "int":
        base = Annotated[int, Field(strict=True, ge=spec.minimum, le=spec.maximum)]
    elif kind == "float":
        base = Annotated[float, Field(ge=spec.minimum, le=spec.maximum, allow_inf_nan=False)]
    elif kind == "string":
        base = Annotated[str, Field(strict=True, max_length=spec.max_length)]
    elif kind == "enum":
        base = Literal[tuple(spec.values)]
    elif kind == "list":
        item = _field_type(spec.items, f"{model_name}_item")
        base = Annotated[list[item], Field(max_length=spec.max_items)]
    elif kind == "object":
        base = _model_for(spec.fields, f"{model_name}_{spec.name}")
    else:  # pragma: no cover
        raise ValueError(f"unknown field type {kind}")
    return Optional[base] if spec.optional else base


def _model_for(fields: list[Any], name: str) -> type[BaseModel]:
    definitions = {
        spec.name: (_field_type(spec, name), Field(..., description=spec.description or None))
        for spec in fields
    }
    return create_model(name, __config__=ConfigDict(extra="forbid"), **definitions)


def pydantic_model(task: TaskDefinition) -> type[BaseModel]:
    """The pydantic model of a task's answer; every key is required, optional ones nullable."""
    return _cached_model(task.model_dump_json())


@lru_cache(maxsize=64)
def _cached_model(task_json: str) -> type[BaseModel]:
    task = TaskDefinition.model_validate_json(task_json)
    return _model_for(task.fields, _model_name(task.id))


@lru_cache(maxsize=64)
def _field_adapters(task_json: str) -> dict[str, TypeAdapter]:
    task = TaskDefinition.model_validate_json(task_json)
    name = _model_name(task.id)
    return {spec.name: TypeAdapter(_field_type(spec, name)) for spec in task.fields}


def _model_name(task_id: str) -> str:
    return "Task_" + "".join(c if c.isalnum() else "_" for c in task_id)


def _reason(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


class _Refused(ValueError):
    """A value the model wrote that Pluk will not turn into the field's value."""


def _number_text(value: float | int) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _plain(value: int | float) -> tuple[int | float, str]:
    """A number as a plain int or float, and its text as the model wrote it: answer_parse
    keeps the text on a number Python writes otherwise (01, 1.50, 9,7)."""
    plain = float(value) if isinstance(value, float) else int(value)
    return plain, getattr(value, "written", None) or str(plain)


def bare_number_choice(values: list[str], value: int | float) -> str | None:
    """The enum choice a bare number stands for: the one written with exactly the model's
    digits ("01" for 01, "1.0" for 1.0), else the one that is the same number (4 for "4");
    None when no choice is. A task has no two choices of one number (definition)."""
    number, written = _plain(value)
    if written in values:
        return written
    for choice in values:
        if option_number(choice) == number:
            return choice
    return None


def _coerce(spec: Any, value: Any, notes: list[str], where: str) -> Any:
    """The value as the field's type reads it, from the forms the grammar lets a model write:
    a whole number written with decimals (26.0), a number-like choice written bare (4 for "4"),
    a list that repeats an item. Out-of-range numbers are refused with what the model wrote."""
    kind = spec.type
    if value is None:
        return value
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "enum" and number:
        choice = bare_number_choice(spec.values, value)
        if choice is None:
            raise _Refused(f"the model wrote {_plain(value)[1]}, not one of the choices")
        return choice
    if number:
        value = _plain(value)[0]
    if kind in ("int", "float") and number:
        if kind == "int" and isinstance(value, float):
            if not value.is_integer():
                raise _Refused(f"the model wrote {value}, not a whole number")
            value = int(value)
        if spec.maximum is not None and value > spec.maximum:
            raise _Refused(f"the model wrote {_number_text(value)}, above the maximum "
                           f"{_number_text(spec.maximum)}")
        if spec.minimum is not None and value < spec.minimum:
            raise _Refused(f"the model wrote {_number_text(value)}, below the minimum "
                           f"{_number_text(spec.minimum)}")
        return value
    if kind == "list" and isinstance(value, list):
        kept, seen = [], set()
        for item in value:
            key = json.dumps(item, sort_keys=True, ensure_ascii=False)
            if key not in seen:
                seen.add(key)
                kept.append(item)
        if len(kept) < len(value):
            notes.append(f"{where}: the model repeated {len(value) - len(kept)} list item(s); "
                         "each is kept once")
        return [_coerce(spec.items, item, notes, f"{where}[{i}]") for i, item in enumerate(kept)]
    if kind == "object" and isinstance(value, dict):
        by_name = {field.name: field for field in spec.fields}
        return {key: (_coerce(by_name[key], item, notes, f"{where}.{key}")
                      if key in by_name else item) for key, item in value.items()}
    return value


def validate_answer(
    task: TaskDefinition, answer: Any, notes: list[str] | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate a parsed answer field by field.

    Returns (fields, field_errors): every task field is a key of `fields`; a field whose value
    failed is None there and has its reason in `field_errors`. Nothing is defaulted or guessed.
    What Pluk read into a value the model wrote (a repeated list item dropped) is appended to
    `notes` when it is given.
    """
    notes = [] if notes is None else notes
    names = [spec.name for spec in task.fields]
    if not isinstance(answer, dict):
        reason = "the answer is not a JSON object"
        return {n: None for n in names}, {n: reason for n in names}
    adapters = _field_adapters(task.model_dump_json())
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in task.fields:
        if spec.name not in answer:
            fields[spec.name] = None
            errors[spec.name] = "missing from the model's answer"
            continue
        value = answer[spec.name]
        if value is None and not spec.optional:
            fields[spec.name] = None
            errors[spec.name] = "the model gave no value for a required field"
            continue
        try:
            value = _coerce(spec, value, notes, spec.name)
        except _Refused as exc:
            fields[spec.name] = None
            errors[spec.name] = str(exc)
            continue
        try:
            validated = adapters[spec.name].validate_python(value)
        except ValidationError as exc:
            fields[spec.name] = None
            errors[spec.name] = f"invalid value {json.dumps(value)[:80]}: {_reason(exc)}"
            continue
        fields[spec.name] = adapters[spec.name].dump_python(validated, mode="json")
    return fields, errors
