"""Pauses stop the clock: their working days move the due date and are not counted as elapsed."""

from __future__ import annotations

from typing import Any

from services.common.clock import FixedClock
from tests.support.services import Service
from tests.workflow.support import Callers, at, complete, problem, submit


async def _pause(workflow: Service, job: dict[str, Any], callers: Callers, **headers: str) -> Any:
    return await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/pause",
        json={"reason": "customer_not_ready", "note": "site not built"},
        headers={**callers.staff(), **headers},
    )


async def _resume(workflow: Service, job: dict[str, Any], callers: Callers, **headers: str) -> Any:
    return await workflow.client.post(f"/api/v1/jobs/{job['id']}/resume", headers={**callers.staff(), **headers})


async def test_a_pause_stops_the_clock(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)  # Thursday 2026-11-26, accept due 12-01
    clock.instant = at("2026-11-27 10:00")

    paused = (await _pause(workflow, job, callers)).json()
    clock.instant = at("2026-12-03 10:00")
    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()

    assert (paused["status"], paused["version"]) == ("paused", 2)
    assert read["pauses"] == [
        {
            "step": "accept",
            "reason": "customer_not_ready",
            "note": "site not built",
            "started_at": "2026-11-27T02:00:00Z",
            "ended_at": None,
            "working_days": None,
        }
    ]
    # Elapsed days stopped at the pause: one (Friday), however long it lasts.
    assert (read["steps"][0]["elapsed_working_days"], read["overdue"]) == (1, False)


async def test_resuming_moves_the_due_date_by_the_paused_working_days(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    clock.instant = at("2026-11-26 11:00")
    await _pause(workflow, job, callers)
    clock.instant = at("2026-11-30 10:00")  # paused over Friday and Monday

    resumed = (await _resume(workflow, job, callers)).json()

    assert (resumed["status"], resumed["paused_working_days"], resumed["pauses"][0]["working_days"]) == (
        "in_progress",
        2,
        2,
    )
    assert resumed["pauses"][0]["ended_at"] == "2026-11-30T02:00:00Z"
    # Three working days plus two paused after Thursday 11-26.
    assert (resumed["steps"][0]["due_on"], resumed["steps"][0]["paused_working_days"], resumed["due_on"]) == (
        "2026-12-03",
        2,
        "2026-12-03",
    )


async def test_paused_working_days_are_not_elapsed(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)
    clock.instant = at("2026-11-26 11:00")
    await _pause(workflow, job, callers)
    clock.instant = at("2026-11-30 10:00")
    job = (await _resume(workflow, job, callers)).json()
    clock.instant = at("2026-12-02 10:00")

    accept = (await complete(workflow, job, "accept", callers.staff())).json()["steps"][0]

    # Four working days since Thursday, two of them paused: within the three-day limit.
    assert (accept["elapsed_working_days"], accept["overdue"]) == (2, False)


async def test_pausing_a_paused_job_is_409(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)
    await _pause(workflow, job, callers)

    again = await _pause(workflow, job, callers)

    assert (again.status_code, problem(again)) == (409, "job-paused")


async def test_resuming_a_running_job_is_409(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    response = await _resume(workflow, job, callers)

    assert (response.status_code, problem(response)) == (409, "job-not-paused")


async def test_a_pause_with_a_stale_if_match_is_409(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)
    await workflow.client.post(f"/api/v1/jobs/{job['id']}/assign", json={"assignee": None}, headers=callers.manager())

    response = await _pause(workflow, job, callers, **{"If-Match": "1"})

    assert (response.status_code, problem(response)) == (409, "stale-version")


async def test_a_pause_with_an_unknown_reason_is_422(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    response = await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/pause", json={"reason": "staff_on_holiday"}, headers=callers.staff()
    )

    assert response.status_code == 422


async def test_a_job_overdue_when_paused_stays_overdue_while_paused(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    clock.instant = at("2026-12-03 10:00")  # four working days into a three-day step
    await _pause(workflow, job, callers)

    listed = await workflow.client.get("/api/v1/jobs", params={"overdue": "true"}, headers=callers.staff())

    assert [j["id"] for j in listed.json()["items"]] == [job["id"]]
    assert listed.json()["items"][0]["overdue"] is True
