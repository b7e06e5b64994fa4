"""The customer's word: a visit staff recorded reaches the applicant, who disputes it, and metrics count it."""

from __future__ import annotations

from typing import Any

from services.intake.identity.keys import SigningKey
from tests.flows.conftest import Platform, eventually
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.support.tokens import bearer, mint

REASON = "I was asked to come to the business hall to sign, which the zero-visit promise rules out."


async def _applied(platform: Platform, key: SigningKey) -> tuple[dict[str, str], str, dict[str, Any], dict[str, str]]:
    """An applicant's case, its job once workflow holds it, and the headers of the company's staff."""
    applicant = await sign_in(platform.intake.client, "qian.li")
    body = application_body(await upload_all(platform.intake.client, applicant))
    created = await platform.intake.client.post("/api/v1/applications", headers=applicant, json=body)
    assert created.status_code == 201, created.text
    application_id: str = created.json()["id"]
    staff = bearer(mint(key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))

    async def job() -> dict[str, Any] | None:
        found = await platform.workflow.client.get(
            "/api/v1/jobs", params={"application_id": application_id}, headers=staff
        )
        items = found.json()["items"]
        return dict(items[0]) if items else None

    return applicant, application_id, await eventually(job), staff


async def _recorded(platform: Platform, job: dict[str, Any], staff: dict[str, str], path: str, body: Any) -> str:
    response = await platform.workflow.client.post(f"/api/v1/jobs/{job['id']}/{path}", headers=staff, json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_a_visit_staff_recorded_is_disputed_by_the_applicant_and_counted_against_the_company(
    platform: Platform, signing_key: SigningKey
) -> None:
    applicant, application_id, job, staff = await _applied(platform, signing_key)
    visit_id = await _recorded(platform, job, staff, "visits", {"visited_on": "2026-11-26", "purpose": "sign_contract"})
    fee_id = await _recorded(platform, job, staff, "fees", {"code": "meter_box", "amount_yuan": "0", "payer": "grid"})

    async def shown() -> dict[str, Any] | None:
        read = await platform.intake.client.get(f"/api/v1/applications/{application_id}", headers=applicant)
        progress: dict[str, Any] = read.json()["progress"]
        return progress if progress["visits"] and progress["fees"] else None

    progress = await eventually(shown)
    assert [(v["id"], v["visited_on"], v["purpose"]) for v in progress["visits"]] == [
        (visit_id, "2026-11-26", "sign_contract")
    ]
    assert [(f["id"], f["amount_yuan"], f["payer"]) for f in progress["fees"]] == [(fee_id, "0.00", "grid")]

    raised = await platform.intake.client.post(
        f"/api/v1/applications/{application_id}/disputes",
        headers=applicant,
        json={"record": "visit", "record_id": visit_id, "reason": REASON},
    )
    assert raised.status_code == 201, raised.text

    manager = bearer(mint(signing_key, sub="bj-manager", role="manager", grid_company="SGCC-BJ"))

    async def counted() -> dict[str, Any] | None:
        ranking = await platform.metrics.client.get(
            "/api/v1/metrics/grid-companies", params={"period": "2026H2"}, headers=manager
        )
        rows = {row["grid_company"]: row for row in ranking.json()["companies"]}
        row = rows.get("SGCC-BJ")
        return row if row is not None and row["disputes_count"] == 1 else None

    await eventually(counted)
    violations = await platform.metrics.client.get(
        "/api/v1/metrics/violations", params={"period": "2026H2"}, headers=manager
    )
    (item,) = [item for item in violations.json()["items"] if item["case_id"] == application_id]
    assert "disputed_visit" in item["kinds"]
    assert "disputed_fee" not in item["kinds"]
    assert [(d["record"], d["record_id"]) for d in item["disputes"]] == [("visit", visit_id)]
    assert REASON not in violations.text

    # The job's audit chain says so too, without the applicant's words, and the chain still verifies.
    async def audited() -> dict[str, Any] | None:
        history = await platform.workflow.client.get(f"/api/v1/jobs/{job['id']}/history", headers=staff)
        entries = [entry for entry in history.json() if entry["action"] == "disputed"]
        return dict(entries[0]) if entries else None

    entry = await eventually(audited)
    assert entry["actor"] == "service:intake"
    assert {k: entry["details"][k] for k in ("dispute_id", "record", "record_id", "record_on")} == {
        "dispute_id": raised.json()["id"],
        "record": "visit",
        "record_id": visit_id,
        "record_on": "2026-11-26",
    }
    assert REASON not in str(entry)
    verified = await platform.workflow.client.get("/api/v1/audit/verify", params={"job_id": job["id"]}, headers=manager)
    assert verified.json()["ok"] is True, verified.text

    # The grid company's staff read the dispute, reason and all, in intake: they are the ones to answer it.
    listed = await platform.intake.client.get(f"/api/v1/applications/{application_id}/disputes", headers=staff)
    assert [d["reason"] for d in listed.json()["items"]] == [REASON]
