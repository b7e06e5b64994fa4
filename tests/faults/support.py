"""What the fault tests do and count: cases through the public APIs, rows straight from each database."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from services.common.events import EventTables
from services.common.events.tables import PENDING
from services.intake.applications.models import Application
from services.metrics.facts.models import CaseFact
from services.workflow.jobs.models import Job
from tests.flows.conftest import Platform, eventually
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.support.fieldwork import complete_step
from tests.support.services import Service

PERIOD = "2026H2"  # the clock fixture stands in late November 2026; cases connect days later


async def submit_cases(platform: Platform, count: int, *, username: str = "zhao.min") -> list[str]:
    """One applicant uploads the documents once and applies for `count` connections; their ids."""
    applicant = await sign_in(platform.intake.client, username)
    documents = await upload_all(platform.intake.client, applicant, ("business_license", "id_card"))
    ids = []
    for n in range(count):
        # A property document counts only for the premises it is supplied for: one for each address.
        (deed,) = await upload_all(platform.intake.client, applicant, ("property_certificate",))
        body = application_body([*documents, deed], address=f"{n + 1} Fault Lane, Beijing")
        created = await platform.intake.client.post("/api/v1/applications", headers=applicant, json=body)
        assert created.status_code == 201, created.text
        ids.append(str(created.json()["id"]))
    return ids


async def jobs_for(platform: Platform, staff: dict[str, str], ids: list[str]) -> list[dict[str, Any]]:
    """The job of every application, waiting until workflow has made them all."""

    async def every_job() -> list[dict[str, Any]] | None:
        found = []
        for application_id in ids:
            response = await platform.workflow.client.get(
                "/api/v1/jobs", params={"application_id": application_id}, headers=staff
            )
            assert response.status_code == 200, response.text
            items = response.json()["items"]
            if not items:
                return None
            found.append(dict(items[0]))
        return found

    return await eventually(every_job)


async def run_to_connection(platform: Platform, staff: dict[str, str], ids: list[str]) -> None:
    """Staff complete every case's steps: accept the next day, connect four days later."""
    jobs = await jobs_for(platform, staff, ids)
    for step, days in (("accept", 1), ("connect", 4)):
        platform.clock.advance(timedelta(days=days))
        for index, job in enumerate(jobs):
            response = await complete_step(platform.workflow.client, job, step, staff)
            assert response.status_code == 200, response.text
            jobs[index] = response.json()
    assert {job["status"] for job in jobs} == {"connected"}


def _tables(service: Service) -> EventTables:
    tables: EventTables = service.app.state.service.event_tables
    return tables


async def _rows(service: Service, statement: Any) -> list[Any]:
    async with service.app.state.database.engine.connect() as connection:
        return list((await connection.execute(statement)).all())


async def sent(service: Service, subscriber: str) -> Counter[tuple[str, str]]:
    """(source, event type) -> outbox rows a publisher has for one subscriber, whatever their state."""
    outbox = _tables(service).outbox
    statement = (
        select(outbox.c.event_type, func.count()).where(outbox.c.subscriber == subscriber).group_by(outbox.c.event_type)
    )
    return Counter({(service.name, event_type): n for event_type, n in await _rows(service, statement)})


async def sent_ids(service: Service, subscriber: str) -> list[str]:
    """Event ids of a publisher's outbox rows for one subscriber, oldest first."""
    outbox = _tables(service).outbox
    statement = select(outbox.c.event_id).where(outbox.c.subscriber == subscriber).order_by(outbox.c.seq)
    return [event_id for (event_id,) in await _rows(service, statement)]


async def received(service: Service) -> Counter[tuple[str, str]]:
    """(source, event type) -> rows in a receiver's inbox."""
    inbox = service.app.state.service.inbox
    statement = select(inbox.c.source, inbox.c.event_type, func.count()).group_by(inbox.c.source, inbox.c.event_type)
    return Counter({(source, event_type): n for source, event_type, n in await _rows(service, statement)})


async def received_ids(service: Service) -> set[str]:
    """Every event id in a receiver's inbox."""
    return {event_id for (event_id,) in await _rows(service, select(service.app.state.service.inbox.c.event_id))}


async def waiting(service: Service, subscriber: str | None = None) -> int:
    """Outbox rows of a publisher not yet delivered (pending or parked), for one subscriber or all."""
    outbox = _tables(service).outbox
    statement = select(func.count()).select_from(outbox).where(outbox.c.status != "delivered")
    if subscriber is not None:
        statement = statement.where(outbox.c.subscriber == subscriber)
    (row,) = await _rows(service, statement)
    return int(row[0])


async def leased(service: Service) -> list[tuple[str, str]]:
    """(subscriber, event id) of pending rows still leased to a relay, as a relay that died leaves them."""
    outbox = _tables(service).outbox
    statement = select(outbox.c.subscriber, outbox.c.event_id).where(
        outbox.c.status == PENDING, outbox.c.claim_token.is_not(None)
    )
    return [(subscriber, event_id) for subscriber, event_id in await _rows(service, statement)]


async def backing_off_rows(service: Service) -> int:
    """Pending rows that failed (or waited beside one that failed) and are not due on the test clock yet."""
    outbox = _tables(service).outbox
    statement = (
        select(func.count())
        .select_from(outbox)
        .where(
            outbox.c.status == PENDING,
            outbox.c.claim_token.is_(None),
            outbox.c.next_attempt_at > service.app.state.service.clock.now(),
        )
    )
    (row,) = await _rows(service, statement)
    return int(row[0])


async def quiet(platform: Platform) -> None:
    """Wait until both publishers have delivered every outbox row, moving the clock past each backoff."""

    async def drained() -> bool | None:
        if await waiting(platform.intake) + await waiting(platform.workflow) == 0:
            return True
        # A row that failed waits out its backoff on the test clock, which only moves when moved.
        platform.clock.advance(timedelta(minutes=1))
        return None

    await eventually(drained)


async def assert_every_event_received_once(platform: Platform) -> None:
    """Each receiver's inbox holds exactly the events its publishers queued for it: none lost, none extra."""
    expected = [
        (platform.workflow, [platform.intake]),
        (platform.intake, [platform.workflow]),
        (platform.metrics, [platform.intake, platform.workflow]),
    ]
    for receiver, publishers in expected:
        queued = Counter[tuple[str, str]]()
        queued_ids: list[str] = []
        for publisher in publishers:
            queued += await sent(publisher, receiver.name)
            queued_ids += await sent_ids(publisher, receiver.name)
        assert await received(receiver) == queued, receiver.name
        assert await received_ids(receiver) == set(queued_ids), receiver.name
        assert len(queued_ids) == len(set(queued_ids)), receiver.name


async def jobs_per_application(platform: Platform) -> Counter[str]:
    """application id -> jobs workflow holds for it."""
    statement = select(Job.application_id, func.count()).group_by(Job.application_id)
    return Counter({application_id: n for application_id, n in await _rows(platform.workflow, statement)})


async def connected_facts(platform: Platform) -> dict[str, bool]:
    """application id -> whether metrics' fact of the case says it is connected."""
    statement = select(CaseFact.id, CaseFact.connected_at.is_not(None))
    return {case_id: bool(connected) for case_id, connected in await _rows(platform.metrics, statement)}


async def timelines(platform: Platform) -> dict[str, list[str]]:
    """application id -> the events on the applicant's progress timeline, in order."""
    rows = await _rows(platform.intake, select(Application.id, Application.progress))
    return {application_id: [entry["event"] for entry in progress["timeline"]] for application_id, progress in rows}


async def connected_count(platform: Platform, regulator: dict[str, str], category: str = "sme_lv") -> int:
    """The connected count of a report category in the regulator's half-year summary."""
    response = await platform.metrics.client.get(
        "/api/v1/metrics/summary", params={"period": PERIOD}, headers=regulator
    )
    assert response.status_code == 200, response.text
    row = next(row for row in response.json()["rows"] if row["category"] == category)
    return int(row["connected_count"])
