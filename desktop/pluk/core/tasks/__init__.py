"""Tasks as data: what to extract, declared in JSON files and never executed as code.

definition.py holds the format, loader.py finds and validates task files, schema.py turns a task
into the JSON schema the grammar is built from and validates the model's answers against it.
"""

from pluk.core.tasks.definition import FieldSpec, TaskDefinition
from pluk.core.tasks.loader import list_tasks, load_task, load_task_file, task_sha256
from pluk.core.tasks.schema import json_schema, pydantic_model, validate_answer

__all__ = [
    "FieldSpec",
    "TaskDefinition",
    "json_schema",
    "list_tasks",
    "load_task",
    "load_task_file",
    "pydantic_model",
    "task_sha256",
    "validate_answer",
]
