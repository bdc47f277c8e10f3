"""The options of a run: one pydantic model, RunOptions, made of the parts each step reads.

`ReadingOptions` says which reports run, `ContextOptions` how large the context may grow,
`HardwareOptions` where the model runs and `DecodingOptions` how answers are generated;
`ServerOptions`, when set, names an inference server that answers instead of a local model;
`PrivacyOptions` says whether reports are pseudonymised before the model sees them. The
settings file, the CLI, the window, DRAGON and the self-test all build this one model, the engine
takes the hardware and decoding parts, and a run's manifest stores it as written here. The bounds
are validated once, here, so no caller repeats them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Part(BaseModel):
    # A misspelt or misplaced option fails loudly instead of silently running with a default.
    model_config = ConfigDict(extra="forbid")


class ReadingOptions(_Part):
    limit: int | None = Field(default=None, ge=0, description="Run at most this many reports")
    # Recorded so that a resumed run groups its inputs as the run did (readers.GroupOptions).
    group_by: str | None = Field(default=None, description="The rule that grouped documents "
                                 "into one report per patient or case; None: not grouped")


class ContextOptions(_Part):
    ctx_cap: int = Field(default=8192, ge=512, le=262144,
                         description="Upper limit of the context size in tokens")
    # None: the task's too_long (whose default is split).
    long_reports: Literal["split", "truncate", "error"] | None = Field(
        default=None, description="A report longer than the context: read in sections, cut "
                                  "to fit, or an error record; None: as the task says")


class HardwareOptions(_Part):
    # None: chosen from the machine (models/hardware.py default_threads and
    # default_batch_threads): the physical cores but one, since llama.cpp's threads stall by an
    # order of magnitude when another program holds one of them up.
    n_threads: int | None = Field(default=None, ge=1, le=512,
                                  description="CPU threads for generating; None: chosen here")
    n_threads_batch: int | None = Field(
        default=None, ge=1, le=512,
        description="CPU threads for prompt batches and parallel answers; None: n_threads if "
                    "set, else chosen here")
    n_gpu_layers: int = Field(default=0, ge=-1, description="Layers on the GPU; -1 for all")
    n_batch: int = Field(default=512, ge=1, description="Prompt tokens evaluated per batch")
    # Reports decoded together (continuous batching); None: models/hardware.py
    # default_parallel, 1 on a CPU, where it did not help (measured on 2 cores, see there).
    parallel: int | None = Field(default=None, ge=1, le=64,
                                 description="Reports decoded at once; None: chosen here")
    # How the decoder batches (engine/decoder.py); None: auto. On the CPU each report's prompt
    # is decoded alone and every sequence has its own KV stream, so an answer does not depend
    # on what runs beside it; on a GPU prompts ride in the answers' batch and one KV cache holds
    # the prefix once, which keeps the GPU busy (the GPU issue: 2.3x at parallel 64 otherwise).
    mix_prompts: bool | None = Field(default=None, description="Prompt chunks in the answers' "
                                     "batch; None: on a GPU only")
    kv_unified: bool | None = Field(default=None, description="One KV cache for all reports; "
                                    "None: on a GPU only")


class DecodingOptions(_Part):
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    seed: int = Field(default=0, ge=0)
    # Seconds one report's answer may take; None for no limit. A looping model on a slow
    # machine otherwise holds the run for many minutes on one report.
    time_limit: float | None = Field(default=300.0, gt=0)
    probabilities: bool = Field(default=True,
                                description="Option probabilities of bool and enum fields")
    # A thinking model's reasoning before its answer, in tokens: 0 closes the block empty (no
    # thinking), N lets it think up to N tokens; None: as the task says, else auto (a thinking
    # model thinks up to thinking.AUTO_BUDGET, any other model answers at once).
    thinking_budget: int | None = Field(default=None, ge=0, le=131072,
                                        description="Thinking tokens before the answer; 0: "
                                                    "off; None: auto")
    thinking_retry: bool = Field(default=False, description="Retry an answer that thinking "
                                 "left unfinished once, with half the budget")
    # Self-consistency: N answers per report (the first at the run's temperature, the others
    # sampled), the majority kept per field with its agreement k of N (extraction/passes.py).
    passes: int = Field(default=1, ge=1, le=20,
                        description="Answers per report; the majority is kept per field")

    @model_validator(mode="before")
    @classmethod
    def _drop_removed(cls, data: Any) -> Any:
        """reuse_prefix (off re-evaluated every prompt, for benchmarks) went with the decoder,
        which evaluates the shared prefix once: settings and manifests that name it still
        load."""
        if isinstance(data, dict) and "reuse_prefix" in data:
            data = {k: v for k, v in data.items() if k != "reuse_prefix"}
        return data


class ServerOptions(_Part):
    """An OpenAI-compatible inference server that answers in place of a local model
    (engine/server.py). The API key itself is never an option: only where to find it."""

    url: str = Field(description="The server's base URL, e.g. https://llm.hospital.nl:8080")
    model: str | None = Field(default=None,
                              description="The served model; None: the first it lists")
    # None: the server's slot count where it reports one (llama-server), 1 for
    # llama-cpp-python's server (it answers one request at a time), else 4.
    concurrency: int | None = Field(default=None, ge=1, le=256,
                                    description="Requests in flight at once")
    timeout_s: float = Field(default=300.0, gt=0, le=86400,
                             description="Seconds to wait for one answer")
    retries: int = Field(default=3, ge=0, le=20,
                         description="Retries of a refused connection, a 429 or a 503")
    ca_bundle: str | None = Field(default=None,
                                  description="CA certificates (PEM) to verify TLS; None: the "
                                              "system's store")
    api_key_env: str | None = Field(default=None, description="Environment variable that "
                                    "holds the API key")
    api_key_keyring: bool = Field(default=False, description="Read the API key from the OS "
                                  "keyring (service 'pluk', user: the server's origin)")
    # auto: Pluk's own grammar where the server takes GBNF (the llama.cpp servers), so the
    # answers are constrained as a local run's; the JSON schema elsewhere (vLLM, others).
    constraint: Literal["auto", "json_schema", "gbnf"] = "auto"

    @field_validator("url")
    @classmethod
    def _check_url(cls, url: str) -> str:
        url = url.strip().rstrip("/")
        if url.endswith("/v1"):  # the OpenAI base URL as clients write it
            url = url[:-3]
        scheme, sep, rest = url.partition("://")
        if scheme.lower() not in ("http", "https") or not sep or not rest.split("/")[0]:
            raise ValueError("the server URL must start with http:// or https:// and name a "
                             "host")
        return url


class PrivacyOptions(_Part):
    # None: on with a server (the reports leave the machine), off for a local model; a server
    # run with False says so in its manifest (privacy/runs.py manifest_entry).
    pseudonymise: bool | None = Field(
        default=None, description="Replace names, places, dates and other identifiers by "
                                  "placeholders (deduce) before the model sees a report; None: "
                                  "on with a server, off locally")


class RunOptions(_Part):
    reading: ReadingOptions = Field(default_factory=ReadingOptions)
    context: ContextOptions = Field(default_factory=ContextOptions)
    hardware: HardwareOptions = Field(default_factory=HardwareOptions)
    decoding: DecodingOptions = Field(default_factory=DecodingOptions)
    # None: the local model; a server runs the reports instead (no model file, no hardware).
    server: ServerOptions | None = None
    privacy: PrivacyOptions = Field(default_factory=PrivacyOptions)

    def pseudonymises(self) -> bool:
        """Whether the reports are pseudonymised: as asked, else on with a server only."""
        asked = self.privacy.pseudonymise
        return self.server is not None if asked is None else asked

    @classmethod
    def from_saved(cls, saved: dict[str, Any]) -> RunOptions:
        """The options of a manifest or settings file: this shape, or the flat one of earlier
        versions ({"ctx_cap": ..., "n_threads": ...}); other keys (context_plan, dragon) are
        left out."""
        return cls.model_validate(nest_flat_options(saved))


def _part_of_field() -> dict[str, str]:
    # The parts that existed flat in earlier versions (the server part never did).
    return {name: part for part, info in RunOptions.model_fields.items()
            if isinstance(info.annotation, type) for name in info.annotation.model_fields}


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
