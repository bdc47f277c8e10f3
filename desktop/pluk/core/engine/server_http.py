"""HTTP to an OpenAI-compatible inference server: the client, TLS, the API key, retries, and
what the server says about itself (ServerInfo).

The client connects to the configured server and nowhere else: no proxy from the environment
(`trust_env=False`), no redirects. TLS is verified against the system's certificate store
(httpx2's default, by truststore on Windows and macOS) or the CA bundle the user names. The
API key comes from an environment variable or the OS keyring (service "pluk", user the server's
origin) and lives only in the client's headers: it is never an option, and no message, record
or manifest is built from those headers.

A server (or a gateway before it) may echo the request's headers back, in an error or anywhere
else. So whatever a server sends enters Pluk in one place, send(), and through the client's
Redactor: the answer's JSON with the key (and a password in the URL) replaced by "[redacted]"
in every string, and every RequestFailed/ServerError message built there redacted alike. No
other code reads a response.

What a server sends is bounded before it is believed: a body is read as it streams, its bytes
counted after decompression, no further than a bound (an answer's from its max_tokens,
answer_bytes; a fixed one for discovery and error bodies), and its JSON read within limits
(server_json.py). Each try of a request has --server-timeout for its whole life (a trickle
does not restart it); the engine bounds a request with its retries by --time-limit.

Faults: a refused or dropped connection and an HTTP 429 or 503 are retried with exponential
backoff (a Retry-After header is respected); a request that gets no answer within the timeout
is not (the server is busy with it; a second try would double the wait). When the retries run
out on a 429/503 or the timeout passes, that one request fails (RequestFailed: its report's
error record, with the limit and the last error). When they run out on the connection itself,
or TLS or the API key is refused, the server is gone for every report alike: ServerError stops
the run, every finished record stays, and --resume completes it.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import os
import ssl
import time
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import httpx2 as httpx
from pydantic import BaseModel, Field

from pluk.core.engine.redact import Redactor
from pluk.core.engine.server_json import JSONLimitError, load_json, short  # noqa: F401
from pluk.core.errors import PlukError
from pluk.core.options import ServerOptions

Variant = Literal["llama-server", "vllm", "llama-cpp-python", "openai"]
KEYRING_SERVICE = "pluk"
CONNECT_TIMEOUT_S = 10.0
_RETRY_STATUS = {429, 503}
_MAX_WAIT_S = 120.0  # the longest Retry-After honoured, so a bad header cannot hold a run

# How much of what a server sends is read. An answer's bound is answer_bytes(max_tokens): no
# tokenizer has a token of more than TOKEN_BYTES bytes, each of which JSON may escape as
# \uXXXX (6 bytes); logprobs add the chosen token and its alternatives for every token; and
# the envelope (ids, usage, timings) takes ENVELOPE_BYTES at most.
TOKEN_BYTES = 256
_BODY_BYTES_PER_TOKEN = 6 * TOKEN_BYTES + 512
_LOGPROB_BYTES_PER_TOKEN = 8 * 1024
ENVELOPE_BYTES = 1 << 20
DISCOVERY_BYTES = 8 << 20       # GET /v1/models, /props, /version
_ERROR_BYTES = 64 * 1024        # the body of an error response: its message is cut to 300


class ServerError(PlukError):
    """The server cannot be used at all (unreachable after the retries, TLS or the API key
    refused, no such model): the run stops; --resume continues it."""


class RequestFailed(Exception):
    """One request failed for good (its retries ran out, no answer in time, an answer larger
    than its bound): the reason becomes its report's error record."""


def answer_bytes(max_tokens: int, *, logprobs: bool = False) -> int:
    """The most bytes (decompressed) of a chat completion read for an answer of at most
    `max_tokens` tokens."""
    per_token = _BODY_BYTES_PER_TOKEN + (_LOGPROB_BYTES_PER_TOKEN if logprobs else 0)
    return ENVELOPE_BYTES + max(max_tokens, 0) * per_token


def check_url(url: str) -> None:
    """PlukError, in one sentence, where the server URL's port is no port (99999, 0, 'abc')."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        where = parts.netloc.rpartition("@")[2]  # no credentials in the message
        raise PlukError(f"The server URL's address {where} has no valid port: a port is a "
                        "number from 1 to 65535")


# -- where and who -------------------------------------------------------------------------------

def strip_credentials(url: str) -> str:
    """The URL without user:password@ (what manifests, messages and logs show)."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def origin(url: str) -> str:
    """scheme://host:port of a URL (the keyring's user name for the server's key)."""
    parts = urlsplit(strip_credentials(url))
    return f"{parts.scheme}://{parts.hostname}:{address(url)[1]}"


def address(url: str) -> tuple[str, int]:
    """The host and port a URL connects to."""
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)


def api_key(options: ServerOptions) -> str | None:
    """The server's API key from where the options say it is, or None for a server without
    one; PlukError when the named place holds none."""
    if options.api_key_env:
        value = os.environ.get(options.api_key_env, "").strip()
        if not value:
            raise PlukError(f"The environment variable {options.api_key_env}, which should hold "
                            "the server's API key, is not set")
        return value
    if options.api_key_keyring:
        user = origin(options.url)
        try:
            import keyring

            value = keyring.get_password(KEYRING_SERVICE, user)
        except Exception as exc:  # no backend, a locked store: say so in one line
            raise PlukError(f"The OS keyring could not be read: {exc}") from None
        if not value:
            raise PlukError(f"The OS keyring holds no API key for {user} (service "
                            f"'{KEYRING_SERVICE}'); store one with: python -m keyring set "
                            f"{KEYRING_SERVICE} {user}")
        return value
    return None


def tls_verify(ca_bundle: str | None) -> ssl.SSLContext | bool:
    """What the client verifies the server's certificate against."""
    if not ca_bundle:
        return True  # httpx2: the system's store (truststore on Windows and macOS)
    try:
        return ssl.create_default_context(cafile=ca_bundle)
    except (OSError, ssl.SSLError) as exc:
        raise PlukError(f"The CA bundle {ca_bundle} cannot be read: {exc}") from None


class ServerClient(httpx.AsyncClient):
    """The HTTP client of one server, with the Redactor of its secrets that send() passes
    everything the server says through."""

    def __init__(self, redact: Redactor, **kwargs: Any):
        super().__init__(**kwargs)
        self.redact = redact


def make_client(options: ServerOptions, key: str | None, *, connections: int
                ) -> ServerClient:
    check_url(options.url)
    parts = urlsplit(options.url)
    # Credentials in the URL are HTTP basic auth, for a server behind such a gateway; an API
    # key (a bearer token) takes the Authorization header instead.
    auth = ((parts.username or "", parts.password or "")
            if parts.username is not None and not key else None)
    basic = (base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
             if auth and auth[1] else None)
    return ServerClient(
        Redactor([key, parts.password, basic]),
        base_url=strip_credentials(options.url),
        headers={"Authorization": f"Bearer {key}"} if key else {},
        auth=auth,
        timeout=httpx.Timeout(options.timeout_s,
                              connect=min(options.timeout_s, CONNECT_TIMEOUT_S)),
        verify=tls_verify(options.ca_bundle),
        trust_env=False,  # no proxy or CA from the environment: this server and no other
        follow_redirects=False,
        limits=httpx.Limits(max_connections=connections + 2,
                            max_keepalive_connections=connections + 2))


# -- requests with retries -----------------------------------------------------------------------

def retry_after(response: httpx.Response) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date), capped."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return min(max(seconds, 0.0), _MAX_WAIT_S)


def backoff(attempt: int) -> float:
    """The wait before retry `attempt` (0-based): 0.5, 1, 2, 4 ... seconds, at most 30."""
    return min(30.0, 0.5 * 2 ** attempt)


def _is_tls_failure(exc: BaseException) -> bool:
    while exc is not None:
        if isinstance(exc, ssl.SSLError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _server_message(status: int, data: bytes) -> str:
    """The reason a server gives in an error response (its first _ERROR_BYTES), short."""
    try:
        body = load_json(data)
    except ValueError:
        text = data[:1000].decode("utf-8", "replace").strip()
    else:
        error = body.get("error", body.get("detail", body)) if isinstance(body, dict) else body
        text = str(error.get("message", error) if isinstance(error, dict) else error)[:1000]
    text = " ".join(text.split())
    return f"HTTP {status}" + (f": {text[:300]}" if text else "")


class _TooLarge(Exception):
    """A body went past the bound it was read to."""


async def _body(response: httpx.Response, limit: int, *, cut: bool = False) -> bytes:
    """The body as it streams in, decompressed, up to `limit` bytes: _TooLarge past it (or,
    with `cut`, the first `limit` bytes). Decompression goes in bounded pieces (httpx2), so a
    gzip bomb is stopped at the bound too."""
    length = response.headers.get("content-length", "").strip()
    if not cut and length.isdigit() and int(length) > limit:
        raise _TooLarge(int(length))
    chunks, n = [], 0
    async for chunk in response.aiter_bytes():
        n += len(chunk)
        if n > limit:
            if cut:
                chunks.append(chunk[: len(chunk) - (n - limit)])
                break
            raise _TooLarge(n)
        chunks.append(chunk)
    return b"".join(chunks)


async def send(client: ServerClient, method: str, path: str, *, retries: int,
               body: dict[str, Any] | None = None, max_bytes: int = DISCOVERY_BYTES) -> Any:
    """One request with its retries: the server's JSON answer (load_json's, at most
    `max_bytes` of it) with the secrets taken out of every string in it (ValueError where it
    is not JSON or JSONLimitError refuses it), else RequestFailed (also for an answer larger
    than `max_bytes`) or ServerError, their messages redacted alike. The one place where a
    server's text enters Pluk."""
    redact = client.redact
    try:
        data = await _send(client, method, path, retries=retries, body=body,
                           max_bytes=max_bytes)
        return redact.value(load_json(data))
    except (RequestFailed, ServerError) as exc:
        raise type(exc)(redact(str(exc))) from None
    except JSONLimitError as exc:
        raise JSONLimitError(redact(str(exc))) from None
    except ValueError as exc:  # not JSON (or not text)
        raise ValueError(redact(f"it is not JSON ({exc})")) from None


async def _send(client: ServerClient, method: str, path: str, *, retries: int,
                body: dict[str, Any] | None = None, max_bytes: int = DISCOVERY_BYTES
                ) -> bytes:
    """One request with its retries; a 2xx response's body, else RequestFailed or ServerError
    (whose messages are not redacted yet: send's caller gets them redacted). Each try has the
    client's read timeout for its whole life, from connecting to the body's last byte."""
    where = f"{client.base_url}".rstrip("/")
    limit_s = client.timeout.read
    last = ""
    for attempt in range(retries + 1):
        wait: float | None = None
        try:
            response, data = await asyncio.wait_for(
                _try(client, method, path, body, max_bytes), limit_s)
        except _TooLarge as exc:
            allows = (f"its max_tokens of {body['max_tokens']} allows"
                      if body and "max_tokens" in body else "read of such an answer")
            raise RequestFailed(f"the server's answer is larger than the {max_bytes:,} bytes "
                                f"{allows} ({exc.args[0]:,} bytes or more); it was not read "
                                "further") from None
        except httpx.DecodingError as exc:
            raise RequestFailed(f"the server's answer could not be decompressed ({exc})"
                                ) from None
        except httpx.ConnectTimeout:
            last = f"no connection within {CONNECT_TIMEOUT_S:g} s"
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError,
                httpx.WriteError) as exc:
            if _is_tls_failure(exc):
                raise ServerError(f"TLS with {where} failed: {exc}; if the server's certificate "
                                  "is signed by the hospital's own CA, name its certificate "
                                  "with --ca-bundle") from None
            last = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        except (httpx.TimeoutException, asyncio.TimeoutError):
            raise RequestFailed(f"the server gave no answer within {limit_s:g} s "
                                "(the server timeout)") from None
        else:
            status = response.status_code
            if response.is_success:
                return data
            message = _server_message(status, data)
            if status in (401, 403):
                raise ServerError(f"{where} refused the request ({message}); "
                                  "check the API key")
            if status not in _RETRY_STATUS:
                raise RequestFailed(message)
            last = message
            wait = retry_after(response)
            if attempt == retries:
                raise RequestFailed(f"the server was busy: {last}, {retries + 1} times; gave "
                                    f"up after {retries} retries")
        if attempt == retries:
            raise ServerError(f"The server {where} cannot be reached ({last}) after "
                              f"{retries + 1} tries; the finished reports are kept, and "
                              "--resume continues the run")
        await asyncio.sleep(backoff(attempt) if wait is None else wait)
    raise AssertionError("unreachable")


async def _try(client: ServerClient, method: str, path: str, body: dict[str, Any] | None,
               max_bytes: int) -> tuple[httpx.Response, bytes]:
    """One try: the response (closed) and its body, read to `max_bytes` (_TooLarge past it);
    of an error response, its first _ERROR_BYTES."""
    request = client.build_request(method, path, json=body)
    response = await client.send(request, stream=True)
    try:
        if response.is_success:
            return response, await _body(response, max_bytes)
        return response, await _body(response, _ERROR_BYTES, cut=True)
    finally:
        await response.aclose()


# -- what the server says about itself -----------------------------------------------------------

class ServerInfo(BaseModel):
    """What a run manifest records of the server: where (no credentials), which kind, the
    model it serves and what it says of it (ids, owners, digests, context, slots, version)."""

    url: str
    variant: Variant
    model: str
    models: list[dict[str, Any]] = Field(default_factory=list)  # GET /v1/models, as given
    slots: int | None = None        # llama-server /props total_slots
    n_ctx: int | None = None        # the context per request, where the server says it
    version: str | None = None      # vLLM /version, llama-server build_info
    props: dict[str, Any] = Field(default_factory=dict)  # llama-server /props, a selection


_PROPS_KEYS = ("total_slots", "model_path", "build_info", "chat_template_caps", "modalities")


async def _json_or_none(client: ServerClient, path: str, retries: int) -> Any:
    try:
        return await send(client, "GET", path, retries=retries)
    except (RequestFailed, ValueError):
        return None


def _variant(models: list[dict[str, Any]], props: Any) -> Variant:
    owners = {str(m.get("owned_by", "")) for m in models}
    if isinstance(props, dict) and "total_slots" in props:
        return "llama-server"
    if "vllm" in owners:
        return "vllm"
    if "llamacpp" in owners:
        return "llama-server"
    if owners == {"me"}:  # llama-cpp-python's server names every model's owner "me"
        return "llama-cpp-python"
    return "openai"


async def discover(client: ServerClient, options: ServerOptions) -> ServerInfo:
    """Ask the server what it serves (GET /v1/models), and what kind of server it is (/props
    of llama-server, /version of vLLM)."""
    where = strip_credentials(options.url)
    try:
        listing = await send(client, "GET", "/v1/models", retries=options.retries)
        models = [m for m in listing["data"] if isinstance(m, dict) and m.get("id")]
    except RequestFailed as exc:
        raise ServerError(f"{where} does not list its models (GET /v1/models: {exc}); is it "
                          "an OpenAI-compatible server?") from None
    except (ValueError, KeyError, TypeError):
        raise ServerError(f"{where} answered GET /v1/models with something other than a model "
                          "list; is it an OpenAI-compatible server?") from None
    if not models:
        raise ServerError(f"{where} serves no model")
    ids = [str(m["id"]) for m in models]
    if options.model is not None and options.model not in ids:
        shown = ", ".join(short(i, 100) for i in ids[:20]) + (", ..." if len(ids) > 20 else "")
        raise ServerError(f"{where} does not serve the model {options.model!r}; it serves: "
                          + shown)
    model = options.model or ids[0]
    entry = next(m for m in models if str(m["id"]) == model)
    owners = {str(m.get("owned_by", "")) for m in models}
    props = None if owners & {"vllm", "me"} else await _json_or_none(client, "/props", 0)
    variant = _variant(models, props)
    info = ServerInfo(url=where, variant=variant, model=model, models=models)
    # What the server says of itself is taken where it has the expected shape and left out
    # (unknown: the defaults) where not; a wrong shape never stops the connection.
    if variant == "llama-server" and isinstance(props, dict):
        info.props = {k: props[k] for k in _PROPS_KEYS if k in props}
        info.slots = _positive(props.get("total_slots"))
        settings = props.get("default_generation_settings")
        settings = settings if isinstance(settings, dict) else {}
        info.n_ctx = _positive(settings.get("n_ctx", props.get("n_ctx")))
        info.version = _text(props.get("build_info"))
    elif variant == "vllm":
        info.n_ctx = _positive(entry.get("max_model_len"))
        version = await _json_or_none(client, "/version", 0)
        info.version = _text(version.get("version")) if isinstance(version, dict) else None
    return info


def _positive(value: Any) -> int | None:
    """A count the server gives (a slot count, a context size), or None where it is none."""
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value < 1 << 40
    return value if ok else None


def _text(value: Any) -> str | None:
    return value[:200] if isinstance(value, str) and value else None


def check_server(options: ServerOptions) -> ServerInfo:
    """Connect once and say what the server serves (the window's Test connection)."""
    check_url(options.url)

    async def ask() -> ServerInfo:
        async with make_client(options, api_key(options), connections=1) as client:
            return await discover(client, options)

    return asyncio.run(ask())
