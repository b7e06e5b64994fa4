"""Jobs go to active field engineers of their company, come back when one leaves, and queue soonest due first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.common.clock import FixedClock
from tests.support.services import Service
from tests.support.tokens import bearer, mint
from tests.workflow.support import SHANGHAI_GRID, Callers, add_staff, at, complete, connect, problem, published, submit


async def _assign(workflow: Service, job: dict[str, Any], assignee: str | None, callers: Callers) -> Any:
    return await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/assign", json={"assignee": assignee}, headers=callers.manager()
    )


def _engineer(callers: Callers, sub: str) -> dict[str, str]:
    return bearer(mint(callers.key, sub=sub, role="staff", grid_company="SGCC-BJ"))


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (None, "not_staff_of_company"),
        ({"active": False}, "deactivated"),
        ({"grid_company": SHANGHAI_GRID}, "not_staff_of_company"),
        ({"role": "manager"}, "not_staff_of_company"),
    ],
    ids=["unknown", "deactivated", "another-company", "a-manager"],
)
async def test_only_an_active_engineer_of_the_job_s_company_may_be_assigned(
    workflow: Service, clock: FixedClock, callers: Callers, entry: dict[str, Any] | None, reason: str
) -> None:
    job = await submit(workflow, clock, callers)
    if entry is not None:
        await add_staff(workflow, clock, "someone", **entry)

    response = await _assign(workflow, job, "someone", callers)

    assert (response.status_code, problem(response), response.json()["reason"]) == (422, "assignee-invalid", reason)
    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.manager())).json()
    assert (read["assignee"], read["version"]) == (None, 1)


async def test_assigning_is_audited_and_announced_without_naming_the_engineer(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    await add_staff(workflow, clock, "bj-eng")

    response = await _assign(workflow, job, "bj-eng", callers)

    assert (response.status_code, response.json()["assignee"]) == (200, "bj-eng")
    history = (await workflow.client.get(f"/api/v1/jobs/{job['id']}/history", headers=callers.manager())).json()
    assert (history[-1]["action"], history[-1]["details"]) == ("assigned", {"assignee": "bj-eng", "previous": None})
    (event,) = await published(workflow, "job.assigned")
    assert (event["data"]["assigned"], event["data"]["reason"]) == (True, "assigned")
    assert "bj-eng" not in str(event)


async def test_a_deactivated_engineer_s_open_jobs_go_back_to_the_unassigned_queue(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    await add_staff(workflow, clock, "bj-eng")
    open_job = await submit(workflow, clock, callers)
    done_job = await submit(workflow, clock, callers)
    for job in (open_job, done_job):
        assert (await _assign(workflow, job, "bj-eng", callers)).status_code == 200
    done = (await workflow.client.get(f"/api/v1/jobs/{done_job['id']}", headers=callers.manager())).json()
    done = (await complete(workflow, done, "accept", callers.staff())).json()
    assert (await connect(workflow, done, callers.staff())).json()["status"] == "connected"

    await add_staff(workflow, clock, "bj-eng", revision=2, active=False)

    queue = await workflow.client.get("/api/v1/jobs", params={"assignee": "none"}, headers=callers.manager())
    assert [j["id"] for j in queue.json()["items"]] == [open_job["id"]]
    connected = (await workflow.client.get(f"/api/v1/jobs/{done_job['id']}", headers=callers.manager())).json()
    assert connected["assignee"] == "bj-eng"  # a closed job keeps who worked it
    history = (await workflow.client.get(f"/api/v1/jobs/{open_job['id']}/history", headers=callers.manager())).json()
    assert (history[-1]["action"], history[-1]["actor"], history[-1]["details"]) == (
        "assigned",
        "service:intake",
        {"assignee": None, "previous": "bj-eng", "reason": "assignee_deactivated"},
    )
    events = await published(workflow, "job.assigned")
    assert [(e["data"]["job_id"], e["data"]["reason"]) for e in events][-1] == (
        open_job["id"],
        "assignee_deactivated",
    )


async def test_a_reactivated_engineer_may_be_assigned_again(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    await add_staff(workflow, clock, "bj-eng", revision=2, active=False)
    await add_staff(workflow, clock, "bj-eng", revision=3, active=True)

    assert (await _assign(workflow, job, "bj-eng", callers)).status_code == 200


async def test_my_queue_is_my_open_jobs_soonest_due_first_with_working_days_left(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    await add_staff(workflow, clock, "bj-eng")
    await add_staff(workflow, clock, "bj-other")
    clock.instant = at("2026-09-28 10:00")
    # Submitted last but due later: newest-first would list it first, the queue lists it last.
    sooner = await submit(workflow, clock, callers)  # accept due in 3 working days
    clock.advance(timedelta(minutes=5))
    later = await submit(workflow, clock, callers, rule_set="2018-nea")  # accept due in 5 working days
    theirs = await submit(workflow, clock, callers)
    for job, engineer in ((later, "bj-eng"), (sooner, "bj-eng"), (theirs, "bj-other")):
        assert (await _assign(workflow, job, engineer, callers)).status_code == 200
    clock.instant = at("2026-09-29 10:00")

    response = await workflow.client.get(
        "/api/v1/jobs", params={"assignee": "me"}, headers=_engineer(callers, "bj-eng")
    )

    items = response.json()["items"]
    # From Tuesday 29 September: 30 September, then 8 and 9 October after the National Day holiday.
    assert [(j["id"], j["due_on"], j["working_days_left"]) for j in items] == [
        (sooner["id"], "2026-10-08", 2),
        (later["id"], "2026-10-10", 4),
    ]


async def test_my_queue_leaves_out_closed_jobs(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    await add_staff(workflow, clock, "bj-eng")
    job = await submit(workflow, clock, callers)
    assigned = (await _assign(workflow, job, "bj-eng", callers)).json()
    assigned = (await complete(workflow, assigned, "accept", callers.staff())).json()
    assert (await connect(workflow, assigned, callers.staff())).json()["status"] == "connected"
    engineer = _engineer(callers, "bj-eng")

    queue = await workflow.client.get("/api/v1/jobs", params={"assignee": "me"}, headers=engineer)
    connected = await workflow.client.get(
        "/api/v1/jobs", params={"assignee": "me", "status": "connected"}, headers=engineer
    )

    assert queue.json()["items"] == []
    assert [(j["id"], j["working_days_left"]) for j in connected.json()["items"]] == [(job["id"], None)]


async def test_a_paused_job_s_working_days_left_stand_still(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)  # Thursday 26 November, accept due Tuesday 1 December
    paused = await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/pause", json={"reason": "customer_request"}, headers=callers.staff()
    )
    assert paused.json()["working_days_left"] == 3

    clock.advance(timedelta(days=7))

    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()
    assert (read["status"], read["working_days_left"]) == ("paused", 3)
