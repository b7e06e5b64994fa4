"""受理签约 without a visit: the contract is ready once the case is accepted, signed online, and reported."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from typing import Any

from pypdf import PdfReader

from services.intake.identity.keys import SigningKey
from tests.flows.conftest import Platform, eventually
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.support.fieldwork import complete_step
from tests.support.tokens import bearer, mint

ADDRESS = "北京市朝阳区建国路8号"


async def _job(platform: Platform, staff: dict[str, str], application_id: str) -> dict[str, Any]:
    async def found() -> dict[str, Any] | None:
        response = await platform.workflow.client.get(
            "/api/v1/jobs", params={"application_id": application_id}, headers=staff
        )
        items = response.json()["items"]
        return items[0] if items else None

    return await eventually(found)


async def _complete(platform: Platform, staff: dict[str, str], job: dict[str, Any], step: str) -> dict[str, Any]:
    response = await complete_step(platform.workflow.client, job, step, staff)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_contract_signed_online_reaches_the_job_and_the_regulators_figures(
    platform: Platform, signing_key: SigningKey
) -> None:
    intake, workflow, metrics = platform.intake.client, platform.workflow.client, platform.metrics.client
    applicant = await sign_in(intake, "zhou.lan")
    staff = bearer(mint(signing_key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))
    regulator = bearer(mint(signing_key, sub="nea-north", role="regulator", regions=["11"]))
    body = application_body(await upload_all(intake, applicant), address=ADDRESS)
    created = await intake.post("/api/v1/applications", headers=applicant, json=body)
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]
    contract_url = f"/api/v1/applications/{application_id}/contract"
    job = await _job(platform, staff, application_id)
    assert (await intake.get(contract_url, headers=applicant)).status_code == 409

    platform.clock.advance(timedelta(days=1))  # Friday 2026-11-27
    job = await _complete(platform, staff, job, "accept")

    async def ready() -> bytes | None:
        response = await intake.get(contract_url, headers=applicant)
        return response.content if response.status_code == 200 else None

    pdf = await eventually(ready)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    assert ADDRESS in text and "小微企业低压用电" in text
    inbox = (await intake.get("/api/v1/notifications", headers=applicant)).json()["items"]
    assert "contract_ready" in {item["kind"] for item in inbox}

    signed = await intake.post(f"{contract_url}/sign", headers=applicant, json={"agree": True})
    assert signed.status_code == 201, signed.text
    assert signed.json()["sha256"] == hashlib.sha256(pdf).hexdigest()

    async def recorded() -> dict[str, Any] | None:
        read: dict[str, Any] = (await workflow.get(f"/api/v1/jobs/{job['id']}", headers=staff)).json()
        return read if read["contract_sha256"] is not None else None

    job = await eventually(recorded)
    assert job["contract_sha256"] == signed.json()["sha256"]
    history = (await workflow.get(f"/api/v1/jobs/{job['id']}/history", headers=staff)).json()
    assert history[-1]["action"] == "contract_signed"

    platform.clock.advance(timedelta(days=4))  # Tuesday 2026-12-01
    await _complete(platform, staff, job, "connect")

    async def reported() -> dict[str, Any] | None:
        summary = (await metrics.get("/api/v1/metrics/summary?period=2026H2", headers=regulator)).json()
        sme: dict[str, Any] = next(row for row in summary["rows"] if row["category"] == "sme_lv")
        return sme if sme["connected_count"] == 1 else None

    sme = await eventually(reported)
    assert (sme["contracts_signed_online"], sme["signed_online_share"]) == (1, 1.0)
