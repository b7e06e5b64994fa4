"""From an online application to power on, through all three services over real HTTP delivery."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.common.calendar import WorkingDayCalendar
from services.common.clock import local_date
from services.intake.identity.keys import SigningKey
from tests.flows.conftest import Platform, eventually
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.support.fieldwork import complete_step
from tests.support.tokens import bearer, mint


async def _job_of(platform: Platform, staff: dict[str, str], application_id: str) -> dict[str, Any] | None:
    response = await platform.workflow.client.get(f"/api/v1/jobs?application_id={application_id}", headers=staff)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    return items[0] if items else None


async def _complete(platform: Platform, staff: dict[str, str], job: dict[str, Any], step: str) -> dict[str, Any]:
    response = await complete_step(platform.workflow.client, job, step, staff)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_an_application_is_connected_and_reported(platform: Platform, signing_key: SigningKey) -> None:
    applicant = await sign_in(platform.intake.client, "li.wei")
    staff = bearer(mint(signing_key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))
    regulator = bearer(mint(signing_key, sub="nea-north", role="regulator", regions=["11"]))
    documents = await upload_all(platform.intake.client, applicant)
    created = await platform.intake.client.post(
        "/api/v1/applications", headers=applicant, json=application_body(documents)
    )
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]

    async def job() -> dict[str, Any] | None:
        return await _job_of(platform, staff, application_id)

    job_read = await eventually(job)
    assert job_read["status"] == "in_progress"
    assert job_read["current_step"] == "accept"

    async def in_progress() -> dict[str, Any] | None:
        read = (await platform.intake.client.get(f"/api/v1/applications/{application_id}", headers=applicant)).json()
        return read if read["status"] == "in_progress" else None

    await eventually(in_progress)

    platform.clock.advance(timedelta(days=1))  # Friday 2026-11-27
    job_read = await _complete(platform, staff, job_read, "accept")
    assert job_read["current_step"] == "connect"
    platform.clock.advance(timedelta(days=4))  # Tuesday 2026-12-01
    job_read = await _complete(platform, staff, job_read, "connect")
    assert job_read["status"] == "connected"

    async def connected() -> dict[str, Any] | None:
        read = (await platform.intake.client.get(f"/api/v1/applications/{application_id}", headers=applicant)).json()
        return read if read["status"] == "connected" else None

    application = await eventually(connected)
    assert [s["completed_at"] is not None for s in application["progress"]["steps"]] == [True, True]
    assert application["progress"]["timeline"][0]["event"] == "submitted"

    async def fact() -> dict[str, Any] | None:
        response = await platform.metrics.client.get(f"/api/v1/metrics/cases/{application_id}", headers=regulator)
        body: dict[str, Any] = response.json()
        return body if response.status_code == 200 and body.get("connected_at") else None

    evidence = await eventually(fact)
    expected_days = WorkingDayCalendar.default().working_days_between(
        local_date(platform.clock.now() - timedelta(days=5)), local_date(platform.clock.now())
    )
    assert evidence["working_days"] == expected_days
    assert "contact_name" not in str(evidence) and "13800138000" not in str(evidence)

    summary = (await platform.metrics.client.get("/api/v1/metrics/summary?period=2026H2", headers=regulator)).json()
    sme = next(row for row in summary["rows"] if row["category"] == "sme_lv")
    assert sme["connected_count"] == 1
    assert sme["avg_working_days"] == expected_days
    assert sme["avg_documents"] == 3

    rated = await platform.intake.client.post(
        f"/api/v1/applications/{application_id}/evaluation", headers=applicant, json={"score": 5}
    )
    assert rated.status_code == 200


async def test_a_service_that_was_down_gets_every_event_once_it_is_up(
    platform: Platform, signing_key: SigningKey
) -> None:
    applicant = await sign_in(platform.intake.client, "wang.fang")
    staff = bearer(mint(signing_key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))
    documents = await upload_all(platform.intake.client, applicant, ("business_license", "id_card"))
    platform.network.down.add("workflow")
    ids = []
    for n in range(3):
        # A property document counts only for the premises it is supplied for: one for each address.
        (deed,) = await upload_all(platform.intake.client, applicant, ("property_certificate",))
        created = await platform.intake.client.post(
            "/api/v1/applications", headers=applicant, json=application_body([*documents, deed], address=f"{n} Lane")
        )
        ids.append(created.json()["id"])
    relay = platform.intake.app.state.service.relay

    async def workflow_waiting() -> int | None:
        return 1 if await relay.pending_count() >= 3 else None

    await eventually(workflow_waiting)
    platform.network.down.discard("workflow")
    platform.clock.advance(timedelta(minutes=10))  # past any backoff

    async def all_jobs() -> list[dict[str, Any]] | None:
        jobs = [await _job_of(platform, staff, application_id) for application_id in ids]
        return jobs if all(jobs) else None  # type: ignore[return-value]

    await eventually(all_jobs)
    listed = (await platform.workflow.client.get("/api/v1/jobs?limit=100", headers=staff)).json()
    assert sorted(j["application_id"] for j in listed["items"]) == sorted(ids)
    assert listed["total"] == 3
