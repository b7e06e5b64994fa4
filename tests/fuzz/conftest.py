"""Each service seeded with real data through its API, then handed to schemathesis as a fresh app."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from services.common.clock import FixedClock
from services.intake.identity.keys import SigningKey
from services.workflow.jobs.models import Job
from tests.fuzz.support import Target, serving
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.metrics.dataset import ROWS
from tests.metrics.live import LiveCase
from tests.metrics.support import deliver as deliver_to_metrics
from tests.support.databases import FreshDatabases
from tests.support.services import Network, run_service
from tests.support.tokens import bearer, mint
from tests.workflow.support import deliver as deliver_to_workflow
from tests.workflow.support import submitted


@dataclass
class Seeded:
    """A database with data in it, and the ids worth pointing requests at."""

    database_url: str
    known: dict[str, str]
    owner: str = ""


@pytest.fixture
def jwks_file(tmp_path: Path, signing_key: SigningKey) -> Path:
    """The test key's JWKS, read by workflow and metrics instead of asking intake."""
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(signing_key.jwks()))
    return path


def _headers(key: SigningKey, role: str, sub: str, **claims: object) -> dict[str, str]:
    return bearer(mint(key, sub=sub, role=role, **claims))  # type: ignore[arg-type]


@pytest.fixture
async def intake_seeded(databases: FreshDatabases, var_dir: Path, network: Network, clock: FixedClock) -> Seeded:
    """An applicant with documents on file and one application."""
    url = await databases.url("intake")
    async with run_service("intake", database_url=url, var_dir=var_dir, network=network, clock=clock) as intake:
        owner = await sign_in(intake.client, "fuzz.owner")
        account = (await intake.client.get("/api/v1/auth/me", headers=owner)).json()
        documents = await upload_all(intake.client, owner)
        created = await intake.client.post("/api/v1/applications", headers=owner, json=application_body(documents))
        assert created.status_code == 201, created.text
    known = {"document_id": documents[0], "application_id": created.json()["id"]}
    return Seeded(url, known, owner=account["id"])


@pytest.fixture
def intake_target(intake_seeded: Seeded, var_dir: Path, clock: FixedClock, signing_key: SigningKey) -> Iterator[Target]:
    """The seeded intake app and its callers."""
    callers = {
        "owner": (4, _headers(signing_key, "applicant", intake_seeded.owner)),
        "other_applicant": (1, _headers(signing_key, "applicant", "someone-else")),
        "staff": (1, _headers(signing_key, "staff", "bj-staff", grid_company="SGCC-BJ")),
        "anonymous": (1, {}),
    }
    with serving("intake", clock=clock, database_url=intake_seeded.database_url, var_dir=var_dir) as app:
        yield Target(app, callers, intake_seeded.known)


@pytest.fixture
async def workflow_seeded(
    databases: FreshDatabases, var_dir: Path, network: Network, clock: FixedClock, jwks_file: Path
) -> Seeded:
    """A job of SGCC-BJ in region 110105, made from an application.submitted event."""
    url = await databases.url("workflow")
    async with run_service(
        "workflow", database_url=url, var_dir=var_dir, network=network, clock=clock, jwks_file=jwks_file
    ) as workflow:
        data = submitted(submitted_at=clock.now())
        delivered = await deliver_to_workflow(workflow, clock, "application.submitted", data)
        assert delivered.status_code == 200, delivered.text
        async with workflow.app.state.database.sessionmaker() as session:
            job_id = await session.scalar(select(Job.id).where(Job.application_id == data["application_id"]))
    assert job_id is not None
    return Seeded(url, {"job_id": job_id, "code": "accept"})


@pytest.fixture
def workflow_target(
    workflow_seeded: Seeded, var_dir: Path, clock: FixedClock, signing_key: SigningKey, jwks_file: Path
) -> Iterator[Target]:
    """The seeded workflow app and its callers."""
    callers = {
        "staff": (3, _headers(signing_key, "staff", "bj-staff", grid_company="SGCC-BJ")),
        "manager": (2, _headers(signing_key, "manager", "bj-manager", grid_company="SGCC-BJ")),
        "admin": (1, _headers(signing_key, "admin", "admin")),
        "other_staff": (1, _headers(signing_key, "staff", "sh-staff", grid_company="SGCC-SH")),
        "regulator": (1, _headers(signing_key, "regulator", "nea-north", regions=["11"])),
        "applicant": (1, _headers(signing_key, "applicant", "li.wei")),
        "anonymous": (1, {}),
    }
    with serving(
        "workflow", clock=clock, database_url=workflow_seeded.database_url, var_dir=var_dir, jwks_file=jwks_file
    ) as app:
        yield Target(app, callers, workflow_seeded.known)


@pytest.fixture
async def metrics_seeded(
    databases: FreshDatabases,
    var_dir: Path,
    network: Network,
    clock: FixedClock,
    jwks_file: Path,
    signing_key: SigningKey,
) -> Seeded:
    """Imported historical cases, one live open case and a complaint."""
    url = await databases.url("metrics")
    admin = _headers(signing_key, "admin", "admin")
    async with run_service(
        "metrics", database_url=url, var_dir=var_dir, network=network, clock=clock, jwks_file=jwks_file
    ) as metrics:
        imported = await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS}, headers=admin)
        assert imported.status_code == 200, imported.text
        live = LiveCase(datetime(2026, 9, 1, 2, 0, tzinfo=UTC))
        delivered = await deliver_to_metrics(
            metrics.client, clock, "application.submitted", live.submitted(), source="intake"
        )
        assert delivered.status_code == 200, delivered.text
    return Seeded(url, {"application_id": live.application_id, "period": "2026H1"})


@pytest.fixture
def metrics_target(
    metrics_seeded: Seeded, var_dir: Path, clock: FixedClock, signing_key: SigningKey, jwks_file: Path
) -> Iterator[Target]:
    """The seeded metrics app and its callers."""
    callers = {
        "regulator": (2, _headers(signing_key, "regulator", "nea-north", regions=["11"])),
        "regulator_all": (1, _headers(signing_key, "regulator", "nea", regions=["*"])),
        "manager": (2, _headers(signing_key, "manager", "bj-manager", grid_company="SGCC-BJ")),
        "admin": (2, _headers(signing_key, "admin", "admin")),
        "staff": (1, _headers(signing_key, "staff", "bj-staff", grid_company="SGCC-BJ")),
        "anonymous": (1, {}),
    }
    with serving(
        "metrics", clock=clock, database_url=metrics_seeded.database_url, var_dir=var_dir, jwks_file=jwks_file
    ) as app:
        yield Target(app, callers, metrics_seeded.known)
