"""The link between a task and an electronic data capture system (REDCap, Castor EDC): which
EDC variable each field fills, and how its values are coded there.

A task imported from a data dictionary carries this mapping under its `edc` key, so a run (whose
manifest holds the whole task) can be exported in the EDC's import format with nothing else at
hand: the model sees labels ("Yes", "Prostate"), the export writes codes ("1", "3").

Kinds of variable and the Pluk field each fills:
- text: a string, written as it is;
- integer / number: an int / a float, written as a plain number;
- date: a string the model writes as YYYY-MM-DD, written in the EDC's import form;
- choice: an enum of the labels, written as the code of the chosen label;
- yesno / truefalse: a bool, written 1 or 0;
- checkbox: a list of the labels' enum, written as one 0/1 column per code.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

EdcSystem = Literal["redcap", "castor"]
EdcKind = Literal["text", "integer", "number", "date", "choice", "yesno", "truefalse", "checkbox"]
# The Pluk field type each kind fills (checkbox: a list whose items are an enum).
FIELD_TYPE = {"text": "string", "date": "string", "integer": "int", "number": "float",
              "choice": "enum", "yesno": "bool", "truefalse": "bool", "checkbox": "list"}
DATE_RE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
DATE_NOTE = "Write the date as YYYY-MM-DD."


class EdcVariable(BaseModel):
    """One EDC variable: the task field that fills it, and for choices the code of each label."""

    model_config = ConfigDict(extra="forbid")

    field: str
    variable: str = Field(min_length=1, max_length=100)
    kind: EdcKind
    codes: dict[str, str] = Field(default_factory=dict, description="label -> code")
    form: str = ""

    @model_validator(mode="after")
    def _codes(self) -> "EdcVariable":
        if self.kind in ("choice", "checkbox") and not self.codes:
            raise ValueError(f"variable '{self.variable}': a {self.kind} needs its codes")
        if len(set(self.codes.values())) != len(self.codes):
            raise ValueError(f"variable '{self.variable}': two labels share one code")
        return self


class EdcMapping(BaseModel):
    """What a task fills in an EDC: the system, its record id variable, the variables."""

    model_config = ConfigDict(extra="forbid")

    system: EdcSystem
    record_id: str = Field(min_length=1, max_length=100)
    source: str = ""
    variables: list[EdcVariable] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> "EdcMapping":
        seen: set[str] = set()
        for var in self.variables:
            if var.variable in seen or var.variable == self.record_id:
                raise ValueError(f"EDC variable '{var.variable}' is mapped twice")
            seen.add(var.variable)
        return self


def check_mapping(mapping: EdcMapping, fields: list[Any]) -> None:
    """ValueError where a mapped field is not of the type its kind fills, or its labels are not
    the field's allowed values. A field no longer in the task is left out of the export."""
    by_name = {spec.name: spec for spec in fields}
    for var in mapping.variables:
        spec = by_name.get(var.field)
        if spec is None:
            continue
        want = FIELD_TYPE[var.kind]
        if spec.type != want:
            raise ValueError(f"edc: field '{var.field}' is {spec.type}, but EDC variable "
                             f"'{var.variable}' ({var.kind}) needs a {want} field")
        if var.kind == "checkbox":
            spec = spec.items
            if spec.type != "enum":
                raise ValueError(f"edc: field '{var.field}' must be a list of enum values for "
                                 f"checkbox '{var.variable}'")
        if var.kind in ("choice", "checkbox") and set(spec.values) != set(var.codes):
            raise ValueError(f"edc: the values of field '{var.field}' differ from the labels of "
                             f"EDC variable '{var.variable}'")


def code_column(var: EdcVariable, label: str, system: EdcSystem) -> str:
    """The import column of one checkbox option: REDCap `var___code` (the code lower-cased and
    any character but a letter, digit or '_' made '_', as REDCap names its checkbox columns);
    Castor `var#label` with the characters its import skips left out."""
    if system == "redcap":
        return f"{var.variable}___{re.sub(r'[^a-z0-9_]', '_', var.codes[label].lower())}"
    return f"{var.variable}#{castor_option_key(label)}"


def castor_option_key(label: str) -> str:
    # Castor's import guide: ,./-'";: and the like are skipped, '_' is kept (spaces too are
    # dropped, as its own exports show them); letters and digits stay.
    return "".join(c for c in label if c.isalnum() or c == "_")
