"""The Engine protocol: what the extraction pipeline asks of a model, and the data it gets back.

An engine prepares a run's fixed prompt once (the prefix every report shares), then extracts a
batch of reports, yielding one result per report as each finishes (in order of completion; the
caller keeps input order for exports itself). Every answer is constrained by a grammar; a guard
may steer it where the grammar cannot; the probabilities of the options of top-level bool and
enum fields are read at the moment the model decides them.

The types are small and plain so that an engine other than Pluk's own decoder (for example a
remote OpenAI-compatible server) can implement the same protocol: requests are data apart from
the guard factory, results and facts are pydantic models that go into records and manifests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, make_dataclass
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from pluk.core.engine.answer_guard import Steer
from pluk.core.thinking import ThinkingFacts

ShouldStop = Callable[[], bool]
FinishReason = Literal["stop", "length", "time", "error"]


@runtime_checkable
class Steering(Protocol):
    """Follows an answer as text and says what the next token may be (AnswerGuard)."""

    def feed(self, piece: str) -> None: ...

    def steer(self) -> Steer: ...


class DecisionSpec(BaseModel):
    """A top-level field whose decision is read from the model's own distribution: its JSON key
    and, per option, the texts the grammar lets the model write it as (scoring.option_forms:
    "true"; '"4"' and 4; "null")."""

    key: str
    options: dict[str, list[str]]


@dataclass(frozen=True)
class GrammarSpec:
    """The answer's language as GBNF (engine/grammar.py writes it from the task's schema)."""

    gbnf: str


@dataclass(frozen=True)
class ThinkingSpec:
    """A thinking model's block before the answer (extraction/thinking_plan.py): think
    unconstrained up to `budget` tokens; when the model writes one of `stop_tokens` (or an end
    of generation) `close_tokens` are forced instead, at the budget `cut_tokens`; then the
    answer's grammar applies. The prompt has opened the block already."""

    budget: int
    close_tokens: list[int]
    cut_tokens: list[int]
    stop_tokens: frozenset[int]
    retried: bool = False

    @property
    def reserve(self) -> int:
        return self.budget + max(len(self.close_tokens), len(self.cut_tokens))


@dataclass
class ExtractRequest:
    """One report to answer. `tokens` follow the prepared prefix (report, then the prompt's
    suffix), or its first `prefix_keep` tokens. `guard` makes a fresh guard for the answer (a
    factory, not an instance: an engine may restart an answer). `time_limit` is in seconds;
    `max_tokens` bounds the answer."""

    id: str
    tokens: list[int]
    grammar: GrammarSpec
    max_tokens: int
    time_limit: float | None = None
    guard: Callable[[], Steering] | None = None
    decisions: list[DecisionSpec] = field(default_factory=list)
    # How many tokens of the prepared prefix this report's prompt shares, when fewer than all
    # (few-shot examples chosen per report): `tokens` then start from there. None: all.
    prefix_keep: int | None = None
    # Told what the model does, for a progress display: ("prompt", tokens to read) when the
    # report starts, then ("answer", tokens so far) after each step.
    on_phase: Callable[[str, int], None] | None = None
    # For an engine that renders the prompt itself (a server): chat messages, the JSON schema.
    messages: list[dict[str, str]] | None = None
    schema: dict | None = None
    # A thinking model thinks first (its tokens count apart from max_tokens); None: it answers.
    thinking: ThinkingSpec | None = None
    # A pass after the first of --passes samples: its own temperature and (for a server) seed;
    # None: the engine's. The local decoder seeds each answer from its id, which differs.
    temperature: float | None = None
    seed: int | None = None
    # Requests with the same key and the same prompt (the passes of one report) share its
    # evaluated prompt: the decoder copies it from one that has it; None: never shared.
    prompt_key: str | None = None


class DecodeStats(BaseModel):
    """Counts of what a decoder did, for one report or a whole batch."""

    decode_calls: int = 0
    tokens_evaluated: int = 0   # every token put through llama_decode (prompt, answer, side)
    prompt_tokens: int = 0
    sampled_tokens: int = 0     # answer tokens the model chose
    forced_tokens: int = 0      # answer tokens the grammar forced (fast-forwarded in a batch)
    masks_computed: int = 0     # full grammar masks: only where the model's choice was refused
    side_tokens: int = 0        # tokens evaluated to read a decision the answer did not take
    preempted: int = 0          # answers restarted because the KV cache ran full

    def add(self, other: "DecodeStats") -> None:
        for name in DecodeStats.model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _as_stats(counts) -> DecodeStats:
    return DecodeStats(**{name: getattr(counts, name) for name in DecodeStats.model_fields})


# DecodeStats' counters as a plain object with slots, for the decoder's hot path: they are
# written per token and per sequence, where a pydantic model's assignment costs about ten times
# a plain one (250 against 26 ns measured). as_stats() gives the boundary's DecodeStats.
DecodeCounts = make_dataclass("DecodeCounts", [(name, int, 0) for name in DecodeStats.model_fields],
                              slots=True, namespace={"as_stats": _as_stats})


class ExtractResult(BaseModel):
    id: str
    text: str
    output_tokens: list[int] = Field(default_factory=list, exclude=True)
    finish_reason: FinishReason
    error: str | None = None
    tokens_prompt: int
    tokens_cached: int
    tokens_output: int
    token_limit: int
    seconds: float
    # field key -> option -> probability, for every DecisionSpec whose value the answer wrote
    probabilities: dict[str, dict[str, float]] = Field(default_factory=dict)
    stats: DecodeStats = Field(default_factory=DecodeStats)
    # What a thinking model did before `text`, and its reasoning (for review; never logged).
    thinking: ThinkingFacts | None = None
    thinking_text: str | None = None


class PreparedPrompt(BaseModel):
    """A run's fixed prompt prefix, evaluated once and shared by every report."""

    tokens: list[int]
    generation: int = 0  # which preparation of the engine this is; a stale one is re-prepared


class EngineFacts(BaseModel):
    """What a run manifest records about the engine."""

    kind: str                      # "llama.cpp (pluk decoder)", "openai-compatible", ...
    model: str                     # the model file's name or the served model's id
    n_ctx: int
    n_vocab: int
    parallel: int
    n_threads: int | None = None
    n_threads_batch: int | None = None
    grammar: str                   # the grammar engine and its version
    versions: dict[str, str] = Field(default_factory=dict)
    options: dict[str, object] = Field(default_factory=dict)
    # How the engine runs the model where the load probe saw its default way crash (the AMX
    # path: "without llama.cpp's extra buffer types ...: the default crashed while computing
    # (...)"); None: the default way.
    fallback: str | None = None


class Engine(Protocol):
    """What an extraction run needs of a model (extraction/loop.py's run_extraction also reads
    the context size and token classes of a model it tokenizes for: its TokenEngine).
    `renders_prompt`: the engine renders the chat prompt itself from a request's messages (a
    server); else it takes tokens (Pluk's decoder)."""

    renders_prompt: bool

    def facts(self) -> EngineFacts: ...

    def tokenize(self, text: str, *, special: bool = False, add_bos: bool = False,
                 ) -> list[int]: ...

    def detokenize(self, tokens: list[int]) -> str: ...

    def prepare(self, prefix_tokens: list[int], *, should_stop: ShouldStop | None = None,
                ) -> PreparedPrompt: ...

    def extract(self, prompt: PreparedPrompt, requests: Iterable[ExtractRequest], *,
                should_stop: ShouldStop | None = None) -> Iterator[ExtractResult]: ...
