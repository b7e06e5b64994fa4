"""Listing jobs: filters for the field app's work queue, paging, finding the job of an application."""

from __future__ import annotations

from services.common.clock import FixedClock
from tests.support.services import Service
from tests.workflow.support import Callers, at, complete, submit


async def test_the_job_of_an_application_is_found_by_its_id(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    await submit(workflow, clock, callers)

    found = await workflow.client.get(
        "/api/v1/jobs", params={"application_id": job["application_id"]}, headers=callers.staff()
    )

    assert [j["id"] for j in found.json()["items"]] == [job["id"]]


async def test_jobs_are_filtered_by_status_and_current_step(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    first = await submit(workflow, clock, callers)
    second = await submit(workflow, clock, callers)
    await complete(workflow, second, "accept", callers.staff())

    connecting = await workflow.client.get("/api/v1/jobs", params={"step": "connect"}, headers=callers.staff())
    accepting = await workflow.client.get(
        "/api/v1/jobs", params={"status": "in_progress", "step": "accept"}, headers=callers.staff()
    )

    assert [j["id"] for j in connecting.json()["items"]] == [second["id"]]
    assert [j["id"] for j in accepting.json()["items"]] == [first["id"]]


async def test_overdue_jobs_are_those_a_working_day_past_their_due_date(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    clock.instant = at("2026-11-25 10:00")
    late = await submit(workflow, clock, callers)  # due Monday 11-30
    clock.instant = at("2026-11-26 10:00")
    on_time = await submit(workflow, clock, callers)  # due Tuesday 12-01
    clock.instant = at("2026-12-01 09:00")

    overdue = await workflow.client.get("/api/v1/jobs", params={"overdue": "true"}, headers=callers.staff())
    not_overdue = await workflow.client.get("/api/v1/jobs", params={"overdue": "false"}, headers=callers.staff())

    assert [(j["id"], j["overdue"]) for j in overdue.json()["items"]] == [(late["id"], True)]
    assert [(j["id"], j["overdue"]) for j in not_overdue.json()["items"]] == [(on_time["id"], False)]


async def test_a_step_due_on_friday_is_not_overdue_over_the_weekend(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    clock.instant = at("2026-11-24 10:00")
    job = await submit(workflow, clock, callers)  # due Friday 11-27
    clock.instant = at("2026-11-29 10:00")  # Sunday

    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()
    overdue = await workflow.client.get("/api/v1/jobs", params={"overdue": "true"}, headers=callers.staff())

    assert (read["due_on"], read["overdue"], overdue.json()["total"]) == ("2026-11-27", False, 0)


async def test_due_within_lists_jobs_due_in_that_many_working_days(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    soon = await submit(workflow, clock, callers)  # accept due 12-01
    later = await submit(workflow, clock, callers, rule_set="2018-nea")  # accept due 12-03

    within_three = await workflow.client.get("/api/v1/jobs", params={"due_within": 3}, headers=callers.staff())
    within_five = await workflow.client.get("/api/v1/jobs", params={"due_within": 5}, headers=callers.staff())

    assert [j["id"] for j in within_three.json()["items"]] == [soon["id"]]
    assert {j["id"] for j in within_five.json()["items"]} == {soon["id"], later["id"]}


async def test_a_list_is_paged_with_the_total(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    for hour in range(3):
        clock.instant = at(f"2026-11-26 1{hour}:00")
        await submit(workflow, clock, callers)

    page = (await workflow.client.get("/api/v1/jobs", params={"limit": 2, "offset": 2}, headers=callers.staff())).json()

    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (3, 2, 2, 1)
    assert page["items"][0]["submitted_at"] == "2026-11-26T02:00:00Z"  # newest first: the oldest comes last


async def test_a_page_larger_than_100_is_422(workflow: Service, callers: Callers) -> None:
    response = await workflow.client.get("/api/v1/jobs", params={"limit": 101}, headers=callers.staff())

    assert response.status_code == 422


async def test_reading_a_job_sends_its_version_as_etag(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    response = await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())

    assert (response.headers["etag"], response.json()["version"]) == ('"1"', 1)
