"""The options of a run: one pydantic model, RunOptions, made of the parts each step reads.

`ReadingOptions` says which reports run, `ContextOptions` how large the context may grow,
`HardwareOptions` where the model runs and `DecodingOptions` how answers are generated. The
settings file, the CLI, the window, DRAGON and the self-test all build this one model, the engine
takes the hardware and decoding parts, and a run's manifest stores it as written here. The bounds
are validated once, here, so no caller repeats them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Part(BaseModel):
    # A misspelt or misplaced option fails loudly instead of silently running with a default.
    model_config = ConfigDict(extra="forbid")


class ReadingOptions(_Part):
    limit: int | None = Field(default=None, ge=0, description="Run at most this many reports")


class ContextOptions(_Part):
    ctx_cap: int = Field(default=8192, ge=512, le=262144,
                         description="Upper limit of the context size in tokens")


class HardwareOptions(_Part):
    # None: the physical cores for generation, every usable CPU for prompt batches.
    n_threads: int | None = Field(default=None, ge=1, le=512,
                                  description="CPU threads; None uses the physical cores")
    n_gpu_layers: int = Field(default=0, ge=-1, description="Layers on the GPU; -1 for all")
    n_batch: int = Field(default=512, ge=1, description="Prompt tokens evaluated per batch")


class DecodingOptions(_Part):
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    seed: int = Field(default=0, ge=0)
    # Seconds one report's answer may take; None for no limit. A looping model on a slow
    # machine otherwise holds the run for many minutes on one report.
    time_limit: float | None = Field(default=300.0, gt=0)
    probabilities: bool = Field(default=True,
                                description="Option probabilities of bool and enum fields")
    # Off only to measure what prefix reuse saves (bench/); results are the same either way.
    reuse_prefix: bool = True


class RunOptions(_Part):
    reading: ReadingOptions = Field(default_factory=ReadingOptions)
    context: ContextOptions = Field(default_factory=ContextOptions)
    hardware: HardwareOptions = Field(default_factory=HardwareOptions)
    decoding: DecodingOptions = Field(default_factory=DecodingOptions)

    @classmethod
    def from_saved(cls, saved: dict[str, Any]) -> RunOptions:
        """The options of a manifest or settings file: this shape, or the flat one of earlier
        versions ({"ctx_cap": ..., "n_threads": ...}); other keys (context_plan, dragon) are
        left out."""
        return cls.model_validate(nest_flat_options(saved))


def _part_of_field() -> dict[str, str]:
    return {name: part for part, info in RunOptions.model_fields.items()
            for name in info.annotation.model_fields}


def nest_flat_options(saved: dict[str, Any]) -> dict[str, Any]:
    """RunOptions' own keys of `saved`, with the flat keys of earlier versions moved into their
    part; a nested value wins over a flat one."""
    where = _part_of_field()
    nested: dict[str, dict[str, Any]] = {}
    for key, value in saved.items():
        if key in where:
            nested.setdefault(where[key], {})[key] = value
    for part in RunOptions.model_fields:
        if isinstance(saved.get(part), dict):
            nested[part] = {**nested.get(part, {}), **saved[part]}
    return nested


def bounds(part: type[BaseModel], name: str) -> tuple[float | None, float | None]:
    """The (lowest, highest) value a field of a part accepts, None where it has no bound; the
    settings dialog sets its spin boxes from these."""
    low = high = None
    for rule in part.model_fields[name].metadata:
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    return low, high
