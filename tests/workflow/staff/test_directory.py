"""The staff directory: kept from intake's announcements in revision order, read by managers of the company."""

from __future__ import annotations

import uuid

import pytest

from services.common.clock import FixedClock
from tests.support.services import Service
from tests.support.tokens import bearer, mint
from tests.workflow.support import (
    SHANGHAI_GRID,
    Callers,
    add_evidence,
    add_staff,
    complete,
    deliver,
    problem,
    staff_changed,
    submit,
)


async def _directory(workflow: Service, headers: dict[str, str], **params: str) -> list[tuple[str, bool]]:
    response = await workflow.client.get("/api/v1/staff", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return [(entry["id"], entry["active"]) for entry in response.json()]


async def test_a_manager_reads_the_company_s_staff_as_intake_announced_them(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    await add_staff(workflow, clock, "bj-eng")

    response = await workflow.client.get("/api/v1/staff", headers=callers.manager())

    assert response.json() == [
        {
            "id": "bj-eng",
            "username": "bj-eng.user",
            "name": "Engineer bj-eng",
            "role": "staff",
            "grid_company": "SGCC-BJ",
            "active": True,
        }
    ]


async def test_a_manager_sees_only_the_own_company_and_an_admin_sees_every_company(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    await add_staff(workflow, clock, "bj-eng")
    await add_staff(workflow, clock, "sh-eng", grid_company=SHANGHAI_GRID)

    assert await _directory(workflow, callers.manager()) == [("bj-eng", True)]
    assert await _directory(workflow, callers.manager(SHANGHAI_GRID)) == [("sh-eng", True)]
    assert await _directory(workflow, callers.admin()) == [("bj-eng", True), ("sh-eng", True)]


async def test_active_true_leaves_out_the_deactivated(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    await add_staff(workflow, clock, "bj-a")
    await add_staff(workflow, clock, "bj-b", active=False)

    assert await _directory(workflow, callers.manager(), active="true") == [("bj-a", True)]
    assert await _directory(workflow, callers.manager(), active="false") == [("bj-b", False)]


@pytest.mark.parametrize("caller", ["staff", "applicant", "regulator"])
async def test_only_managers_and_admins_read_the_directory(workflow: Service, callers: Callers, caller: str) -> None:
    headers = {"staff": callers.staff, "applicant": callers.applicant, "regulator": callers.regulator}[caller]()

    response = await workflow.client.get("/api/v1/staff", headers=headers)

    assert (response.status_code, response.headers["content-type"]) == (403, "application/problem+json")


async def test_an_active_filter_that_is_not_a_boolean_is_422(workflow: Service, callers: Callers) -> None:
    response = await workflow.client.get("/api/v1/staff", headers=callers.manager(), params={"active": "maybe"})

    assert (response.status_code, response.headers["content-type"]) == (422, "application/problem+json")


async def test_a_later_revision_wins_and_an_older_one_arriving_late_is_ignored(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    await add_staff(workflow, clock, "bj-eng", revision=1)
    await add_staff(workflow, clock, "bj-eng", revision=3, active=False)

    late = await deliver(workflow, clock, "account.staff_changed", staff_changed("bj-eng", revision=2, active=True))

    assert late.json() == {"status": "applied"}
    assert await _directory(workflow, callers.manager()) == [("bj-eng", False)]


async def test_the_same_announcement_delivered_twice_is_a_duplicate(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    event_id = uuid.uuid4()
    data = staff_changed("bj-eng")

    first = await deliver(workflow, clock, "account.staff_changed", data, event_id=event_id)
    again = await deliver(workflow, clock, "account.staff_changed", data, event_id=event_id)

    assert (first.json(), again.json()) == ({"status": "applied"}, {"status": "duplicate"})
    assert await _directory(workflow, callers.manager()) == [("bj-eng", True)]


async def test_an_announcement_that_breaks_the_contract_is_422_and_keeps_nothing(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    broken = {**staff_changed("bj-eng"), "revision": "latest"}

    response = await deliver(workflow, clock, "account.staff_changed", broken)

    assert response.status_code == 422
    assert await _directory(workflow, callers.manager()) == []


async def test_a_deactivated_engineer_s_token_is_refused_although_unexpired(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    token = bearer(mint(callers.key, sub="bj-eng", role="staff", grid_company="SGCC-BJ"))
    await add_staff(workflow, clock, "bj-eng")
    assert (await workflow.client.get("/api/v1/jobs", headers=token)).status_code == 200

    await add_staff(workflow, clock, "bj-eng", revision=2, active=False)
    response = await workflow.client.get("/api/v1/jobs", headers=token)

    assert (response.status_code, problem(response)) == (401, "account-deactivated")


@pytest.mark.parametrize("role", ["staff", "manager"])
async def test_a_deactivated_account_s_token_is_refused_on_a_job_and_its_evidence(
    workflow: Service, clock: FixedClock, callers: Callers, role: str
) -> None:
    token = bearer(mint(callers.key, sub="bj-eng", role=role, grid_company="SGCC-BJ"))
    await add_staff(workflow, clock, "bj-eng", role=role)
    job = await submit(workflow, clock, callers)
    assert (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=token)).status_code == 200

    await add_staff(workflow, clock, "bj-eng", role=role, revision=2, active=False)
    answers = [
        await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=token),
        await complete(workflow, job, "accept", token),
        await add_evidence(workflow, job, token),
        await workflow.client.get(f"/api/v1/jobs/{job['id']}/evidence", headers=token),
        await workflow.client.get(f"/api/v1/jobs/{uuid.uuid4()}", headers=token),
    ]

    assert [(a.status_code, problem(a)) for a in answers] == [(401, "account-deactivated")] * len(answers)
    unchanged = await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.admin())
    assert unchanged.json()["version"] == job["version"]
