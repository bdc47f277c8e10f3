"""Owns the comparison of a run with its resumption: what differs that changes the answers
(refused by RunFolder.start, naming it), and the other options that changed (recorded in the
manifest's `resumptions`). Options are compared as dotted keys ("decoding.seed")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from pluk.core.options import RunOptions

if TYPE_CHECKING:
    from pluk.core.runs.folder import RunManifest

# Decoding options that change the answers; the task, the model and the chat template do too.
ANSWER_OPTIONS = (("decoding.temperature", "temperature"), ("decoding.seed", "seed"),
                  ("server.model", "served model"), ("context.long_reports", "long reports"),
                  ("reading.group_by", "grouping of documents"),
                  ("decoding.thinking_budget", "thinking budget"),
                  ("decoding.passes", "passes"))


def _flat(options: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in options.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _comparable(options: dict[str, Any]) -> dict[str, Any]:
    """A manifest's options as dotted keys, the run options normalised (a manifest of an older
    version has them flat) and context_plan left out: the run derives it, nobody chooses it."""
    try:
        known = RunOptions.from_saved(options).model_dump(mode="json")
    except ValidationError:  # a hand-edited manifest: compare what it says, as it says it
        known = {}
    flat_names = {name for part in RunOptions.model_fields.values()
                  if isinstance(part.annotation, type) for name in part.annotation.model_fields}
    extra = {key: value for key, value in options.items()
             if key not in RunOptions.model_fields and key not in flat_names
             and key != "context_plan"}
    return _flat({**known, **extra})


def answer_differences(old: RunManifest, new: RunManifest) -> list[str]:
    """What differs between a run and its resumption that changes the answers."""
    differs: list[str] = []
    if old.task_sha256 != new.task_sha256:
        differs.append("it was made with a different task definition")
    if old.model.sha256 != new.model.sha256:
        differs.append(f"it was made with a different model file (sha256 "
                       f"{old.model.sha256[:12]}…, now {new.model.sha256[:12]}…)")
    before, after = _comparable(old.options), _comparable(new.options)
    for key, name in ANSWER_OPTIONS:
        if before.get(key) != after.get(key):
            differs.append(f"the {name} differs (run: {before.get(key)}, now: {after.get(key)})")
    # A caller's own section (DRAGON's few-shot settings) shapes the prompt.
    for key in sorted(k for k in before.keys() | after.keys()
                      if k.split(".")[0] not in RunOptions.model_fields
                      and before.get(k) != after.get(k)):
        differs.append(f"the option {key} differs (run: {before.get(key)}, now: "
                       f"{after.get(key)})")
    if old.chat_template and new.chat_template and old.chat_template != new.chat_template:
        differs.append("the chat template that renders the prompt differs")
    return differs


def changed_options(old: RunManifest, new: RunManifest) -> dict[str, dict[str, Any]]:
    """Every option that differs, as {"hardware.n_threads": {"before": 2, "after": 4}}."""
    before, after = _comparable(old.options), _comparable(new.options)
    return {key: {"before": before.get(key), "after": after.get(key)}
            for key in sorted(before.keys() | after.keys()) if before.get(key) != after.get(key)}
