"""The task format: a task's metadata and its typed fields, as pydantic models.

Field types: bool, int, float, string (bounded), enum (allowed values), list (of any field type,
bounded) and object (nested fields). Every string and list has a bound, defaulted where the task
sets none, so a constrained answer can never run away to the token limit.
"""

from __future__ import annotations

import math

from typing import Annotated, Any, Literal, Union

from pydantic import (BaseModel, ConfigDict, Field, StringConstraints, model_serializer,
                      model_validator)

from pluk.core.tasks.edc import EdcMapping, check_mapping

FORMAT_VERSION = 1
DEFAULT_MAX_LENGTH = 200
DEFAULT_MAX_ITEMS = 20
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
# How a value given by several sections of a split report is chosen (extraction/section_merge):
# the first or last section that states it, or the most probable option (bool and enum).
MergeRule = Literal["first", "last", "probable"]


class _FieldBase(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="item", pattern=NAME_PATTERN, max_length=64)
    description: str = ""
    unit: str | None = None
    optional: bool = Field(
        default=False,
        description="The model may answer null (e.g. 'not mentioned in the report')",
    )
    merge: MergeRule | None = Field(
        default=None, description="For a report read in sections: which section's value counts "
        "(first, last or probable); None: the task's section_merge. Lists are joined, always")

    synonyms: list[Annotated[str, StringConstraints(min_length=1, max_length=64)]] = Field(
        default_factory=list, max_length=50,
        description="Other words the reports use for this field (Dutch or English): a number "
        "stated next to them is evidence for it, as next to its name")

    @model_serializer(mode="wrap")
    def _omit_default_merge(self, handler):
        # Fields without a merge rule or synonyms dump (and so hash) exactly as before the keys
        # existed.
        data = handler(self)
        if isinstance(data, dict) and "merge" in data and data["merge"] is None:
            del data["merge"]
        if isinstance(data, dict) and data.get("synonyms") == []:
            del data["synonyms"]
        return data


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
        for name in ("minimum", "maximum"):
            bound = getattr(self, name)
            # NaN compares false with everything: a NaN bound would pass every check here and
            # fail only in extract, after the model answered.
            if bound is not None and not math.isfinite(bound):
                raise ValueError(f"{name} must be a finite number, not {bound}")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum is larger than maximum")
        return self


class StringField(_FieldBase):
    type: Literal["string"]
    # llama.cpp refuses grammars with much longer repetitions (measured: 1200 x 4 fails).
    max_length: int = Field(default=DEFAULT_MAX_LENGTH, ge=1, le=1000)


class EnumField(_FieldBase):
    type: Literal["enum"]
    values: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "EnumField":
        if len(set(self.values)) != len(self.values):
            raise ValueError("values must not repeat")
        if any(not v for v in self.values):
            raise ValueError("values must not be empty strings")
        # A number-like choice may be answered bare (4 for "4"), and a bare number is read as
        # a number: two choices of one number ("1" and "01") would leave it unsaid which.
        seen: dict[float, str] = {}
        for value in self.values:
            number = option_number(value)
            if number is None:
                continue
            if number in seen:
                raise ValueError(f"values '{seen[number]}' and '{value}' are the same number "
                                 "written two ways: a bare number in an answer could be either; "
                                 "keep one of them")
            seen[number] = value
        return self


def option_number(value: str) -> float | None:
    """The number an enum choice is, for a bare number in an answer; None for a word."""
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


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


DragonKind = Literal[
    "single_label_binary_classification",
    "single_label_multi_class_classification",
    "multi_label_binary_classification",
    "multi_label_multi_class_classification",
    "single_label_regression",
    "multi_label_regression",
    "named_entity_recognition",
    "multi_label_named_entity_recognition",
]
_NER_KINDS = ("named_entity_recognition", "multi_label_named_entity_recognition")


class DragonSpec(BaseModel):
    """How a task answers one DRAGON benchmark task (docs/dragon.md); only `pluk dragon` reads it.

    `fields` are the task's fields that make up the DRAGON label, in the label's order (one for
    single-label kinds and NER, one per position for multi-label kinds). For NER the field is a
    list of entity objects with a `text` string; `entity_tag` formats the DRAGON entity type of
    each from its object's fields, e.g. "{type}" or "{number}-{type}" (Task027: "1-ambigu").
    """

    model_config = ConfigDict(extra="forbid")

    task_name: str = Field(pattern=r"^Task[0-9]{3}_[A-Za-z0-9_]+$")
    label_name: str
    kind: DragonKind
    fields: list[str] = Field(min_length=1)
    entity_tag: str = "{type}"

    @model_validator(mode="after")
    def _consistent(self) -> "DragonSpec":
        if self.label_name != self.kind + "_target":
            raise ValueError(f"label_name must be '{self.kind}_target' for kind '{self.kind}'")
        if not self.kind.startswith("multi_label") or self.kind in _NER_KINDS:
            if len(self.fields) != 1:
                raise ValueError(f"a {self.kind} task maps exactly one field")
        return self


def _check_dragon(spec: DragonSpec, fields: list[Any]) -> None:
    by_name = {f.name: f for f in fields}
    for name in spec.fields:
        if name not in by_name:
            raise ValueError(f"dragon.fields names '{name}', which is not a field of the task")
    if spec.kind not in _NER_KINDS:
        return
    entities = by_name[spec.fields[0]]
    if entities.type != "list" or entities.items.type != "object":
        raise ValueError("a DRAGON NER field must be a list of objects")
    item_fields = {f.name: f for f in entities.items.fields}
    if getattr(item_fields.get("text"), "type", None) != "string":
        raise ValueError("a DRAGON NER entity object needs a 'text' string field")
    try:
        spec.entity_tag.format(**{name: "" for name in item_fields})
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"dragon.entity_tag {spec.entity_tag!r} does not fit the entity "
                         f"fields ({exc})") from None


class TaskText(BaseModel):
    """A task's title and description in another language, for the window and the task list
    only: the model's prompt always uses the task's own description."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, min_length=1)


class TaskDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: Literal[1] = FORMAT_VERSION
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}$")
    instructions: str = Field(default="", description="Extra guidance placed in the prompt")
    fields: list[FieldSpec] = Field(min_length=1)
    too_long: Literal["split", "error", "truncate"] = Field(
        default="split",
        description="A report longer than the context: read in overlapping sections whose "
                    "answers are merged, an error record, or cut with a warning",
    )
    section_merge: MergeRule = Field(
        default="first", description="For a report read in sections: the section whose value "
        "counts when several give one (first, last, or probable: the most probable option)")
    truncation_side: Literal["left", "right"] = Field(
        default="right", description="Which end of the report is cut when too_long is truncate"
    )
    thinking_budget: int | None = Field(
        default=None, ge=0, le=131072, description="A thinking model's reasoning before the "
        "answer, in tokens (0: none); None: auto. A run's --thinking-budget wins")
    passes_tie: Literal["null", "most_probable"] = Field(
        default="null", description="With --passes: a field whose answers tie is null with the "
        "reason, or (most_probable) the tied value with the highest probability")
    translations: dict[Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")], TaskText] = (
        Field(default_factory=dict, description="The title and description in other "
              "languages, for the window (never the prompt): {\"nl\": {\"title\": ...}}"))
    examples: list[Example] = Field(default_factory=list)
    dragon: DragonSpec | None = Field(
        default=None, description="Optional: the DRAGON benchmark task this task answers"
    )
    edc: EdcMapping | None = Field(
        default=None, description="Optional: the REDCap or Castor variables the fields fill "
        "(tasks imported from a data dictionary); see tasks/edc.py")

    @model_validator(mode="after")
    def _names(self) -> "TaskDefinition":
        _check_names(self.fields)
        if self.dragon is not None:
            _check_dragon(self.dragon, self.fields)
        if self.edc is not None:
            check_mapping(self.edc, self.fields)
        return self

    @model_serializer(mode="wrap")
    def _omit_absent_dragon(self, handler):
        # Tasks without DRAGON metadata dump (and so hash) exactly as before the key existed.
        data = handler(self)
        for key in ("dragon", "edc"):
            if isinstance(data, dict) and data.get(key, 0) is None:
                del data[key]
        if isinstance(data, dict) and data.get("translations") == {}:
            del data["translations"]
        for key, default in (("section_merge", "first"), ("passes_tie", "null")):
            if isinstance(data, dict) and data.get(key) == default:
                del data[key]
        return data

    def title_in(self, language: str) -> str:
        """The title in `language` where the task gives one, else its own."""
        text = self.translations.get(language)
        return text.title if text is not None and text.title else self.title

    def description_in(self, language: str) -> str:
        text = self.translations.get(language)
        return text.description if text is not None and text.description else self.description

    def field(self, name: str) -> Any:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)
