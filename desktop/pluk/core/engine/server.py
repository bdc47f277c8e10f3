"""ServerEngine: the Engine protocol over a hospital's OpenAI-compatible inference server.

The server renders the chat prompt with its own template and tokenizes it, so a request
carries chat messages (ExtractRequest.messages), not tokens, and the engine has no tokenizer
of its own: tokenize/detokenize raise, prepare is a no-op. Reports run N at a time (N requests
in flight; default the server's slot count where it reports one), each yielded as it finishes,
so a slow report never holds up the others. Stop cancels every request in flight at once
(the client's connections are closed). Faults are server_http's: a report whose retries run
out is an error result; a server that is gone stops the run (ServerError). Everything the
server says comes from server_http.send with the API key taken out (a gateway may echo it).

The answer is constrained by what the server accepts (`ServerOptions.constraint`, "auto"):
- llama-server (llama.cpp): Pluk's own GBNF in `grammar` (the local engine's grammar), or the
  schema as `response_format: {"type": "json_schema", "json_schema": {..., "strict": true}}`;
  its slot count from GET /props `total_slots`; samplers pinned (top_k 0, top_p 1, min_p 0,
  repeat_penalty 1) so temperature 0 is the plain argmax, as locally;
- llama-cpp-python's server (0.3.36): the GBNF in `grammar`, or the schema as
  `response_format: {"type": "json_object", "schema": ...}` (its request model refuses the type
  "json_schema"; its converter ignores minimum/maximum, which Pluk's validation still checks);
  it answers one request at a time (so concurrency 1 by default), and its default
  repeat_penalty of 1.1 is set to 1;
- vLLM and other OpenAI-compatible servers: the JSON schema as `response_format` json_schema.
Temperature, seed and max_tokens go with every request. For the decisions of bool and enum
fields `logprobs` with `top_logprobs` are asked for and read by server_logprobs; a server that
returns none leaves the probabilities out, with the warning saying so.

A server's answer is believed only in the shape of a chat completion (ChatCompletion, checked
at the boundary: choices with a message whose content is text or null; token counts whole
numbers), read no further than its max_tokens allows (server_http.answer_bytes), its content
no longer than max_tokens tokens could write and its JSON within load_json's limits (depth,
integer digits, no key twice); a request's whole life, retries included, is bounded by the
run's time limit (--time-limit). Anything else is that report's error record with the reason;
logprobs of the wrong shape only leave the probabilities out, with a warning.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Annotated, Any

from pydantic import (BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError,
                      field_validator)

from pluk.core.engine.protocol import (EngineFacts, ExtractRequest, ExtractResult,
                                       PreparedPrompt, ShouldStop)
from pluk.core.engine.server_http import (TOKEN_BYTES, JSONLimitError, RequestFailed,
                                          ServerError, ServerInfo, answer_bytes, api_key,
                                          check_url, discover, load_json, make_client, send)
from pluk.core.engine.server_logprobs import decision_probabilities
from pluk.core.engine.server_thinking import server_thinking, split_reasoning, thinking_request
from pluk.core.errors import CancelledError, PlukError
from pluk.core.options import DecodingOptions, ServerOptions

TOP_LOGPROBS = 20  # the most OpenAI's API (and vLLM by default) gives per token
DEFAULT_CONCURRENCY = 4
_LLAMA_CPP = ("llama-server", "llama-cpp-python")
_POLL_S = 0.05  # how often the caller's thread looks at should_stop
_END = object()


class ServerResult(ExtractResult):
    """An ExtractResult with what the server path has to say beside it (missing logprobs)."""

    warnings: list[str] = Field(default_factory=list)


# -- a chat completion, as Pluk reads one ----------------------------------------------------------

_Count = Annotated[StrictInt, Field(ge=0, le=1 << 40)]  # no bool, float, text or list


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _Message(_Part):
    content: StrictStr | None = None
    # A thinking model's reasoning, split off by the server's reasoning parser (llama-server
    # and older vLLM: reasoning_content; vLLM 0.10 and later: reasoning).
    reasoning_content: StrictStr | None = None
    reasoning: StrictStr | None = None


class _Choice(_Part):
    message: _Message
    finish_reason: StrictStr | None = None
    logprobs: Any = None

    @field_validator("logprobs", mode="before")
    @classmethod
    def _logprobs(cls, value: Any) -> list[dict[str, Any]] | None:
        """The token entries (logprobs.content), or None where they are missing or of the
        wrong shape (the probabilities are then left out, with the warning saying so)."""
        entries = value.get("content") if isinstance(value, dict) else None
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            return None
        for entry in entries:
            top = entry.get("top_logprobs")
            if top is not None and (not isinstance(top, list)
                                    or not all(isinstance(t, dict) for t in top)):
                return None
        return entries


class _Details(_Part):
    cached_tokens: _Count | None = None


class _Completion(_Part):
    reasoning_tokens: _Count | None = None


class _Usage(_Part):
    prompt_tokens: _Count | None = None
    completion_tokens: _Count | None = None
    prompt_tokens_details: _Details | None = None
    completion_tokens_details: _Completion | None = None


class _Timings(_Part):
    cache_n: _Count | None = None


class ChatCompletion(_Part):
    """The part of a chat completion Pluk reads; every other key is ignored."""

    choices: list[_Choice] = Field(min_length=1)
    usage: _Usage | None = None
    timings: _Timings | None = None  # llama-server's


def _shape_error(exc: ValidationError) -> str:
    """The first thing wrong with an answer's shape, in one line (no values quoted)."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "the answer"
    more = exc.error_count() - 1
    return f"{where}: {first['msg']}" + (f"; and {more} more" if more else "")


class ServerEngine:
    """One configured server; connect() asks what it serves, extract() sends the reports."""

    renders_prompt = True  # the server renders the chat messages with its own template

    def __init__(self, options: ServerOptions, decoding: DecodingOptions | None = None):
        check_url(options.url)  # an impossible port, in one sentence
        self.options = options
        self.decoding = decoding or DecodingOptions()
        self._key = api_key(options)  # read once; it lives only in the client's headers
        self.info: ServerInfo | None = None

    # -- facts -------------------------------------------------------------------------------

    def connect(self) -> ServerInfo:
        async def ask() -> ServerInfo:
            async with make_client(self.options, self._key, connections=1) as client:
                return await discover(client, self.options)

        self.info = asyncio.run(ask())
        return self.info

    def _known(self) -> ServerInfo:
        if self.info is None:
            self.connect()
        return self.info

    @property
    def concurrency(self) -> int:
        info = self._known()
        if self.options.concurrency:
            return self.options.concurrency
        if info.slots:
            return info.slots
        return 1 if info.variant == "llama-cpp-python" else DEFAULT_CONCURRENCY

    @property
    def constraint(self) -> str:
        if self.options.constraint != "auto":
            return self.options.constraint
        return "gbnf" if self._known().variant in _LLAMA_CPP else "json_schema"

    def request_options(self) -> dict[str, Any]:
        """What every request sends besides its messages, grammar and max_tokens (for the
        manifest)."""
        info = self._known()
        sent: dict[str, Any] = {"model": info.model, "temperature": self.decoding.temperature,
                                "seed": self.decoding.seed, "top_p": 1.0, "stream": False}
        if info.variant in _LLAMA_CPP:
            sent.update(top_k=0, min_p=0.0, repeat_penalty=1.0)
        if self.decoding.probabilities:
            sent.update(logprobs=True, top_logprobs=TOP_LOGPROBS)  # with decision fields only
        if self.constraint == "gbnf":
            sent["constraint"] = "grammar (Pluk's GBNF)"
        elif info.variant == "llama-cpp-python":
            sent["constraint"] = "response_format json_object with schema"
        else:
            sent["constraint"] = "response_format json_schema (strict)"
        return sent

    def facts(self) -> EngineFacts:
        info = self._known()
        return EngineFacts(
            kind=f"openai-compatible server ({info.variant})", model=info.model,
            n_ctx=info.n_ctx or 0, n_vocab=0, parallel=self.concurrency,
            grammar=self.request_options()["constraint"],
            versions={"server": info.version or "unknown"},
            options={"url": info.url, "timeout_s": self.options.timeout_s,
                     "retries": self.options.retries, **self.request_options()})

    def tokenize(self, text: str, *, special: bool = False, add_bos: bool = False
                 ) -> list[int]:
        raise PlukError("Tokens are not available with a server engine: the server tokenizes "
                        "the prompt itself")

    def detokenize(self, tokens: list[int]) -> str:
        raise PlukError("Tokens are not available with a server engine")

    def prepare(self, prefix_tokens: list[int], *, should_stop: ShouldStop | None = None
                ) -> PreparedPrompt:
        """Nothing to do: the server caches a shared prompt prefix itself, where it can."""
        return PreparedPrompt(tokens=list(prefix_tokens))

    def max_tokens(self, budget: int) -> int:
        """The answer's budget, within the server's context where it says how large."""
        n_ctx = self._known().n_ctx
        return min(budget, n_ctx) if n_ctx else budget

    # -- requests ----------------------------------------------------------------------------

    def body(self, request: ExtractRequest) -> dict[str, Any]:
        if not request.messages:
            raise PlukError(f"Request {request.id} has no chat messages for the server")
        info = self._known()
        body = {key: value for key, value in self.request_options().items()
                if key not in ("constraint", "logprobs", "top_logprobs")}
        body.update(messages=request.messages, max_tokens=request.max_tokens)
        if request.temperature is not None:  # a sampled pass of --passes
            body.update(temperature=request.temperature, seed=request.seed)
        if self.constraint == "gbnf":
            body["grammar"] = request.grammar.gbnf
        elif request.schema is None:
            raise PlukError(f"Request {request.id} has no JSON schema for the server")
        elif info.variant == "llama-cpp-python":
            body["response_format"] = {"type": "json_object", "schema": request.schema}
        else:
            body["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "pluk_answer", "schema": request.schema, "strict": True}}
        if request.decisions and self.decoding.probabilities:
            body.update(logprobs=True, top_logprobs=TOP_LOGPROBS)
        if request.thinking is not None:
            body.update(thinking_request(info.variant, request.thinking.budget))
        return body

    async def _answer(self, client, request: ExtractRequest) -> ServerResult:
        """The request's result; every failure of this one report is its error result."""
        started = time.perf_counter()
        base = dict(id=request.id, token_limit=request.max_tokens)

        def failed(reason: str) -> ServerResult:
            return ServerResult(text="", finish_reason="error", error=reason, tokens_prompt=0,
                                tokens_cached=0, tokens_output=0,
                                seconds=time.perf_counter() - started, **base)

        limit = request.time_limit
        try:
            # The whole request, its retries and waits included: a server that trickles its
            # answer a byte at a time is stopped here, as a local answer is at the limit.
            result = await asyncio.wait_for(self._ask(client, request, started), limit)
        except asyncio.TimeoutError:
            return failed(f"no whole answer within the {limit:g}-second time limit per "
                          "report (--time-limit)")
        except RequestFailed as exc:
            return failed(str(exc))
        except ValueError as exc:  # not JSON, or beyond load_json's limits
            return failed(f"the server's answer cannot be read: {exc}")
        return result if isinstance(result, ServerResult) else failed(result)

    async def _ask(self, client, request: ExtractRequest, started: float) -> ServerResult | str:
        """The server's answer as a result, or the reason it is none."""
        body = self.body(request)
        # The answer as send() gives it: no more of it than its max_tokens allows, the API key
        # taken out of it were it echoed.
        data = await send(client, "POST", "/v1/chat/completions", retries=self.options.retries,
                          body=body, max_bytes=answer_bytes(request.max_tokens,
                                                            logprobs=bool(body.get("logprobs"))))
        try:
            answer = ChatCompletion.model_validate(data)
        except ValidationError as exc:
            return f"the server's answer is not a chat completion ({_shape_error(exc)})"
        choice, usage = answer.choices[0], answer.usage or _Usage()
        text, reasoning = split_reasoning(choice.message.content or "",
                                          choice.message.reasoning_content
                                          or choice.message.reasoning)
        output = usage.completion_tokens or 0
        if output > request.max_tokens:
            return (f"the server answered with {output} tokens, more than the max_tokens of "
                    f"{request.max_tokens} it was asked for")
        if len(text.encode("utf-8", "surrogatepass")) > request.max_tokens * TOKEN_BYTES:
            return (f"the server's answer is longer than the {request.max_tokens} tokens of "
                    "its max_tokens could write")
        try:
            load_json(text)
        except JSONLimitError as exc:  # the answer's own JSON: duplicates, depth, digits
            return f"the answer cannot be read: {exc}"
        except ValueError:
            pass  # not JSON: answer_record says so, in an invalid record
        cached = ((usage.prompt_tokens_details or _Details()).cached_tokens
                  or (answer.timings or _Timings()).cache_n or 0)
        probabilities, warnings = {}, []
        if request.decisions and self.decoding.probabilities:
            try:
                probabilities, warnings = decision_probabilities(text, choice.logprobs,
                                                                 request.decisions)
            except Exception as exc:  # the values stand; only their probabilities are missing
                probabilities, warnings = {}, [f"Option probabilities could not be read from "
                                               f"the server's logprobs: {exc}"]
        return ServerResult(
            text=text, finish_reason="length" if choice.finish_reason == "length" else "stop",
            tokens_prompt=usage.prompt_tokens or 0, tokens_cached=cached, tokens_output=output,
            seconds=time.perf_counter() - started, probabilities=probabilities,
            warnings=warnings, id=request.id, token_limit=request.max_tokens,
            **server_thinking(request, reasoning, usage, time.perf_counter() - started))

    def extract(self, prompt: PreparedPrompt, requests: Iterable[ExtractRequest], *,
                should_stop: ShouldStop | None = None) -> Iterator[ServerResult]:
        """Send the requests, `concurrency` at a time; yield each result as it finishes. A true
        should_stop() raises CancelledError and cancels what is in flight (no result for
        it); a server that is gone raises ServerError after the results before it."""
        stop = should_stop or (lambda: False)
        batch = _Batch(self, iter(requests))
        batch.start()
        try:
            while True:
                if stop():
                    raise CancelledError("stopped; the requests in flight were cancelled")
                try:
                    item = batch.out.get(timeout=_POLL_S)
                except queue.Empty:
                    continue
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            batch.cancel()

    def close(self) -> None:
        """Nothing is held between extract() calls: each opens and closes its own client."""

    def __enter__(self) -> "ServerEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Batch(threading.Thread):
    """One extract() call: an asyncio loop on its own thread, with up to `concurrency`
    requests in flight; results, and a fatal error, go to `out`."""

    def __init__(self, engine: ServerEngine, requests: Iterator[ExtractRequest]):
        super().__init__(name="pluk-server-requests", daemon=True)
        self.engine = engine
        self.requests = requests
        self.out: queue.Queue = queue.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._main: asyncio.Task | None = None
        self._started = threading.Event()
        self._cancelled = False

    def run(self) -> None:
        try:
            asyncio.run(self._run())
        finally:
            self.out.put(_END)

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._main = asyncio.current_task()
        self._started.set()
        if self._cancelled:
            return
        engine = self.engine
        n = engine.concurrency
        pending: set[asyncio.Task] = set()
        try:
            async with make_client(engine.options, engine._key, connections=n) as client:
                try:
                    for request in self.requests:
                        while len(pending) >= n:
                            pending = await self._collect(pending)
                        pending.add(asyncio.create_task(engine._answer(client, request)))
                    while pending:
                        pending = await self._collect(pending)
                finally:  # before the client closes: nothing may outlive it
                    for task in pending:
                        task.cancel()
                    if pending:
                        await asyncio.gather(*pending, return_exceptions=True)
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # ServerError, or a request that could not be built
            self.out.put(exc)

    async def _collect(self, pending: set[asyncio.Task]) -> set[asyncio.Task]:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        failures = [task.exception() for task in done if task.exception() is not None]
        for task in done:
            if task.exception() is None:
                self.out.put(task.result())  # what finished beside a failure still counts
        if failures:
            raise failures[0]
        return pending

    def cancel(self) -> None:
        """Cancel what is in flight and wait (briefly) for the connections to close."""
        self._cancelled = True
        if self._started.wait(timeout=1.0) and self._loop is not None:
            try:
                self._loop.call_soon_threadsafe(self._main.cancel)
            except RuntimeError:  # the loop has finished already
                pass
        self.join(timeout=2.0)


__all__ = ["ServerEngine", "ServerError", "ServerResult", "TOP_LOGPROBS"]
