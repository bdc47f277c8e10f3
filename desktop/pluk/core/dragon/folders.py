"""DRAGON task folders as Pluk reads them: the configuration, the test records as reports, and
the training records as few-shot examples in the answering task's format.

A task folder (docs/dragon.md §2) holds `nlp-task-configuration.json`, `nlp-test-dataset.json`
and usually `nlp-training-dataset.json`. This module also owns the label kinds and the reading
of a record's tokens and labels, which `predict` shares.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pluk.core.dragon import ner_align
from pluk.core.dragon.errors import DragonError, shorten
from pluk.core.dragon.tasks import ML_BIN, ML_MC, ML_NER, ML_REG, SL_BIN, SL_MC, SL_NER, SL_REG
from pluk.core.readers.decoding import normalise
from pluk.core.json_depth import JsonTooDeep, loads_bounded
from pluk.core.readers.reports import Report
from pluk.core.tasks import TaskDefinition, validate_answer
from pluk.core.tasks.definition import Example

CONFIG_FILE = "nlp-task-configuration.json"
TEST_FILE = "nlp-test-dataset.json"
TRAINING_FILE = "nlp-training-dataset.json"
# A longer training report is not offered as an example: K of them would crowd out the report.
MAX_EXAMPLE_CHARS = 2000

NER_LABELS = (SL_NER, ML_NER)
BIN_LABELS = (SL_BIN, ML_BIN)
MC_LABELS = (SL_MC, ML_MC)
REG_LABELS = (SL_REG, ML_REG)


def row_tokens(row: dict[str, Any], where: str) -> list[str]:
    """A record's given NER tokens, which the report text joins and the tags must match."""
    parts = row.get("text_parts")
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        raise DragonError(f"{where}: NER needs text_parts, a list of token strings")
    return parts


def label_values(label: Any, n_fields: int, label_name: str) -> list[Any]:
    """A training label as one value per task field; [] if it has the wrong number."""
    if label_name in (ML_BIN, ML_MC, ML_REG):
        return list(label) if isinstance(label, list) and len(label) == n_fields else []
    return [label]


class TaskFolder(BaseModel):
    path: Path
    task_name: str
    input_name: str
    label_name: str
    test: list[dict[str, Any]]
    training: list[dict[str, Any]]


# -- reading -------------------------------------------------------------------------------------

def _read_json(path: Path) -> Any:
    try:
        return loads_bounded(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DragonError(f"cannot read {path}: {exc}") from None
    except JsonTooDeep as exc:  # json.loads would recurse into a RecursionError
        raise DragonError(f"cannot read {path}: its JSON is {exc}") from None


def find_task_folders(folder: str | Path) -> list[Path]:
    """The folder itself if it is a task folder, else its task folders (TaskNNN_...-foldK)."""
    folder = Path(folder)
    if (folder / CONFIG_FILE).is_file():
        return [folder]
    if not folder.is_dir():
        raise DragonError(f"DRAGON folder not found: {folder}")
    found = sorted(p for p in folder.iterdir() if (p / CONFIG_FILE).is_file())
    if not found:
        raise DragonError(f"{folder} is neither a DRAGON task folder (no {CONFIG_FILE}) nor a "
                          "folder of task folders")
    return found


def read_task_folder(path: Path) -> TaskFolder:
    config = _read_json(path / CONFIG_FILE)
    if not isinstance(config, dict) or not {"task_name", "label_name"} <= set(config):
        raise DragonError(f"{path / CONFIG_FILE}: needs task_name and label_name")
    if not all(isinstance(config.get(key, ""), str)
               for key in ("task_name", "label_name", "input_name")):
        raise DragonError(f"{path / CONFIG_FILE}: task_name, label_name and input_name must be "
                          "text")
    test = _records(path / TEST_FILE)
    training = _records(path / TRAINING_FILE) if (path / TRAINING_FILE).is_file() else []
    uids = [row["uid"] for row in test]
    repeated = [uid for uid, n in Counter(uids).items() if n > 1]
    if repeated:
        raise DragonError(f"{path / TEST_FILE}: repeated uid(s) {shorten(repeated)}")
    return TaskFolder(path=path, task_name=config["task_name"],
                      input_name=config.get("input_name", "text"),
                      label_name=config["label_name"], test=test, training=training)


def _records(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise DragonError(f"{path.parent}: {path.name} not found")
    rows = _read_json(path)
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "uid" in r for r in rows):
        raise DragonError(f"{path}: must be a JSON array of records with a uid")
    for row in rows:
        if isinstance(row["uid"], int) and not isinstance(row["uid"], bool):
            row["uid"] = str(row["uid"])  # dragon_eval reads uids as strings
    return rows


def _row_text(row: dict[str, Any], folder: TaskFolder) -> str:
    """The report text the model reads. NER: the given tokens joined by spaces, so aligned
    spans map straight back to tokens; text_parts otherwise as the table reader joins them."""
    if folder.label_name in NER_LABELS:
        return " ".join(row_tokens(row, f"{folder.path.name} uid {row['uid']}"))
    value = row.get(folder.input_name, row.get("text", row.get("text_parts")))
    if isinstance(value, list):
        return "\n\n".join(normalise(str(p)) for p in value)
    return normalise(str(value)) if value is not None else ""


def make_reports(folder: TaskFolder) -> list[Report]:
    source = folder.path / TEST_FILE
    reports = []
    for number, row in enumerate(folder.test, start=1):
        text = _row_text(row, folder)
        common = dict(id=row["uid"], source=f"{source}#{number}", format="dragon")
        if text.strip():
            reports.append(Report.from_text(text=text, **common))
        else:
            reports.append(Report.failed(reason="the test record has no text", **common))
    return reports


# -- few-shot examples from the training set ------------------------------------------------------

def _tag_parser(entity_tag: str) -> re.Pattern:
    pattern = ""
    for literal, name, _, _ in string.Formatter().parse(entity_tag):
        pattern += re.escape(literal)
        if name is not None:
            pattern += f"(?P<{name}>.+?)"
    return re.compile(f"^{pattern}$")


def _entity_objects(task: TaskDefinition, tokens: list[str], tags: list[Any]) -> list[dict] | None:
    spec = task.field(task.dragon.fields[0])
    item_fields = spec.items.fields
    parser = _tag_parser(task.dragon.entity_tag)
    objects = []
    for text, kind, _ in ner_align.entities_from_tags(tokens, tags):
        match = parser.match(kind)
        if match is None:
            return None
        values = {**match.groupdict(), "text": text}
        obj = {}
        for field in item_fields:
            if field.name not in values:
                return None
            value = values[field.name]
            if field.type == "int":
                if not re.fullmatch(r"-?[0-9]+", value):
                    return None
                value = int(value)
            obj[field.name] = value
        objects.append(obj)
    return objects


def training_examples(task: TaskDefinition, folder: TaskFolder) -> list[Example]:
    """The training records as worked examples in the task's answer format; records whose
    label the task cannot express (or too long to show) are left out."""
    spec = task.dragon
    examples = []
    for row in folder.training:
        label = row.get(folder.label_name)
        text = _row_text(row, folder)
        if label is None and folder.label_name not in REG_LABELS or not text.strip():
            continue
        if len(text) > MAX_EXAMPLE_CHARS:
            continue
        if folder.label_name in NER_LABELS:
            if not isinstance(label, list) or len(label) != len(row.get("text_parts", [])):
                continue
            objects = _entity_objects(task, row["text_parts"], label)
            if objects is None:
                continue
            answer = {spec.fields[0]: objects}
        else:
            values = label_values(label, len(spec.fields), folder.label_name)
            if not values:
                continue
            answer = dict(zip(spec.fields, values))
        _, errors = validate_answer(task, answer)
        if not errors:
            examples.append(Example(text=text, answer=answer))
    return examples
