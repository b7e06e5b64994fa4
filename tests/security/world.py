"""A populated platform that every authorization check runs against: one account per kind of caller,
an applicant's documents and applications, the jobs made from them, a case overdue in metrics,
historical cases and a complaint.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.common.clock import FixedClock
from services.intake.identity import service as identity_service
from services.intake.identity.keys import SigningKey
from tests.intake.helpers import JPEG, application_body, upload_all
from tests.metrics.dataset import ROWS
from tests.support.databases import FreshDatabases, Templates
from tests.support.services import Network, Service, run_service

PASSWORD = "correct-horse-battery-1"
# A Thursday morning in Beijing; the clock is moved past the first step's deadline once the cases exist.
SUBMITTED_AT = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
OVERDUE_BY = timedelta(days=21)


@dataclass(frozen=True)
class Caller:
    """One kind of caller: how its account is made."""

    role: str
    grid_company: str | None = None
    regions: tuple[str, ...] = ()


# The columns of the access matrix, in order.
CALLERS: dict[str, Caller | None] = {
    "anonymous": None,
    "owner": Caller("applicant"),
    "other_applicant": Caller("applicant"),
    "staff": Caller("staff", "SGCC-BJ"),
    "other_staff": Caller("staff", "SGCC-SH"),
    "manager": Caller("manager", "SGCC-BJ"),
    "regulator": Caller("regulator", regions=("11",)),
    "other_regulator": Caller("regulator", regions=("31",)),
    "admin": Caller("admin"),
}


@dataclass
class World:
    """The running services, each caller's Authorization header, and the ids of what was made."""

    intake: Service
    workflow: Service
    metrics: Service
    network: Network
    clock: FixedClock
    signing_key: SigningKey
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    subjects: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    def service(self, name: str) -> Service:
        """One of the three services by name."""
        service: Service = getattr(self, name)
        return service

    async def job_version(self, job_id: str) -> int:
        """The job's current version, read as an admin."""
        response = await self.workflow.client.get(f"/api/v1/jobs/{job_id}", headers=self.headers["admin"])
        assert response.status_code == 200, response.text
        version: int = response.json()["version"]
        return version


async def _eventually(probe: Any, *, within_seconds: float = 15.0) -> Any:
    deadline = asyncio.get_running_loop().time() + within_seconds
    while (result := await probe()) is None:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the seeded state did not settle in time")
        await asyncio.sleep(0.05)
    return result


async def _accounts(world: World) -> None:
    """An intake account per caller, signed in through the real token endpoint."""
    async with world.intake.app.state.database.sessionmaker() as session, session.begin():
        for name, caller in CALLERS.items():
            if caller is None:
                continue
            account = await identity_service.create_account(
                session,
                username=f"sec-{name}",
                password=PASSWORD,
                name=name.replace("_", " ").title(),
                role=caller.role,
                now=world.clock.now(),
                grid_company=caller.grid_company,
                regions=caller.regions,
                subscribers=world.intake.app.state.service.settings.subscribers,
            )
            world.subjects[name] = account.id
    world.headers["anonymous"] = {}
    for name in world.subjects:
        token = await world.intake.client.post(
            "/api/v1/auth/token", data={"username": f"sec-{name}", "password": PASSWORD}
        )
        assert token.status_code == 200, token.text
        world.headers[name] = {"Authorization": f"Bearer {token.json()['access_token']}"}

    async def in_directory() -> bool | None:
        listed = await world.workflow.client.get("/api/v1/staff", headers=world.headers["admin"])
        ids = {entry["id"] for entry in listed.json()}
        return True if {world.subjects["staff"], world.subjects["other_staff"]} <= ids else None

    await _eventually(in_directory)


async def _applications(world: World) -> None:
    """The owner's documents and three applications: one to read, one to work on, one to withdraw."""
    owner = world.headers["owner"]
    documents = await upload_all(world.intake.client, owner)
    world.ids["document_id"] = documents[0]
    world.ids["document_ids"] = ",".join(documents)
    for purpose in ("application_id", "working_application_id", "spare_application_id"):
        # A property document counts only for the premises it was supplied for: a new one for each address.
        (deed,) = await upload_all(world.intake.client, owner, ("property_certificate",))
        supplied = [*documents[:2], deed]
        created = await world.intake.client.post(
            "/api/v1/applications", headers=owner, json=application_body(supplied, address=f"{purpose} road")
        )
        assert created.status_code == 201, created.text
        world.ids[purpose] = created.json()["id"]
    world.ids["application_number"] = created.json()["number"]

    async def job_of(application_id: str) -> str | None:
        found = await world.workflow.client.get(
            "/api/v1/jobs", params={"application_id": application_id}, headers=world.headers["admin"]
        )
        items = found.json()["items"]
        return str(items[0]["id"]) if items else None

    for application, job in (("application_id", "job_id"), ("working_application_id", "working_job_id")):
        world.ids[job] = await _eventually(lambda application=application: job_of(world.ids[application]))

    async def told() -> str | None:
        inbox = await world.intake.client.get("/api/v1/notifications", headers=owner)
        items = inbox.json()["items"]
        return str(items[-1]["id"]) if items else None

    world.ids["notification_id"] = await _eventually(told)
    photo = await world.workflow.client.post(
        f"/api/v1/jobs/{world.ids['job_id']}/evidence",
        headers=world.headers["staff"],
        files={"file": ("site.jpg", JPEG, "image/jpeg")},
        data={"step": "accept", "kind": "site_photo"},
    )
    assert photo.status_code == 201, photo.text
    world.ids["evidence_id"] = photo.json()["id"]

    async def in_metrics() -> bool | None:
        response = await world.metrics.client.get(
            f"/api/v1/metrics/cases/{world.ids['application_id']}", headers=world.headers["admin"]
        )
        return True if response.status_code == 200 else None

    await _eventually(in_metrics)


async def _metrics_records(world: World) -> None:
    """Historical cases for the half-year figures and a complaint recorded by the regulator of Beijing."""
    imported = await world.metrics.client.post(
        "/api/v1/imports/cases", json={"cases": ROWS}, headers=world.headers["admin"]
    )
    assert imported.status_code == 200, imported.text
    complaint = await world.metrics.client.post(
        "/api/v1/complaints",
        headers=world.headers["regulator"],
        json={
            "received_at": world.clock.now().isoformat(),
            "region": "110105",
            "grid_company": "SGCC-BJ",
            "category": "delay",
            "summary": "The connection is late.",
            "application_id": world.ids["application_id"],
        },
    )
    assert complaint.status_code == 201, complaint.text
    world.ids["complaint_id"] = complaint.json()["id"]
    published = await world.metrics.client.post("/api/v1/reports/2026H1/publish", headers=world.headers["admin"])
    assert published.status_code == 201, published.text


@contextlib.asynccontextmanager
async def populated_world(
    templates: Templates, backend: str, directory: Path, signing_key: SigningKey
) -> AsyncIterator[World]:
    """All three services with relays on, seeded, and the clock moved so that the first case is overdue."""
    var_dir = directory / "var"
    (var_dir / "intake").mkdir(parents=True)
    (var_dir / "intake" / "jwt_signing_key.pem").write_bytes(signing_key.private_pem)
    databases = FreshDatabases(templates, backend, directory)
    network = Network()
    clock = FixedClock(SUBMITTED_AT)
    try:
        async with contextlib.AsyncExitStack() as stack:
            services = {}
            for name in ("intake", "workflow", "metrics"):
                services[name] = await stack.enter_async_context(
                    run_service(
                        name,
                        database_url=await databases.url(name),
                        var_dir=var_dir,
                        network=network,
                        clock=clock,
                        relay=True,
                    )
                )
            world = World(services["intake"], services["workflow"], services["metrics"], network, clock, signing_key)
            await _accounts(world)
            await _applications(world)
            clock.advance(OVERDUE_BY)
            await _metrics_records(world)
            yield world
    finally:
        await databases.close()
