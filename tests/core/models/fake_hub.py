"""A local stand-in for the part of the Hugging Face Hub API that file downloads use.

HEAD/GET /{owner}/{repo}/resolve/{revision}/{filename}: 200 with ETag (the sha256, as the Hub
sends for LFS files), X-Repo-Commit and Content-Length; or, with `redirect=True`, a 302 to a
"CDN" URL on another origin (localhost instead of 127.0.0.1) carrying X-Linked-Etag and
X-Linked-Size, as huggingface.co does. GET honours `Range: bytes=N-` with 206 and Content-Range.
Failure modes: drop the connection once after N body bytes, or serve corrupted bytes under the
right ETag. Every request is recorded.
"""

from __future__ import annotations

import hashlib
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

COMMIT = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    def __init__(self, *, redirect: bool = False) -> None:
        self.files: dict[tuple[str, str], bytes] = {}
        self.requests: list[dict] = []
        self.redirect = redirect
        self.drop_after: int | None = None  # drop the next GET after this many body bytes
        self.corrupt = False
        self.ignore_range = False  # answer 200 and the whole file to a Range request
        self.chunk_delay = 0.0  # seconds between 64 KiB body chunks: a slow link
        self.etag: str | None = None  # an ETag that is not the sha256 (a non-LFS file's git id)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, repo: str, filename: str, data: bytes) -> str:
        self.files[(repo, filename)] = data
        return hashlib.sha256(data).hexdigest()

    def ranges(self) -> list[str]:
        return [r["range"] for r in self.requests if r["method"] == "GET" and r["range"]]

    def __enter__(self) -> "FakeHub":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(hub: FakeHub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # keep test output clean
            pass

        def do_HEAD(self) -> None:
            self._serve(body=False)

        def do_GET(self) -> None:
            self._serve(body=True)

        def _serve(self, *, body: bool) -> None:
            hub.requests.append(
                {"method": self.command, "path": self.path, "range": self.headers.get("Range")}
            )
            path = urlsplit(self.path).path
            resolve = re.match(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$", path)
            cdn = re.match(r"^/cdn/([^/]+)/([0-9a-f]{64})$", path)
            if resolve:
                repo, filename = resolve.group(1), unquote(resolve.group(3))
                data = hub.files.get((repo, filename))
                if data is None:
                    return self._error(404, "EntryNotFound")
                sha = hashlib.sha256(data).hexdigest()
                if hub.redirect:
                    host = f"http://localhost:{hub.port}"
                    self.send_response(302)
                    self.send_header("Location", f"{host}/cdn/{quote(filename)}/{sha}")
                    self.send_header("X-Repo-Commit", COMMIT)
                    self.send_header("X-Linked-Etag", f'"{sha}"')
                    self.send_header("X-Linked-Size", str(len(data)))
                    self.send_header("ETag", '"git-pointer-sha1"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                return self._send_file(data, sha, body=body)
            if cdn:
                data = next((d for d in hub.files.values()
                             if hashlib.sha256(d).hexdigest() == cdn.group(2)), None)
                if data is None:
                    return self._error(404, None)
                return self._send_file(data, cdn.group(2), body=body)
            self._error(404, "RepoNotFound")

        def _error(self, status: int, code: str | None) -> None:
            self.send_response(status)
            if code:
                self.send_header("X-Error-Code", code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _send_file(self, data: bytes, sha: str, *, body: bool) -> None:
            if hub.corrupt:
                middle = len(data) // 2
                data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:]
            start = 0
            match = re.match(r"bytes=(\d+)-$", self.headers.get("Range") or "")
            if match and body and not hub.ignore_range:
                start = int(match.group(1))
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            self.send_header("ETag", f'"{hub.etag or sha}"')
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            if not body:
                return
            payload = memoryview(data)[start:]
            drop, hub.drop_after = hub.drop_after, None
            limit = len(payload) if drop is None else min(drop, len(payload))
            for offset in range(0, limit, 64 * 1024):
                self.wfile.write(payload[offset:min(offset + 64 * 1024, limit)])
                if hub.chunk_delay:
                    self.wfile.flush()
                    time.sleep(hub.chunk_delay)
            self.wfile.flush()
            if drop is not None:  # hang up mid-body, as a flaky proxy would
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

    return Handler
