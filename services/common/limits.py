"""Request body limits enforced while the body streams in, never after reading it whole."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.errors import PROBLEM_MEDIA_TYPE, PayloadTooLarge

DEFAULT_BODY_LIMIT = 1024 * 1024
# Room for a multipart upload's other fields and boundaries beside a file of the largest size accepted.
MULTIPART_OVERHEAD = 64 * 1024


class BodySizeLimit:
    """Answers 413 as soon as a request body passes the limit for its path."""

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[Scope], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _reject(scope, send, limit)
            return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # The app sees a disconnect and stops reading; the answer below replaces its own.
                    exceeded = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return
            started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _reject(scope, send, limit)


def limits_by_route(limits: Mapping[tuple[str, str], int]) -> Callable[[Scope], int]:
    """The body limit of a request, by method and route path; `{name}` in a path stands for one segment."""
    exact = {key: limit for key, limit in limits.items() if "{" not in key[1]}
    templated = [
        (method, re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$"), limit)
        for (method, path), limit in limits.items()
        if "{" in path
    ]

    def limit_for(scope: Scope) -> int:
        method, path = scope.get("method", ""), scope.get("path", "")
        if (method, path) in exact:
            return exact[(method, path)]
        found = (limit for m, pattern, limit in templated if m == method and pattern.match(path))
        return next(found, DEFAULT_BODY_LIMIT)

    return limit_for


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _reject(scope: Scope, send: Send, limit: int) -> None:
    error = PayloadTooLarge(f"The request body is larger than {limit} bytes.", limit_bytes=limit)
    body = json.dumps(error.to_problem(instance=scope.get("path"))).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
