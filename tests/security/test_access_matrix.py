"""Every route of every service answers every kind of caller as the access matrix says."""

from __future__ import annotations

import re
from importlib import import_module
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from tests.security.matrix import ALLOWED_DOMAIN_ANSWERS, LITERAL_IDS, ROLES, TABLE, Row, rows_for
from tests.security.world import World

SERVICES = ("intake", "workflow", "metrics")
# HEAD is served wherever GET is, by the same endpoint and checks.
IMPLICIT_METHODS = {"HEAD"}


def _routes(service: str) -> set[tuple[str, str]]:
    app = import_module(f"services.{service}.app").create_app()
    return {
        (method, str(context.path))
        for context in iter_route_contexts(app.routes)
        for method in (context.methods or set()) - IMPLICIT_METHODS
    }


@pytest.mark.parametrize("service", SERVICES)
def test_every_route_of_the_service_has_a_row_in_the_matrix(service: str) -> None:
    missing = _routes(service) - rows_for(service).keys()
    assert not missing, f"add rows to tests/security/matrix.py for {service}: {sorted(missing)}"


@pytest.mark.parametrize("service", SERVICES)
def test_every_row_of_the_matrix_names_a_route_of_the_service(service: str) -> None:
    stale = rows_for(service).keys() - _routes(service)
    assert not stale, f"{service} has no such routes: {sorted(stale)}"


CASES = [
    pytest.param(service, entry, caller, id=f"{service} {entry.method} {entry.path} as {caller}")
    for entry in TABLE
    for service in (SERVICES if entry.service == "*" else (entry.service,))
    for caller in ROLES
]


def _value(world: World, key: str) -> str:
    return LITERAL_IDS.get(key) or world.ids[key]


async def _send(world: World, service: str, entry: Row, caller: str) -> httpx.Response:
    path = re.sub(r"\{(\w+)\}", lambda m: _value(world, entry.ids.get(m.group(1), m.group(1))), entry.path)
    arguments: dict[str, Any] = entry.recipe(world, caller)
    headers = dict(world.headers[caller])
    if (job := arguments.pop("if_match", None)) is not None:
        headers["If-Match"] = str(await world.job_version(world.ids[job]))
    client = world.service(service).client
    return await client.request(entry.method, path, headers=headers, **arguments)


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize(("service", "entry", "caller"), CASES)
async def test_the_caller_gets_what_the_matrix_says(world: World, service: str, entry: Row, caller: str) -> None:
    response = await _send(world, service, entry, caller)
    expected = entry.outcomes[caller]
    answer = f"{response.status_code} {response.text[:300]}"
    if expected.isdigit():
        assert response.status_code == int(expected), answer
        return
    assert 200 <= response.status_code < 300 or response.status_code in ALLOWED_DOMAIN_ANSWERS, answer
    if expected in ("in", "out"):
        assert response.status_code == 200, answer
        assert entry.marker is not None
        marker = world.ids.get(entry.marker, entry.marker)
        assert (marker in response.text) == (expected == "in"), f"{marker} should be {expected}: {answer}"
