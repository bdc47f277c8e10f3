"""The task format: a task's metadata and its typed fields, as pydantic models.

Field types: bool, int, float, string (bounded), enum (allowed values), list (of any field type,
bounded) and object (nested fields). Every string and list has a bound, defaulted where the task
sets none, so a constrained answer can never run away to the token limit.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

FORMAT_VERSION = 1
DEFAULT_MAX_LENGTH = 200
DEFAULT_MAX_ITEMS = 20
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"


class _FieldBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="item", pattern=NAME_PATTERN, max_length=64)
    description: str = ""
    unit: str | None = None
    optional: bool = Field(
        default=False,
        description="The model may answer null (e.g. 'not mentioned in the report')",
    )


class BoolField(_FieldBase):
    type: Literal["bool"]


class IntField(_FieldBase):
    type: Literal["int"]
    minimum: int | None = None
    maximum: int | None = None

    @model_validator(mode="after")
    def _range(self) -> "IntField":
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum is larger than maximum")
        return self


class FloatField(_FieldBase):
    type: Literal["float"]
    minimum: float | None = None
    maximum: float | None = None

    @model_validator(mode="after")
    def _range(self) -> "FloatField":
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum is larger than maximum")
        return self


class StringField(_FieldBase):
    type: Literal["string"]
    max_length: int = Field(default=DEFAULT_MAX_LENGTH, ge=1, le=4000)


class EnumField(_FieldBase):
    type: Literal["enum"]
    values: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "EnumField":
        if len(set(self.values)) != len(self.values):
            raise ValueError("values must not repeat")
        if any(not v for v in self.values):
            raise ValueError("values must not be empty strings")
        return self


class ListField(_FieldBase):
    type: Literal["list"]
    items: "FieldSpec"
    max_items: int = Field(default=DEFAULT_MAX_ITEMS, ge=1, le=500)


class ObjectField(_FieldBase):
    type: Literal["object"]
    fields: list["FieldSpec"] = Field(min_length=1)

    @model_validator(mode="after")
    def _names(self) -> "ObjectField":
        _check_names(self.fields)
        return self


FieldSpec = Annotated[
    Union[BoolField, IntField, FloatField, StringField, EnumField, ListField, ObjectField],
    Field(discriminator="type"),
]
FIELD_TYPES = ("bool", "int", "float", "string", "enum", "list", "object")

ListField.model_rebuild()
ObjectField.model_rebuild()


def _check_names(fields: list[Any]) -> None:
    seen: set[str] = set()
    for index, spec in enumerate(fields):
        if "name" not in spec.model_fields_set:
            raise ValueError(f"fields[{index}] has no name")
        if spec.name in seen:
            raise ValueError(f"field name '{spec.name}' is used twice")
        seen.add(spec.name)


class Example(BaseModel):
    """A worked example for few-shot prompting: a report text and the answer expected for it."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    answer: dict[str, Any]


class TaskDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: Literal[1] = FORMAT_VERSION
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}$")
    instructions: str = Field(default="", description="Extra guidance placed in the prompt")
    fields: list[FieldSpec] = Field(min_length=1)
    too_long: Literal["error", "truncate"] = Field(
        default="error",
        description="A report longer than the context: an error record, or cut with a warning",
    )
    truncation_side: Literal["left", "right"] = Field(
        default="right", description="Which end of the report is cut when too_long is truncate"
    )
    examples: list[Example] = Field(default_factory=list)

    @model_validator(mode="after")
    def _names(self) -> "TaskDefinition":
        _check_names(self.fields)
        return self

    def field(self, name: str) -> Any:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)
