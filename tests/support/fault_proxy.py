"""A fault-injecting HTTP proxy between Pluk and a test server: it forwards each request and,
where its plan says so, drops the connection, answers 503 or 429 with Retry-After, stalls
until it is closed, or plays a server that has gone away.

`plan(n)` is asked for the n-th chat completion request (0-based) and returns None (forward
it) or a fault: "drop", "503", "429", "stall", "down" (this and every later request of any
kind is dropped: the server is gone). Other requests (GET /v1/models) are forwarded unless the
server is down. The proxy counts what it did and which client connections closed while it
held a request, so tests assert behaviour, never timing.
"""

from __future__ import annotations

import http.client
import select
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Plan = Callable[[int], str | None]
CHAT = "/v1/chat/completions"
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        proxy = self.server.proxy
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fault = proxy.fault_for(self.path)
        if fault in ("drop", "down"):
            self.close_connection = True
            return
        if fault in ("503", "429"):
            payload = b'{"error": {"message": "busy"}}'
            self.send_response(int(fault))
            self.send_header("Retry-After", str(proxy.retry_after))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if fault == "stall":
            proxy.stalled.release()
            self.close_connection = True
            while not proxy.closing.is_set():
                readable, _, _ = select.select([self.connection], [], [], 0.05)
                # A readable socket with nothing to peek at is EOF: the client left.
                if readable and not self.connection.recv(1, socket.MSG_PEEK):
                    with proxy.lock:
                        proxy.left_while_stalled += 1
                    return
            return
        upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=600)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        upstream.close()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in _HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        with proxy.lock:
            proxy.forwarded.append(self.path)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: "FaultProxy"


class FaultProxy:
    def __init__(self, upstream_port: int, plan: Plan | None = None, *, retry_after: int = 1):
        self.upstream_port = upstream_port
        self.plan = plan or (lambda _n: None)
        self.retry_after = retry_after
        self.lock = threading.Lock()
        self.chat_requests = 0
        self.faults: list[str] = []
        self.forwarded: list[str] = []
        self.left_while_stalled = 0
        self.stalled = threading.Semaphore(0)  # released once per stalled request
        self.closing = threading.Event()
        self._down = False
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.proxy = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fault_for(self, path: str) -> str | None:
        with self.lock:
            if self._down:
                self.faults.append("down")
                return "down"
            if path != CHAT:
                return None
            fault = self.plan(self.chat_requests)
            self.chat_requests += 1
            if fault == "down":
                self._down = True
            if fault:
                self.faults.append(fault)
            return fault

    def __enter__(self) -> "FaultProxy":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.closing.set()
        self._server.shutdown()
        self._server.server_close()
