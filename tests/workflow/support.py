"""Helpers for driving the workflow service: callers' tokens, intake's events, the outbox."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select

from services.common.clock import SHANGHAI, FixedClock
from services.common.events import EventEnvelope, sign
from services.intake.identity.keys import SigningKey
from services.workflow.db import event_tables
from tests.intake.helpers import JPEG
from tests.support.services import EVENTS_SECRETS, Service
from tests.support.tokens import bearer, mint

BEIJING_GRID = "SGCC-BJ"
SHANGHAI_GRID = "SGCC-SH"
# Intake's placement of the two rule sets' cases, as it would announce them.
STEPS = {
    ("2025-ndrc-nea", "sme_lv"): [("accept", 3), ("connect", 12)],
    ("2018-nea", "sme_lv"): [("accept", 5), ("connect", 20)],
}


class Callers:
    """Authorization headers for every kind of caller."""

    def __init__(self, key: SigningKey) -> None:
        self.key = key

    def _headers(self, role: str, sub: str, grid_company: str | None = None, **claims: Any) -> dict[str, str]:
        return bearer(mint(self.key, sub=sub, role=role, grid_company=grid_company, **claims))

    def staff(self, company: str = BEIJING_GRID, sub: str = "staff-1") -> dict[str, str]:
        """A field worker of a grid company."""
        return self._headers("staff", sub, company)

    def manager(self, company: str = BEIJING_GRID, sub: str = "manager-1") -> dict[str, str]:
        """A grid company's manager."""
        return self._headers("manager", sub, company)

    def admin(self) -> dict[str, str]:
        """A platform administrator."""
        return self._headers("admin", "admin-1")

    def applicant(self) -> dict[str, str]:
        """A customer."""
        return self._headers("applicant", "applicant-1")

    def regulator(self) -> dict[str, str]:
        """An energy regulator for every region."""
        return self._headers("regulator", "regulator-1", regions=["*"])


def submitted(
    *,
    application_id: str | None = None,
    submitted_at: datetime,
    rule_set: str = "2025-ndrc-nea",
    category: str = "sme_lv",
    grid_company: str = BEIJING_GRID,
    region: str = "110105",
    important_customer: bool | None = None,
) -> dict[str, Any]:
    """The data of an application.submitted event, shaped as intake publishes it."""
    steps = STEPS.get((rule_set, category), [("accept", 1), ("connect", 5)])
    # Left out as an older intake would: the case is then an ordinary customer's.
    importance = {} if important_customer is None else {"important_customer": important_customer}
    return {
        **importance,
        "application_id": application_id or str(uuid.uuid4()),
        "number": "ZV20261126ABCDEF01",
        "category": category,
        "report_category": category,
        "business_type": "new_install",
        "customer_type": "enterprise",
        "small_micro": True,
        "capacity_kva": "120",
        "dual_supply": False,
        "access_voltage": "low",
        "zero_investment": True,
        "grid_company": grid_company,
        "region": region,
        "channel": "app",
        "rule_set": rule_set,
        "steps": [{"code": c, "name": c, "limit_working_days": n} for c, n in steps],
        "total_limit_working_days": sum(n for _, n in steps),
        "allowed_visits": 1,
        "submitted_at": submitted_at.isoformat(),
        "due_on": "2026-12-31",
        "documents_required": 3,
        "documents_supplied": 3,
        "documents_reused": 0,
    }


async def deliver(
    workflow: Service, clock: FixedClock, event_type: str, data: dict[str, Any], *, event_id: uuid.UUID | None = None
) -> httpx.Response:
    """POST one signed event to workflow's /internal/events, as intake's relay would."""
    envelope = EventEnvelope(
        id=event_id or uuid.uuid4(),
        type=event_type,
        version=1,
        occurred_at=clock.now(),
        case_key=str(data["application_id"]) if "application_id" in data else f"account:{data['account_id']}",
        source="intake",
        data=data,
    )
    body = envelope.model_dump_json().encode()
    headers = sign(EVENTS_SECRETS["intake"], str(envelope.id), body, now=clock.now(), source="intake")
    return await workflow.client.post(
        "/internal/events", content=body, headers={**headers, "content-type": "application/json"}
    )


def staff_changed(
    account_id: str,
    *,
    grid_company: str = BEIJING_GRID,
    role: str = "staff",
    active: bool = True,
    revision: int = 1,
    changed_at: datetime | None = None,
) -> dict[str, Any]:
    """The data of an account.staff_changed event, shaped as intake publishes it."""
    return {
        "account_id": account_id,
        "username": f"{account_id}.user",
        "name": f"Engineer {account_id}",
        "role": role,
        "grid_company": grid_company,
        "active": active,
        "revision": revision,
        "changed_at": (changed_at or datetime(2026, 11, 26, tzinfo=UTC)).isoformat(),
    }


async def add_staff(workflow: Service, clock: FixedClock, account_id: str, **entry: Any) -> None:
    """Announce a staff account to workflow's directory, as intake's relay would."""
    response = await deliver(workflow, clock, "account.staff_changed", staff_changed(account_id, **entry))
    assert response.json() == {"status": "applied"}, response.text


async def submit(workflow: Service, clock: FixedClock, callers: Callers, **case: Any) -> dict[str, Any]:
    """Announce a submission (at the clock's time unless given) and return the job made for it."""
    data = submitted(**{"submitted_at": clock.now(), **case})
    response = await deliver(workflow, clock, "application.submitted", data)
    assert response.json() == {"status": "applied"}, response.text
    found = await workflow.client.get(
        "/api/v1/jobs", params={"application_id": data["application_id"]}, headers=callers.admin()
    )
    assert found.status_code == 200, found.text
    (job,) = found.json()["items"]
    return dict(job)


async def complete(
    workflow: Service,
    job: dict[str, Any],
    code: str,
    headers: dict[str, str],
    *,
    version: int | None = None,
    body: dict[str, Any] | None = None,
) -> httpx.Response:
    """Complete a step with If-Match set to the job's version as last read (or the one given)."""
    return await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/steps/{code}/complete",
        headers={**headers, "If-Match": str(job["version"] if version is None else version)},
        json=body,
    )


async def add_evidence(
    workflow: Service,
    job: dict[str, Any],
    headers: dict[str, str],
    *,
    step: str = "connect",
    kind: str = "meter_photo",
    content: bytes = JPEG,
    **fields: Any,
) -> httpx.Response:
    """Upload a file from the site for a step of the job."""
    return await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/evidence",
        headers=headers,
        files={"file": ("photo.jpg", content, "image/jpeg")},
        data={"step": step, "kind": kind, **{name: str(value) for name, value in fields.items()}},
    )


async def connect(
    workflow: Service, job: dict[str, Any], headers: dict[str, str], *, meter_number: str = "3300123456"
) -> httpx.Response:
    """Photograph the meter and complete the connection with its number, as the rule sets ask."""
    photo = await add_evidence(workflow, job, headers)
    assert photo.status_code == 201, photo.text
    version = int(photo.headers["etag"].strip('"'))
    return await complete(workflow, job, "connect", headers, version=version, body={"meter_number": meter_number})


async def published(workflow: Service, event_type: str | None = None) -> list[dict[str, Any]]:
    """The envelopes in workflow's outbox for metrics (one row per subscriber), oldest first."""
    outbox = event_tables.outbox
    query = select(outbox.c.body).where(outbox.c.subscriber == "metrics").order_by(outbox.c.seq)
    if event_type is not None:
        query = query.where(outbox.c.event_type == event_type)
    async with workflow.app.state.database.engine.connect() as connection:
        return [json.loads(body) for body in (await connection.execute(query)).scalars()]


def problem(response: httpx.Response) -> str:
    """The last part of a problem document's type, e.g. "stale-version"."""
    return str(response.json()["type"]).rsplit("/", 1)[1]


def at(text: str) -> datetime:
    """An instant given in Beijing time, e.g. at("2026-09-29 10:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(UTC)
