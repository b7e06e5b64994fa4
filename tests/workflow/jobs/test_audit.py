"""The audit chain: every change appended and hashed; verification finds rows edited or removed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import text

from services.common.clock import FixedClock
from services.workflow.jobs.audit import GENESIS
from tests.support.services import Service
from tests.workflow.support import SHANGHAI_GRID, Callers, add_staff, complete, submit


async def _busy_job(workflow: Service, clock: FixedClock, callers: Callers) -> dict[str, Any]:
    """A job with one change of every kind a staff member makes."""
    job = await submit(workflow, clock, callers)
    base = f"/api/v1/jobs/{job['id']}"
    await add_staff(workflow, clock, "staff-1")
    assigned = await workflow.client.post(f"{base}/assign", json={"assignee": "staff-1"}, headers=callers.manager())
    assert assigned.status_code == 200, assigned.text
    await workflow.client.post(f"{base}/pause", json={"reason": "customer_request"}, headers=callers.staff())
    clock.advance(timedelta(days=1))
    await workflow.client.post(f"{base}/resume", headers=callers.staff())
    await workflow.client.post(
        f"{base}/fees", json={"code": "meter_box", "amount_yuan": "80", "payer": "customer"}, headers=callers.staff()
    )
    await workflow.client.post(
        f"{base}/visits", json={"visited_on": "2026-11-27", "purpose": "sign_contract"}, headers=callers.staff()
    )
    read = (await workflow.client.get(base, headers=callers.staff())).json()
    await complete(workflow, read, "accept", callers.staff())
    return job


async def _execute(workflow: Service, statement: str, **params: Any) -> None:
    async with workflow.app.state.database.engine.begin() as connection:
        await connection.execute(text(statement), params)


async def test_history_lists_every_change_in_a_chain(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await _busy_job(workflow, clock, callers)

    history = (await workflow.client.get(f"/api/v1/jobs/{job['id']}/history", headers=callers.staff())).json()

    assert [(e["seq"], e["action"], e["actor"]) for e in history] == [
        (1, "created", "service:intake"),
        (2, "assigned", "manager-1"),
        (3, "paused", "staff-1"),
        (4, "resumed", "staff-1"),
        (5, "fee_recorded", "staff-1"),
        (6, "visit_recorded", "staff-1"),
        (7, "step_completed", "staff-1"),
    ]
    assert [e["prev_hash"] for e in history] == [GENESIS] + [e["hash"] for e in history[:-1]]
    assert history[4]["details"]["amount_yuan"] == "80.00"


async def test_untouched_chains_verify(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    await _busy_job(workflow, clock, callers)
    await submit(workflow, clock, callers)

    report = (await workflow.client.get("/api/v1/audit/verify", headers=callers.admin())).json()

    assert report == {"ok": True, "checked": 8, "broken": []}


async def test_an_entry_edited_in_the_database_is_detected(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await _busy_job(workflow, clock, callers)
    await _execute(
        workflow,
        "UPDATE audit_entry SET details = :details WHERE job_id = :job_id AND seq = 5",
        details='{"fee_id": "x", "code": "meter_box", "amount_yuan": "0.00", "payer": "grid", "flagged": false}',
        job_id=job["id"],
    )

    report = (await workflow.client.get("/api/v1/audit/verify", headers=callers.manager())).json()

    assert (report["ok"], report["checked"]) == (False, 7)
    assert report["broken"] == [{"job_id": job["id"], "seq": 5, "reason": "hash does not match the entry's contents"}]


async def test_an_edit_that_rehashes_the_entry_breaks_the_next_link(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await _busy_job(workflow, clock, callers)
    await _execute(
        workflow,
        "UPDATE audit_entry SET actor = 'someone-else', hash = :forged WHERE job_id = :job_id AND seq = 3",
        forged="f" * 64,
        job_id=job["id"],
    )

    report = (await workflow.client.get("/api/v1/audit/verify", headers=callers.admin())).json()

    assert [(b["seq"], b["reason"]) for b in report["broken"]] == [
        (3, "hash does not match the entry's contents"),
        (4, "prev_hash does not match the previous entry's hash"),
    ]


async def test_entries_removed_from_the_end_are_detected(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await _busy_job(workflow, clock, callers)
    await _execute(workflow, "DELETE FROM audit_entry WHERE job_id = :job_id AND seq = 7", job_id=job["id"])

    report = (await workflow.client.get("/api/v1/audit/verify", headers=callers.admin())).json()

    assert report["broken"] == [{"job_id": job["id"], "seq": 7, "reason": "the chain does not end at the job's head"}]


async def test_a_manager_verifies_only_the_companys_chains(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    await submit(workflow, clock, callers, grid_company=SHANGHAI_GRID, region="310101")
    await _execute(workflow, "UPDATE audit_entry SET actor = 'x' WHERE job_id = :job_id", job_id=job["id"])

    shanghai = (await workflow.client.get("/api/v1/audit/verify", headers=callers.manager(SHANGHAI_GRID))).json()
    one = await workflow.client.get(
        "/api/v1/audit/verify", params={"job_id": job["id"]}, headers=callers.manager(SHANGHAI_GRID)
    )

    assert shanghai == {"ok": True, "checked": 1, "broken": []}
    assert one.status_code == 404


async def test_staff_cannot_verify_the_audit_chain(workflow: Service, callers: Callers) -> None:
    assert (await workflow.client.get("/api/v1/audit/verify", headers=callers.staff())).status_code == 403
