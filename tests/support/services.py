"""Running the real service apps in-process, wired together over an in-memory HTTP network."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from services.common.clock import Clock
from services.common.settings import Subscriber

EVENTS_SECRET = "test-events-secret"


class Network(httpx.AsyncBaseTransport):
    """Routes requests by host name to in-process ASGI apps; a host can be taken down and brought back."""

    def __init__(self) -> None:
        self.apps: dict[str, FastAPI] = {}
        self.down: set[str] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host in self.down or host not in self.apps:
            raise httpx.ConnectError(f"{host} is not reachable", request=request)
        transport = httpx.ASGITransport(app=self.apps[host])
        return await transport.handle_async_request(request)


def subscriber(name: str, topics: tuple[str, ...]) -> Subscriber:
    """A subscriber reached over the test network."""
    return Subscriber(name=name, url=f"http://{name}/internal/events", secret=EVENTS_SECRET, topics=topics)


def _settings_class(name: str) -> Any:
    return getattr(import_module(f"services.{name}.settings"), f"{name.capitalize()}Settings")


# Who receives what, as the services' settings route their events; over the test network instead of ports.
SUBSCRIBERS = {
    name: [subscriber(receiver, topics) for receiver, topics in _settings_class(name).routes]
    for name in ("intake", "workflow", "metrics")
}


@dataclass
class Service:
    """A running app and a client that talks to it."""

    name: str
    app: FastAPI
    client: httpx.AsyncClient
    extra: dict[str, Any] = field(default_factory=dict)


@contextlib.asynccontextmanager
async def run_service(
    name: str,
    *,
    database_url: str,
    var_dir: Path,
    network: Network,
    clock: Clock | None = None,
    relay: bool = False,
    **overrides: Any,
) -> AsyncIterator[Service]:
    """Start a service's app with its lifespan, reachable on the network as http://<name>."""
    settings_class = _settings_class(name)
    values: dict[str, Any] = {
        "database_url": database_url,
        "var_dir": var_dir,
        "events_secret": EVENTS_SECRET,
        "subscribers": SUBSCRIBERS[name],
        "relay_enabled": relay,
        "relay_interval_seconds": 0.05,
        "relay_backoff_base_seconds": 0.05,
        "relay_backoff_max_seconds": 0.5,
    }
    if name != "intake":
        values["jwks_url"] = "http://intake/.well-known/jwks.json"
    values.update(overrides)
    settings = settings_class(**values)
    app_module = import_module(f"services.{name}.app")
    outbound = httpx.AsyncClient(transport=network)
    app: FastAPI = app_module.create_app(settings, clock=clock, http_client=outbound)
    async with app.router.lifespan_context(app):
        network.apps[name] = app
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}") as client:
            try:
                yield Service(name, app, client)
            finally:
                network.apps.pop(name, None)
    await outbound.aclose()
