"""Every change publishes its event to intake and metrics through the outbox, with the contract's fields."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from services.common.clock import FixedClock
from services.workflow.db import event_tables
from tests.support.services import Service
from tests.workflow.support import Callers, at, complete, connect, published, submit


async def _post(workflow: Service, job: dict[str, Any], path: str, headers: dict[str, str], **body: Any) -> Any:
    return (await workflow.client.post(f"/api/v1/jobs/{job['id']}/{path}", json=body or None, headers=headers)).json()


async def test_a_new_job_is_announced_to_intake_and_metrics(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)

    (envelope,) = await published(workflow, "job.created")
    outbox = event_tables.outbox
    async with workflow.app.state.database.engine.connect() as connection:
        subscribers = (
            await connection.execute(
                select(outbox.c.subscriber, func.count()).group_by(outbox.c.subscriber).order_by(outbox.c.subscriber)
            )
        ).all()

    assert [tuple(row) for row in subscribers] == [("intake", 1), ("metrics", 1)]
    assert (envelope["case_key"], envelope["source"], envelope["version"]) == (job["application_id"], "workflow", 1)
    data = envelope["data"]
    assert (data["job_id"], data["application_id"], data["grid_company"], data["region"]) == (
        job["id"],
        job["application_id"],
        "SGCC-BJ",
        "110105",
    )
    assert (data["category"], data["rule_set"], data["current_step"], data["due_on"]) == (
        "sme_lv",
        "2025-ndrc-nea",
        "accept",
        "2026-12-17",  # 15 working days
    )
    assert data["steps"][0] == {
        "code": "accept",
        "name": job["steps"][0]["name"],
        "limit_working_days": 3,
        "started_at": "2026-11-26T02:00:00Z",
        "due_on": "2026-12-01",
        "due_on_provisional": False,
        "completed_at": None,
        "elapsed_working_days": 0,
        "overdue": False,
    }


async def test_a_completed_step_is_announced(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)
    clock.instant = at("2026-11-27 15:00")

    await complete(workflow, job, "accept", callers.staff())

    (envelope,) = await published(workflow, "job.step_completed")
    data = envelope["data"]
    assert (data["step"], data["elapsed_working_days"], data["overdue"], data["current_step"]) == (
        "accept",
        1,
        False,
        "connect",
    )
    assert (data["at"], data["steps"][1]["started_at"], data["steps"][1]["due_on"]) == (
        "2026-11-27T07:00:00Z",
        "2026-11-27T07:00:00Z",
        "2026-12-15",
    )


async def test_a_pause_and_a_resume_are_announced(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)
    await _post(workflow, job, "pause", callers.staff(), reason="government_approval_pending")
    clock.instant = at("2026-11-30 10:00")

    await _post(workflow, job, "resume", callers.staff())

    (paused,) = await published(workflow, "job.paused")
    (resumed,) = await published(workflow, "job.resumed")
    assert paused["data"]["reason"] == "government_approval_pending"
    assert (
        resumed["data"]["reason"],
        resumed["data"]["paused_working_days"],
        resumed["data"]["total_paused_working_days"],
        resumed["data"]["steps"][0]["due_on"],
    ) == ("government_approval_pending", 2, 2, "2026-12-03")


async def test_fees_and_visits_are_announced(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)
    fee = await _post(workflow, job, "fees", callers.staff(), code="meter_box", amount_yuan="99.90", payer="customer")
    visit = await _post(workflow, job, "visits", callers.staff(), visited_on="2026-11-26", purpose="pay_fee")

    (fee_event,) = await published(workflow, "job.fee_recorded")
    (visit_event,) = await published(workflow, "job.visit_recorded")

    assert {k: fee_event["data"][k] for k in ("fee_id", "code", "amount_yuan", "payer", "flagged")} == {
        "fee_id": fee["id"],
        "code": "meter_box",
        "amount_yuan": "99.90",
        "payer": "customer",
        "flagged": True,
    }
    assert {k: visit_event["data"][k] for k in ("visit_id", "visited_on", "purpose", "over_allowance")} == {
        "visit_id": visit["id"],
        "visited_on": "2026-11-26",
        "purpose": "pay_fee",
        "over_allowance": False,
    }


async def test_a_connection_is_announced_with_its_figures(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)  # Thursday 2026-11-26
    staff = callers.staff()
    await _post(workflow, job, "fees", staff, code="meter_box", amount_yuan="120.50", payer="customer")
    await _post(workflow, job, "fees", staff, code="line_works", amount_yuan="3000", payer="grid")
    await _post(workflow, job, "visits", staff, visited_on="2026-11-26", purpose="pay_fee")
    await _post(workflow, job, "pause", staff, reason="customer_request")
    clock.instant = at("2026-11-30 10:00")
    job = await _post(workflow, job, "resume", staff)
    clock.instant = at("2026-12-01 10:00")
    job = (await complete(workflow, job, "accept", staff)).json()
    clock.instant = at("2026-12-03 16:00")

    await connect(workflow, job, staff)

    assert await published(workflow, "job.step_completed") != []
    (envelope,) = await published(workflow, "job.connected")
    data = envelope["data"]
    # Five working days from Thursday to the next Thursday, two of them paused.
    assert (data["connected_at"], data["working_days"], data["paused_working_days"]) == (
        "2026-12-03T08:00:00Z",
        3,
        2,
    )
    assert (data["customer_cost_yuan"], data["visits"], data["within_limit"], data["current_step"]) == (
        "120.50",
        1,
        True,
        None,
    )
    assert [s["completed_at"] for s in data["steps"]] == ["2026-12-01T02:00:00Z", "2026-12-03T08:00:00Z"]


async def test_a_connection_with_an_overdue_step_is_not_within_the_limit(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    clock.instant = at("2026-12-03 10:00")  # four working days for the three-day accept step
    job = (await complete(workflow, job, "accept", callers.staff())).json()

    await connect(workflow, job, callers.staff())

    (envelope,) = await published(workflow, "job.connected")
    assert (envelope["data"]["working_days"], envelope["data"]["within_limit"]) == (5, False)
