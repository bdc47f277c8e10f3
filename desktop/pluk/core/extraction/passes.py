"""Self-consistency (--passes N): N answers per report, the majority kept per field.

The first pass is the run's own answer (at its temperature, 0 by default); passes 2..N sample
(the run's temperature where it is above 0, else SAMPLED_TEMPERATURE), each with its own seed.
They are ordinary requests of the one loop (loop.py), so they share the prompt prefix and fill
the engine's parallel slots; their common `prompt_key` lets the decoder evaluate the report's
prompt once and copy it to the other passes. The report's record is made when all N are in.

Per top-level field the value most passes gave wins; its evidence and option probabilities are
those of the first pass that gave it, and `agreement[field]` says how many of the N gave it. A
tie is null with the reason, or, where the task says `passes_tie: most_probable`, the tied value
with the highest mean option probability over the passes (bool and enum fields; for other
fields, the tied value of the earliest pass, the first pass being the run's own answer). A pass
that failed as a whole, or on a field, gives that field no vote; the agreement still counts
out of N.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from pluk.core.extraction.scoring import option_key
from pluk.core.extraction.section_merge import value_key
from pluk.core.runs.records import Record
from pluk.core.tasks import TaskDefinition

SAMPLED_TEMPERATURE = 0.7  # passes after the first, when the run itself decodes greedily


@dataclass
class PassGroup:
    """The passes of one report, as their records finish."""

    n: int
    done: dict[int, Record] = field(default_factory=dict)
    failed: bool = False

    def merged(self, task: TaskDefinition) -> Record:
        return merge_passes(task, [self.done[k] for k in range(self.n)])


def with_passes(planned: Any, n: int, temperature: float, seed: int) -> list[Any]:
    """`planned` (one request) and its N-1 sampled copies, all in one PassGroup."""
    group = PassGroup(n)
    planned.passes, planned.pass_no = group, 0
    key = planned.request.id
    planned.request = replace(planned.request, prompt_key=key)
    sampled = temperature if temperature > 0 else SAMPLED_TEMPERATURE
    out = [planned]
    for k in range(1, n):
        request = replace(planned.request, id=f"{key}#pass{k + 1}", temperature=sampled,
                          seed=seed + k)
        out.append(replace(planned, request=request, pass_no=k,
                           warnings=list(planned.warnings)))
    return out


def _shown(value: Any) -> str:
    return "null" if value is None else (value if isinstance(value, str) else value_key(value))


def _mean_probability(spec: Any, value: Any, records: list[Record]) -> float:
    key = option_key(spec, value)
    seen = [r.probabilities[spec.name].get(key, 0.0) for r in records
            if spec.name in r.probabilities]
    return sum(seen) / len(seen) if seen else 0.0


def _own(paths: dict[str, Any], name: str) -> dict[str, Any]:
    """The entries of a field and its nested values (psa; lesions[0].size_mm)."""
    return {path: item for path, item in paths.items()
            if path == name or path.startswith((f"{name}[", f"{name}."))}


def merge_passes(task: TaskDefinition, records: list[Record]) -> Record:
    """The report's one record from the records of its N passes (in pass order)."""
    n = len(records)
    usable = [r for r in records if r.fields is not None and r.status != "error"]
    if not usable:
        first = records[0]
        return first.model_copy(update={"passes": n, "warnings": first.warnings + [
            f"All {n} passes failed; the first pass's error is shown"]})
    base = usable[0]
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    evidence: dict[str, Any] = {}
    probabilities: dict[str, dict[str, float]] = {}
    agreement: dict[str, int] = {}
    notes: list[str] = []
    for spec in task.fields:
        name = spec.name
        votes: dict[str, list[Record]] = {}
        for record in usable:  # in pass order: the first voter of a value is its earliest pass
            if name not in record.field_errors and name in record.fields:
                votes.setdefault(value_key(record.fields[name]), []).append(record)
        if not votes:
            fields[name], agreement[name] = None, 0
            errors[name] = base.field_errors.get(name, f"No pass of {n} gave a valid value")
            continue
        top = max(len(voters) for voters in votes.values())
        tied = [voters for voters in votes.values() if len(voters) == top]
        voters = tied[0]
        if len(tied) > 1:
            values = ", ".join(_shown(v[0].fields[name]) for v in tied)
            if task.passes_tie != "most_probable":
                fields[name], agreement[name] = None, top
                errors[name] = f"The passes tie: {top} of {n} each for {values}"
                continue
            voters = max(tied, key=lambda v: _mean_probability(spec, v[0].fields[name], usable))
            notes.append(f"{name}: the passes tie ({top} of {n} each for {values}); the most "
                         f"probable, {_shown(voters[0].fields[name])}, is kept")
        chosen = voters[0]
        fields[name], agreement[name] = chosen.fields[name], len(voters)
        evidence.update(_own(chosen.evidence, name))
        probabilities.update(_own(chosen.probabilities, name))
    warnings = list(base.warnings)
    for k, record in enumerate(records):
        for warning in record.warnings:
            if record is not base and warning not in base.warnings:
                warnings.append(f"Pass {k + 1}: {warning}")
        if record.status == "error" or record.fields is None:
            warnings.append(f"Pass {k + 1} failed: {record.error}")
    warnings += notes
    error = (f"{len(errors)} field(s) failed validation: {', '.join(errors)}"
             if errors else None)
    return base.model_copy(update=dict(
        status="invalid" if errors else "ok", fields=fields, field_errors=errors, error=error,
        evidence=evidence, probabilities=probabilities, warnings=warnings, passes=n,
        agreement=agreement, tokens_output=sum(r.tokens_output or 0 for r in records),
        seconds=sum(r.seconds for r in records)))
