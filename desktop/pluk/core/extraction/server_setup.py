"""A run on an inference server (engine/server.py) instead of the local model: connecting to it
and what the manifest records of it.

run_job calls connect_server before the run folder opens (the manifest needs the server's
facts); the reports then go through run_extraction (loop.py) as a local run's do, the server's
requests and records made by requests.py's MessagePlanner.
"""

from __future__ import annotations

from collections.abc import Callable

from pluk.core.engine.server import ServerEngine
from pluk.core.engine.server_http import ServerInfo, strip_credentials
from pluk.core.options import RunOptions
from pluk.core.runs.folder import ModelFacts


def connect_server(options: RunOptions, say: Callable[[str], None]) -> ServerEngine:
    """The run's server engine, connected: what it serves is known (ServerError if it cannot
    be used)."""
    engine = ServerEngine(options.server, options.decoding)
    say(f"Connecting to {strip_credentials(engine.options.url)}")
    info = engine.connect()
    say(f"The server ({info.variant}) serves {info.model}")
    return engine


def served_model_facts(engine: ServerEngine) -> ModelFacts:
    """The manifest's model: the served model's name and the server's URL (no credentials),
    with everything the server said of them and every request option. A resumed run must
    meet the same served model: its identity stands in the sha256 (a digest where the server
    gives one)."""
    info: ServerInfo = engine.info
    entry = next((m for m in info.models if m.get("id") == info.model), {})
    digest = next((str(entry[k]) for k in ("digest", "sha256") if entry.get(k)), None)
    return ModelFacts(path=f"{info.url} {info.model}", size_bytes=0,
                      sha256=digest or f"served:{info.model}",
                      metadata={"server": info.model_dump(mode="json"),
                                "request": engine.request_options(),
                                "concurrency": engine.concurrency})


def server_versions(engine: ServerEngine) -> dict[str, str]:
    from pluk import __version__

    info = engine.info
    return {"pluk": __version__, "engine": f"openai-compatible server ({info.variant})",
            "server_version": info.version or "unknown"}
