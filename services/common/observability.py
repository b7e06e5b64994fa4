"""Request ids, structured JSON logs and Prometheus metrics for every service."""

from __future__ import annotations

import contextvars
import hmac
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.errors import NotFound, Unauthorized

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_logger = logging.getLogger("zerovisit.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the request id of the request being served."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record as JSON."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key in ("method", "path", "status", "duration_ms", "service"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(*, json_logs: bool, level: int = logging.INFO) -> None:
    """Log to stderr, as JSON lines when asked."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if json_logs else logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class RequestContext:
    """Gives every request an id (kept from X-Request-ID when it is safe), times it and counts it."""

    def __init__(self, app: ASGIApp, *, fastapi_app: FastAPI, service: str) -> None:
        self.app = app
        self.service = service
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total", "HTTP requests", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
        )
        fastapi_app.state.metrics_registry = self.registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = self._route(scope)
            self.requests.labels(scope["method"], route, str(status)).inc()
            self.latency.labels(scope["method"], route).observe(elapsed)
            access_logger.info(
                "%s %s %s",
                scope["method"],
                route,
                status,
                extra={
                    "method": scope["method"],
                    "path": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "service": self.service,
                },
            )
            request_id_var.reset(token)

    @staticmethod
    def _route(scope: Scope) -> str:
        # The route template the router matched, never the raw path: ids in paths would explode the label set.
        route = scope.get("route")
        return str(getattr(route, "path", "unmatched"))


def install_observability(app: FastAPI, service: str, *, metrics_token: str = "") -> None:
    """Add the request context middleware and the /metrics endpoint, for the bearer of metrics_token only.

    Request counts by route and status tell an outsider what the service is busy with, and scraping costs
    the service work: without a token set, /metrics is not served at all (404).
    """
    app.add_middleware(RequestContext, fastapi_app=app, service=service)
    expected = f"Bearer {metrics_token}".encode()

    @app.get("/metrics", include_in_schema=False)
    async def prometheus_metrics(request: Request) -> Response:
        if not metrics_token:
            raise NotFound("Metrics are not served: set the service's *_METRICS_TOKEN to scrape them.")
        sent = request.headers.get("authorization", "").encode("latin-1", "replace")
        if not hmac.compare_digest(sent, expected):
            raise Unauthorized("Scraping /metrics needs the metrics bearer token.")
        registry: CollectorRegistry = request.app.state.metrics_registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
