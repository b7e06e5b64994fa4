"""Progress back to the applicant from workflow's job events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import event, select

from services.common.clock import FixedClock
from services.intake.notifications.models import Notification
from services.workflow import events as job_events
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.intake.messaging import owed
from tests.metrics.support import deliver, deliver_batch
from tests.support.services import Service

INBOX = "/api/v1/notifications"
PREFERENCES = "/api/v1/me/notification-preferences"


def _connected(application_id: str, clock: FixedClock) -> dict[str, Any]:
    """job.connected as workflow declares it."""
    steps = [
        job_events.JobStep(code=code, name=name, limit_working_days=limit, completed_at=clock.now())
        for code, name, limit in (("accept", "受理签约", 3), ("connect", "装表接电", 12))
    ]
    event = job_events.JobConnected(
        job_id="job-1",
        application_id=application_id,
        grid_company="SGCC-BJ",
        region="110105",
        at=clock.now(),
        current_step=None,
        steps=steps,
        category="sme_lv",
        connected_at=clock.now(),
        working_days=4,
        paused_working_days=0,
        customer_cost_yuan=Decimal(0),
        visits=0,
        within_limit=True,
    )
    return event.model_dump(mode="json")


async def _apply(intake: Service) -> tuple[dict[str, str], str]:
    headers = await sign_in(intake.client, "alice")
    created = await intake.client.post(
        "/api/v1/applications", headers=headers, json=application_body(await upload_all(intake.client, headers))
    )
    return headers, created.json()["id"]


async def test_a_connection_reaches_the_applicant(intake: Service, clock: FixedClock) -> None:
    headers, application_id = await _apply(intake)
    connected = _connected(application_id, clock)
    assert (await deliver(intake.client, clock, "job.connected", connected, source="workflow")).status_code == 200
    read = (await intake.client.get(f"/api/v1/applications/{application_id}", headers=headers)).json()
    assert read["status"] == "connected"
    assert read["progress"]["timeline"][-1]["event"] == "job.connected"


async def test_a_connection_wins_over_a_withdrawal_that_crossed_it(intake: Service, clock: FixedClock) -> None:
    headers, application_id = await _apply(intake)
    assert (await intake.client.post(f"/api/v1/applications/{application_id}/withdraw", headers=headers)).is_success
    connected = _connected(application_id, clock)
    await deliver(intake.client, clock, "job.connected", connected, source="workflow")
    read = (await intake.client.get(f"/api/v1/applications/{application_id}", headers=headers)).json()
    assert read["status"] == "connected"


def _job_event(model: type[job_events.JobEvent], application_id: str, clock: FixedClock, **fields: Any) -> Any:
    """A job event as workflow declares it, for a small business's two steps."""
    steps = [
        job_events.JobStep(code="accept", name="受理签约", limit_working_days=3, started_at=clock.now()),
        job_events.JobStep(code="connect", name="装表接电", limit_working_days=12),
    ]
    common = {"job_id": f"job-{application_id}", "application_id": application_id, "grid_company": "SGCC-BJ"}
    return model(**common, region="110105", at=clock.now(), steps=steps, **fields)


async def test_a_batch_of_job_events_is_followed_in_order_and_its_notifications_written_together(
    intake: Service, clock: FixedClock
) -> None:
    alice, mine = await _apply(intake)
    bob = await sign_in(intake.client, "bob")
    assert (await intake.client.put(PREFERENCES, headers=bob, json={"sms": False, "push": True})).status_code == 200
    body = application_body(await upload_all(intake.client, bob))
    theirs = (await intake.client.post("/api/v1/applications", headers=bob, json=body)).json()["id"]
    batch = [
        _job_event(job_events.JobCreated, mine, clock, current_step="accept", category="sme_lv",
                   due_on=clock.now().date(), rule_set="2025-ndrc-nea", total_limit_working_days=15,
                   submitted_at=clock.now()),
        _job_event(job_events.JobStepCompleted, mine, clock, current_step="connect", step="accept",
                   elapsed_working_days=1, overdue=False),
        _job_event(job_events.JobCreated, theirs, clock, current_step="accept", category="sme_lv",
                   due_on=clock.now().date(), rule_set="2025-ndrc-nea", total_limit_working_days=15,
                   submitted_at=clock.now()),
    ]  # fmt: skip
    sent: list[str] = []
    engine = intake.app.state.service.database.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        statuses = await deliver_batch(
            intake.client, clock, "workflow", [(e.event_type, e.model_dump(mode="json")) for e in batch]
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert statuses == ["applied"] * 3
    # Nothing is written between the events: every case is read first, the writes all come at commit. On
    # PostgreSQL the four notifications (alice's case made, accepted, its contract ready; bob's case made) are
    # one INSERT ... RETURNING; SQLite's driver inserts rows that take their id from the database one by one.
    reads = [i for i, s in enumerate(sent) if s.startswith("SELECT application.id")]
    writes = [i for i, s in enumerate(sent) if s.startswith(("INSERT INTO notification ", "UPDATE application"))]
    assert len(reads) == 3 and max(reads) < min(writes)
    if engine.dialect.name == "postgresql":
        assert sum(s.startswith("INSERT INTO notification ") for s in sent) == 1
    read = (await intake.client.get(f"/api/v1/applications/{mine}", headers=alice)).json()
    assert [entry["event"] for entry in read["progress"]["timeline"]][-2:] == ["job.created", "job.step_completed"]
    assert (read["status"], read["progress"]["current_step"]) == ("in_progress", "connect")
    contract = await intake.client.get(f"/api/v1/applications/{mine}/contract", headers=alice)
    assert contract.status_code == 200, contract.text
    kinds = sorted(item["kind"] for item in (await intake.client.get(INBOX, headers=alice)).json()["items"])
    assert kinds == ["contract_ready", "job_created", "step_completed"]
    # Each message belongs to its own notification, and bob's preference (no SMS) was read with his case.
    async with intake.app.state.service.database.sessionmaker() as session:
        notifications = {n.id: n for n in await session.scalars(select(Notification))}
    messages = await owed(intake)
    assert {(m.application_id, m.kind) for m in messages} == {
        (notifications[m.notification_id].application_id, notifications[m.notification_id].kind) for m in messages
    }
    assert {m.channel for m in messages if m.application_id == theirs} <= {"push"}
    assert {m.channel for m in messages if m.application_id == mine} >= {"sms"}
