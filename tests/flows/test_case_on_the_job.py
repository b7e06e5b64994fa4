"""Field staff find on the job all a visit needs: the case intake shared with their company, and its files."""

from __future__ import annotations

from typing import Any

import pytest

from services.intake.identity.keys import SigningKey
from tests.flows.conftest import Platform, eventually
from tests.intake.helpers import PDF, application_body, sign_in, upload
from tests.support.tokens import bearer, mint

ADDRESS = "8 Jianguo Road, Chaoyang, Beijing"


async def _case(platform: Platform, key: SigningKey) -> tuple[str, list[str], dict[str, Any]]:
    """An applied case, the ids of its documents, and its job once workflow holds the case."""
    applicant = await sign_in(platform.intake.client, "zhao.min")
    documents = []
    for n, doc_type in enumerate(("business_license", "id_card", "property_certificate")):
        uploaded = await upload(platform.intake.client, applicant, doc_type, number=f"NO-{n}")
        assert uploaded.status_code == 201, uploaded.text
        documents.append(uploaded.json()["id"])
    body = application_body(documents, address=ADDRESS, contact_name="Zhao Min", contact_phone="13900139000")
    created = await platform.intake.client.post("/api/v1/applications", headers=applicant, json=body)
    assert created.status_code == 201, created.text
    application_id: str = created.json()["id"]
    staff = bearer(mint(key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))

    async def shared() -> dict[str, Any] | None:
        found = await platform.workflow.client.get(
            "/api/v1/jobs", params={"application_id": application_id}, headers=staff
        )
        items = found.json()["items"]
        if not items:
            return None
        job: dict[str, Any] = (
            await platform.workflow.client.get(f"/api/v1/jobs/{items[0]['id']}", headers=staff)
        ).json()
        return job if job["case"] is not None else None

    return application_id, documents, await eventually(shared)


async def test_staff_of_the_company_read_the_case_on_the_job(platform: Platform, signing_key: SigningKey) -> None:
    _, documents, job = await _case(platform, signing_key)
    assert job["case"] == {
        "address": ADDRESS,
        "contact_name": "Zhao Min",
        "contact_phone": "13900139000",
        "customer_type": "enterprise",
        "business_type": "new_install",
        "capacity_kva": job["case"]["capacity_kva"],
        "documents": [
            {"id": documents[0], "type": "business_license", "number": "NO-0", "valid_until": "2031-12-31"},
            {"id": documents[1], "type": "id_card", "number": "NO-1", "valid_until": "2031-12-31"},
            {"id": documents[2], "type": "property_certificate", "number": "NO-2", "valid_until": "2031-12-31"},
        ],
    }


@pytest.mark.parametrize("caller", ["manager", "admin"])
async def test_the_case_is_for_the_company_s_staff_and_managers_only(
    platform: Platform, signing_key: SigningKey, caller: str
) -> None:
    _, _, job = await _case(platform, signing_key)
    token = mint(signing_key, sub=caller, role=caller, grid_company="SGCC-BJ" if caller == "manager" else None)
    read = await platform.workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=bearer(token))
    assert read.status_code == 200, read.text
    assert (read.json()["case"] is not None) == (caller == "manager")


async def test_lists_of_jobs_carry_no_case(platform: Platform, signing_key: SigningKey) -> None:
    application_id, _, _ = await _case(platform, signing_key)
    staff = bearer(mint(signing_key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))
    found = await platform.workflow.client.get("/api/v1/jobs", params={"application_id": application_id}, headers=staff)
    assert found.json()["items"][0]["case"] is None


async def test_staff_of_the_company_read_the_application_and_download_its_documents(
    platform: Platform, signing_key: SigningKey
) -> None:
    application_id, documents, _ = await _case(platform, signing_key)
    staff = bearer(mint(signing_key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))
    read = await platform.intake.client.get(f"/api/v1/applications/{application_id}", headers=staff)
    assert read.status_code == 200, read.text
    assert read.json()["address"] == ADDRESS
    content = await platform.intake.client.get(f"/api/v1/documents/{documents[0]}/content", headers=staff)
    assert content.status_code == 200, content.text
    assert content.content == PDF


async def test_staff_of_another_company_find_neither_the_application_nor_its_documents(
    platform: Platform, signing_key: SigningKey
) -> None:
    application_id, documents, job = await _case(platform, signing_key)
    other = bearer(mint(signing_key, sub="sh-staff", role="staff", grid_company="SGCC-SH"))
    assert (
        await platform.intake.client.get(f"/api/v1/applications/{application_id}", headers=other)
    ).status_code == 404
    assert (
        await platform.intake.client.get(f"/api/v1/documents/{documents[0]}/content", headers=other)
    ).status_code == 404
    assert (await platform.workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=other)).status_code == 404


async def test_a_document_on_file_but_not_relied_on_by_a_case_stays_the_applicant_s(
    platform: Platform, signing_key: SigningKey
) -> None:
    applicant = await sign_in(platform.intake.client, "qian.li")
    uploaded = await upload(platform.intake.client, applicant, "id_card")
    staff = bearer(mint(signing_key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))
    content = await platform.intake.client.get(f"/api/v1/documents/{uploaded.json()['id']}/content", headers=staff)
    assert content.status_code == 404
