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
from services.common.settings import EVENT_ROUTES, Subscriber

# Each publisher signs with a secret of its own; a receiver knows each under the publisher's name.
EVENTS_SECRETS = {
    "intake": "test-events-secret-of-intake-0123456789",
    "workflow": "test-events-secret-of-workflow-012345",
}
METRICS_TOKEN = "test-metrics-token"


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
    return Subscriber(name=name, url=f"http://{name}/internal/events", topics=topics)


def _settings_class(name: str) -> Any:
    return getattr(import_module(f"services.{name}.settings"), f"{name.capitalize()}Settings")


# Who receives what, as the services route their events; over the test network instead of ports.
SUBSCRIBERS = {
    name: [subscriber(receiver, topics) for publisher, receiver, topics in EVENT_ROUTES if publisher == name]
    for name in ("intake", "workflow", "metrics")
}
# Whose events each service accepts, with each publisher's secret.
SOURCES = {
    name: {publisher: EVENTS_SECRETS[publisher] for publisher, receiver, _ in EVENT_ROUTES if receiver == name}
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
        "events_secret": EVENTS_SECRETS.get(name, ""),
        "events_sources": SOURCES[name],
        "subscribers": SUBSCRIBERS[name],
        "relay_enabled": relay,
        "relay_interval_seconds": 0.05,
        "relay_backoff_base_seconds": 0.05,
        "relay_backoff_max_seconds": 0.5,
        "metrics_token": METRICS_TOKEN,
    }
    if name == "intake":
        # Quotas off unless a test is about them: tests register and upload far more than one client would.
        values |= {"registrations_per_client_per_hour": 0, "uploads_per_applicant_per_day": 0}
        # The message sender runs where relays run (journeys, fault drills); the daily check when a test asks.
        values |= {"messages_enabled": relay, "messages_interval_seconds": 0.05, "reminders_enabled": False}
    else:
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
