"""Every read and change is scoped: staff and managers to their grid company, admins to all."""

from __future__ import annotations

import pytest

from services.common.clock import FixedClock
from tests.support.services import Service
from tests.support.tokens import bearer, mint
from tests.workflow.support import SHANGHAI_GRID, Callers, add_staff, submit


async def test_staff_of_another_company_get_404_reading_a_job(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    outsider = callers.staff(SHANGHAI_GRID)

    reads = [
        await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=outsider),
        await workflow.client.get(f"/api/v1/jobs/{job['id']}/history", headers=outsider),
    ]

    assert [r.status_code for r in reads] == [404, 404]
    assert reads[0].json()["type"].endswith("/job-not-found")


async def test_staff_of_another_company_get_404_on_every_action(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    outsider = {**callers.staff(SHANGHAI_GRID), "If-Match": "1"}
    base = f"/api/v1/jobs/{job['id']}"

    answers = [
        await workflow.client.post(f"{base}/steps/accept/complete", headers=outsider),
        await workflow.client.post(f"{base}/pause", json={"reason": "customer_request"}, headers=outsider),
        await workflow.client.post(f"{base}/resume", headers=outsider),
        await workflow.client.post(
            f"{base}/fees", json={"code": "x", "amount_yuan": 1, "payer": "grid"}, headers=outsider
        ),
        await workflow.client.post(
            f"{base}/visits", json={"visited_on": "2026-11-26", "purpose": "other"}, headers=outsider
        ),
        await workflow.client.post(
            f"{base}/assign", json={"assignee": "x"}, headers={**callers.manager(SHANGHAI_GRID), "If-Match": "1"}
        ),
    ]

    assert [a.status_code for a in answers] == [404] * 6
    read = (await workflow.client.get(base, headers=callers.staff())).json()
    assert (read["version"], read["fees"], read["visits"], read["assignee"]) == (1, [], [], None)


async def test_staff_list_only_their_companys_jobs(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    beijing = await submit(workflow, clock, callers)
    shanghai = await submit(workflow, clock, callers, grid_company=SHANGHAI_GRID, region="310101")

    mine = (await workflow.client.get("/api/v1/jobs", headers=callers.staff())).json()
    theirs = (await workflow.client.get("/api/v1/jobs", headers=callers.staff(SHANGHAI_GRID))).json()
    every = (await workflow.client.get("/api/v1/jobs", headers=callers.admin())).json()

    assert [j["id"] for j in mine["items"]] == [beijing["id"]]
    assert [j["id"] for j in theirs["items"]] == [shanghai["id"]]
    assert every["total"] == 2


@pytest.mark.parametrize("role", ["applicant", "regulator"])
async def test_applicants_and_regulators_get_403_on_the_job_list(
    workflow: Service, callers: Callers, role: str
) -> None:
    headers = callers.applicant() if role == "applicant" else callers.regulator()

    response = await workflow.client.get("/api/v1/jobs", headers=headers)

    assert (response.status_code, response.headers["content-type"]) == (403, "application/problem+json")


async def test_a_request_without_a_token_is_401(workflow: Service) -> None:
    assert (await workflow.client.get("/api/v1/jobs")).status_code == 401


async def test_staff_whose_token_names_no_company_get_403(workflow: Service, callers: Callers) -> None:
    headers = bearer(mint(callers.key, sub="staff-x", role="staff"))

    assert (await workflow.client.get("/api/v1/jobs", headers=headers)).status_code == 403


async def test_a_manager_assigns_a_job_to_staff(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)
    await add_staff(workflow, clock, "staff-7")

    response = await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/assign", json={"assignee": "staff-7"}, headers={**callers.manager(), "If-Match": "1"}
    )

    assert (response.status_code, response.json()["assignee"], response.json()["version"]) == (200, "staff-7", 2)
    mine = await workflow.client.get("/api/v1/jobs", params={"assignee": "staff-7"}, headers=callers.staff())
    assert [j["id"] for j in mine.json()["items"]] == [job["id"]]


async def test_staff_cannot_assign(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    response = await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/assign", json={"assignee": "staff-1"}, headers=callers.staff()
    )

    assert response.status_code == 403


async def test_a_client_cannot_write_status_or_company(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    response = await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/assign",
        json={"assignee": "staff-7", "status": "connected", "grid_company": "SGCC-SH"},
        headers=callers.manager(),
    )

    assert response.status_code == 422
