"""In-process fake OpenAI-compatible servers that answer the discovery requests as
llama-server and vLLM do (GET /v1/models, /props, /version) and a fixed chat completion,
recording the bodies they are sent; over TLS with a given context."""

from __future__ import annotations

import json
import ssl
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@contextmanager
def json_server(routes: dict[str, object], context: ssl.SSLContext | None = None, *,
                content: str = '{"a": true}', reasoning: str | None = None,
                reasoning_field: str = "reasoning_content"):
    """An in-process server that answers GET `path` with routes[path] as JSON (404 else) and
    records the chat completion bodies it is sent. Its completion is `content`; with
    `reasoning` it thinks as a thinking model behind a reasoning parser does: the reasoning in
    `reasoning_field` and counted in usage.completion_tokens_details, unless the request turns
    thinking off (chat_template_kwargs.enable_thinking false)."""
    bodies: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status: int, value: object) -> None:
            data = json.dumps(value).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            if self.path in routes:
                self._send(200, routes[self.path])
            else:
                self._send(404, {"detail": "Not Found"})

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            bodies.append(body)
            message: dict[str, object] = {"content": content}
            usage: dict[str, object] = {"prompt_tokens": 5, "completion_tokens": 4}
            wanted = (body.get("chat_template_kwargs") or {}).get("enable_thinking", True)
            if reasoning is not None and wanted:
                thought = len(reasoning.split())
                message[reasoning_field] = reasoning
                usage = {"prompt_tokens": 5, "completion_tokens": 4 + thought,
                         "completion_tokens_details": {"reasoning_tokens": thought}}
            self._send(200, {"choices": [{"message": message, "finish_reason": "stop"}],
                             "usage": usage})

    with serve(Handler, context) as url:
        yield url, bodies


@contextmanager
def serve(handler: type[BaseHTTPRequestHandler], context: ssl.SSLContext | None = None):
    """A real HTTP server on 127.0.0.1 (a free port) answering with `handler`, on a thread of
    its own; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        scheme = "https" if context else "http"
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


LLAMA_SERVER = {"/v1/models": {"object": "list", "data": [
                    {"id": "qwen2.5-7b", "object": "model", "owned_by": "llamacpp",
                     "meta": {"n_params": 7_000_000_000}}]},
                "/props": {"total_slots": 8, "build_info": "b6000-abc",
                           "model_path": "/models/qwen.gguf",
                           "default_generation_settings": {"n_ctx": 8192}}}
VLLM = {"/v1/models": {"object": "list", "data": [
            {"id": "meta-llama/Llama-3.1-8B-Instruct", "object": "model", "owned_by": "vllm",
             "root": "/models/llama", "max_model_len": 16384}]},
        "/version": {"version": "0.9.1"}}
