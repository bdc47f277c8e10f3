"""One entry for the window's "Import data dictionary…": tells a REDCap data dictionary from a
Castor study structure by its header, and imports it with the reader for that system."""

from __future__ import annotations

from pathlib import Path

from pluk.core.tasks.castor import NAME as CASTOR_NAME
from pluk.core.tasks.castor import import_castor
from pluk.core.tasks.definition import TaskDefinition
from pluk.core.tasks.edc_build import DictionaryError, read_table
from pluk.core.tasks.redcap import VARIABLE, import_redcap


def dictionary_kind(path: str | Path) -> str:
    """"redcap" or "castor"; DictionaryError for a file that is neither."""
    path = Path(path)
    header, _ = read_table(path, "data dictionary", [])
    if VARIABLE in header or "field_name" in header:
        return "redcap"
    if CASTOR_NAME in header:
        return "castor"
    if "Option Group Id" in header or "Option Name" in header:
        raise DictionaryError(f"{path}: this is Castor's option groups file; choose the study "
                              "structure export (the fields), then this file for its options")
    raise DictionaryError(f"{path}: not a REDCap data dictionary (no '{VARIABLE}' column) nor "
                          f"a Castor study structure (no '{CASTOR_NAME}' column)")


def import_dictionary(path: str | Path, option_groups: str | Path | None = None, *,
                      language: str = "en") -> tuple[TaskDefinition, list[str]]:
    if dictionary_kind(path) == "redcap":
        return import_redcap(path, language=language)
    return import_castor(path, option_groups, language=language)


def needs_option_groups(error: DictionaryError) -> bool:
    """Whether a Castor import failed only for want of its option groups file."""
    return "--option-groups" in str(error)
