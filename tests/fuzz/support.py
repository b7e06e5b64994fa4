"""Schemathesis against each service's own OpenAPI document, the app served in-process with its lifespan."""

from __future__ import annotations

import contextlib
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

import hypothesis
import schemathesis
from fastapi import FastAPI
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.common.clock import Clock

# `make test` keeps the run short and the same every time; `make fuzz` raises this for a deeper search.
EXAMPLES = int(os.environ.get("ZV_FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("ZV_FUZZ_SEED", "20261126"))
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True, "database": "none"},
    }
)
# No 5xx; the status code, content type and body are the ones the document promises.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Fixtures hold the running app for every example of an operation; that sharing is intended.
SETTINGS = hypothesis.settings(
    suppress_health_check=[
        hypothesis.HealthCheck.function_scoped_fixture,
        hypothesis.HealthCheck.too_slow,
        hypothesis.HealthCheck.filter_too_much,
        hypothesis.HealthCheck.data_too_large,
    ],
)
# Served by every app but kept out of its document: the signed event inbox and Prometheus.
UNDOCUMENTED = ["/internal/events", "/internal/events/batch", "/metrics"]


def load_schema(service: str) -> Any:
    """The service's OpenAPI document as its code produces it, ready for schemathesis."""
    app = import_module(f"services.{service}.app").create_app()
    return schemathesis.openapi.from_dict(app.openapi(), config=CONFIG).exclude(path=UNDOCUMENTED)


def settings_for(service: str, **values: Any) -> Any:
    """A service's settings for a fuzzed app: no relay, no subscribers."""
    module = import_module(f"services.{service}.settings")
    settings_class = getattr(module, f"{service.capitalize()}Settings")
    return settings_class(subscribers=[], relay_enabled=False, **values)


def _fingerprint(case: schemathesis.Case[Any]) -> int:
    parts = (case.method, case.path, case.path_parameters, case.query, case.headers, case.body)
    return zlib.crc32(repr(parts).encode("utf-8", "backslashreplace"))


@dataclass
class Target:
    """A service app ready to be fuzzed: its callers (with weights) and ids of things in its database.

    Each request is sent as one caller, and half of them are pointed at a seeded id. Both choices are
    derived from the generated request itself, so a replayed or shrunk example is sent the same way,
    and the coverage phase (which takes no extra strategies) is covered too.
    """

    app: FastAPI
    callers: dict[str, tuple[int, dict[str, str]]]
    known: dict[str, str] = field(default_factory=dict)

    def caller_for(self, fingerprint: int) -> dict[str, str]:
        """The Authorization header (or none) of the caller a fingerprint picks."""
        weighted = [headers for weight, headers in self.callers.values() for _ in range(weight)]
        return weighted[fingerprint % len(weighted)]

    def check(self, case: schemathesis.Case[Any]) -> None:
        """Send one generated request and run the checks on the answer."""
        fingerprint = _fingerprint(case)
        if fingerprint & 1 << 16:
            # Point the request at something that exists, so answers past the 404 are checked too.
            for name in list(case.path_parameters or {}):
                if name in self.known:
                    case.path_parameters[name] = self.known[name]
        case.call_and_validate(app=self.app, headers=self.caller_for(fingerprint), checks=CHECKS)


@contextlib.contextmanager
def serving(service: str, *, clock: Clock, database_url: str, var_dir: Path, **values: Any) -> Iterator[FastAPI]:
    """A fresh app of the service; schemathesis starts its lifespan on the first request, this stops it."""
    settings = settings_for(service, database_url=database_url, var_dir=var_dir, **values)
    app: FastAPI = import_module(f"services.{service}.app").create_app(settings, clock=clock)
    try:
        yield app
    finally:
        asgi.shutdown_lifespans()
