"""A field engineer's account from intake to workflow: announced, given a job, deactivated, the job given back."""

from __future__ import annotations

from typing import Any

from services.intake.identity import directory
from services.intake.identity import service as identity_service
from tests.flows.conftest import Platform, eventually
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.support.fieldwork import complete_step

PASSWORD = "field-work-2026!"


async def _account(platform: Platform, username: str, role: str) -> str:
    """Make a Beijing staff or manager account as `zerovisit users create` does; its id."""
    async with platform.intake.app.state.database.sessionmaker() as session, session.begin():
        account = await identity_service.create_account(
            session,
            username=username,
            password=PASSWORD,
            name=username.replace(".", " ").title(),
            role=role,
            now=platform.clock.now(),
            subscribers=platform.intake.app.state.service.settings.subscribers,
            grid_company="SGCC-BJ",
        )
    return account.id


async def _signed_in(platform: Platform, username: str) -> dict[str, str]:
    token = await platform.intake.client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


async def _job(platform: Platform, manager: dict[str, str]) -> dict[str, Any]:
    applicant = await sign_in(platform.intake.client, "feng.yu")
    documents = await upload_all(platform.intake.client, applicant)
    created = await platform.intake.client.post(
        "/api/v1/applications", headers=applicant, json=application_body(documents)
    )
    assert created.status_code == 201, created.text

    async def made() -> dict[str, Any] | None:
        found = await platform.workflow.client.get(
            "/api/v1/jobs", params={"application_id": created.json()["id"]}, headers=manager
        )
        items: list[dict[str, Any]] = found.json()["items"]
        return items[0] if items else None

    return await eventually(made)


async def test_an_engineer_made_in_intake_is_assigned_then_deactivated_and_the_job_returns_to_the_queue(
    platform: Platform,
) -> None:
    engineer_id = await _account(platform, "gao.feng", "staff")
    await _account(platform, "lu.qiang", "manager")
    manager = await _signed_in(platform, "lu.qiang")
    engineer = await _signed_in(platform, "gao.feng")

    async def listed() -> list[dict[str, Any]] | None:
        answer = await platform.workflow.client.get("/api/v1/staff", params={"active": "true"}, headers=manager)
        entries: list[dict[str, Any]] = answer.json()
        return entries if len(entries) == 2 else None

    directory_entries = await eventually(listed)
    assert [(e["username"], e["name"], e["active"]) for e in directory_entries] == [
        ("gao.feng", "Gao Feng", True),
        ("lu.qiang", "Lu Qiang", True),
    ]
    job = await _job(platform, manager)
    assigned = await platform.workflow.client.post(
        f"/api/v1/jobs/{job['id']}/assign", json={"assignee": engineer_id}, headers=manager
    )
    assert assigned.status_code == 200, assigned.text
    mine = await platform.workflow.client.get("/api/v1/jobs", params={"assignee": "me"}, headers=engineer)
    assert [(j["id"], j["working_days_left"]) for j in mine.json()["items"]] == [(job["id"], 3)]

    async with platform.intake.app.state.database.sessionmaker() as session, session.begin():
        await directory.set_active(
            session,
            username="gao.feng",
            active=False,
            subscribers=platform.intake.app.state.service.settings.subscribers,
            now=platform.clock.now(),
        )

    async def unassigned() -> list[dict[str, Any]] | None:
        queue = await platform.workflow.client.get("/api/v1/jobs", params={"assignee": "none"}, headers=manager)
        items: list[dict[str, Any]] = queue.json()["items"]
        return items or None

    assert [j["id"] for j in await eventually(unassigned)] == [job["id"]]
    refused = await platform.workflow.client.post(
        f"/api/v1/jobs/{job['id']}/assign", json={"assignee": engineer_id}, headers=manager
    )
    assert (refused.status_code, refused.json()["reason"]) == (422, "deactivated")
    assert (await platform.workflow.client.get("/api/v1/jobs", headers=engineer)).status_code == 401
    again = await platform.intake.client.post("/api/v1/auth/token", data={"username": "gao.feng", "password": PASSWORD})
    assert again.status_code == 401


async def test_an_engineer_finds_the_case_in_the_queue_works_it_on_site_with_evidence_and_connects_it(
    platform: Platform,
) -> None:
    engineer_id = await _account(platform, "zhou.min", "staff")
    await _account(platform, "he.jun", "manager")
    manager = await _signed_in(platform, "he.jun")
    engineer = await _signed_in(platform, "zhou.min")

    async def known() -> bool | None:
        answer = await platform.workflow.client.get("/api/v1/staff", headers=manager)
        return True if any(entry["id"] == engineer_id for entry in answer.json()) else None

    await eventually(known)
    job = await _job(platform, manager)
    assigned = await platform.workflow.client.post(
        f"/api/v1/jobs/{job['id']}/assign", json={"assignee": engineer_id}, headers=manager
    )
    assert assigned.status_code == 200, assigned.text

    # The engineer's queue leads to the case: where to go, whom to call, which documents it rests on.
    (queued,) = (
        await platform.workflow.client.get("/api/v1/jobs", params={"assignee": "me"}, headers=engineer)
    ).json()["items"]

    async def with_case() -> dict[str, Any] | None:
        read = (await platform.workflow.client.get(f"/api/v1/jobs/{queued['id']}", headers=engineer)).json()
        return read if read.get("case") else None

    current = await eventually(with_case)
    assert current["case"]["address"] == application_body([])["address"]
    assert current["case"]["contact_phone"] == "13800138000"
    assert len(current["case"]["documents"]) == 3

    for step in ("accept", "connect"):
        done = await complete_step(platform.workflow.client, current, step, engineer)
        assert done.status_code == 200, done.text
        current = done.json()
    assert current["status"] == "connected"
    connect = current["steps"][-1]
    evidence = await platform.workflow.client.get(f"/api/v1/jobs/{current['id']}/evidence", headers=engineer)
    assert connect["meter_number"] and [e["kind"] for e in evidence.json()] == ["meter_photo"]

    # The evidence is in the audit chain, and the chain verifies.
    verified = await platform.workflow.client.get(
        "/api/v1/audit/verify", params={"job_id": current["id"]}, headers=manager
    )
    assert verified.status_code == 200 and verified.json()["ok"] is True, verified.text

    applicant = await platform.intake.client.post(
        "/api/v1/auth/token", data={"username": "feng.yu", "password": "correct-horse-1"}
    )
    headers = {"Authorization": f"Bearer {applicant.json()['access_token']}"}

    async def connected() -> bool | None:
        read = await platform.intake.client.get(f"/api/v1/applications/{current['application_id']}", headers=headers)
        return True if read.json()["status"] == "connected" else None

    assert await eventually(connected)
