"""A real HTTP server on a free local port, standing in for an SMS provider and the push gateway.

It records every request, answers as a provider would (the Idempotency-Key makes a repeat a duplicate,
accepted but not sent again), and can be taken down (connection refused) or made to answer an error.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    """One request that reached the server, and what it was answered."""

    path: str
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def json(self) -> dict[str, Any]:
        """The body, decoded."""
        decoded: dict[str, Any] = json.loads(self.body)
        return decoded


def free_port() -> int:
    """A local port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class FakeProvider:
    """The server; `failing_with` set to a status answers every request with it."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self.failing_with: int | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def url(self, path: str) -> str:
        """The address of a path on this server."""
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        """Listen (again) on the same port."""
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                status = provider.failing_with or 200
                with provider._lock:
                    provider.received.append(
                        Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, status)
                    )
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"accepted": true}' if status == 200 else b'{"error": "unavailable"}')

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening: connections are refused until started again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def accepted(self, path: str) -> list[Received]:
        """The requests to a path answered 200, in the order they arrived."""
        with self._lock:
            return [r for r in self.received if r.path == path and r.status == 200]

    def answered(self, path: str, status: int) -> int:
        """How many requests to a path were answered with a status."""
        with self._lock:
            return sum(1 for r in self.received if r.path == path and r.status == status)

    def duplicates(self, path: str) -> int:
        """Accepted requests whose Idempotency-Key (or id) had been accepted before."""
        keys = Counter(r.headers.get("idempotency-key") or r.json["id"] for r in self.accepted(path))
        return sum(count - 1 for count in keys.values())
