"""The supply contract online: a PDF once the case is accepted, signed once by its applicant."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import timedelta
from typing import Any

from pypdf import PdfReader
from sqlalchemy import select

from services.common.clock import FixedClock
from services.intake.contracts.models import SupplyContract
from services.workflow import events as job_events
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.metrics.support import deliver
from tests.support.services import Service
from tests.support.tokens import bearer, mint

ADDRESS = "北京市朝阳区建国路88号3单元"


def _accepted(application_id: str, clock: FixedClock, *, step: str = "accept") -> dict[str, Any]:
    """job.step_completed for the case's first step, as workflow declares it."""
    steps = [
        job_events.JobStep(code="accept", name="受理签约", limit_working_days=3, completed_at=clock.now()),
        job_events.JobStep(code="connect", name="装表接电", limit_working_days=12, started_at=clock.now()),
    ]
    event = job_events.JobStepCompleted(
        job_id="job-1",
        application_id=application_id,
        grid_company="SGCC-BJ",
        region="110105",
        at=clock.now(),
        current_step="connect",
        steps=steps,
        step=step,
        elapsed_working_days=1,
        overdue=False,
    )
    return event.model_dump(mode="json")


async def _apply(intake: Service, username: str = "alice") -> tuple[dict[str, str], dict[str, Any]]:
    headers = await sign_in(intake.client, username)
    body = application_body(await upload_all(intake.client, headers), address=ADDRESS)
    created = await intake.client.post("/api/v1/applications", headers=headers, json=body)
    assert created.status_code == 201, created.text
    return headers, created.json()


async def _accept(intake: Service, clock: FixedClock, application_id: str) -> None:
    delivered = await deliver(
        intake.client, clock, "job.step_completed", _accepted(application_id, clock), source="workflow"
    )
    assert delivered.status_code == 200, delivered.text


async def _contract(intake: Service, headers: dict[str, str], application_id: str) -> bytes:
    response = await intake.client.get(f"/api/v1/applications/{application_id}/contract", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response.content


def _text(pdf: bytes) -> str:
    # Lines wrap anywhere in Chinese text: the words are looked for across line ends.
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


async def _sign(intake: Service, headers: dict[str, str], application_id: str, body: Any = None) -> Any:
    return await intake.client.post(
        f"/api/v1/applications/{application_id}/contract/sign",
        headers={**headers, "User-Agent": "zerovisit-app/2.1 " + "x" * 500},
        json={"agree": True} if body is None else body,
    )


async def test_the_contract_is_not_ready_before_the_case_is_accepted(intake: Service) -> None:
    headers, case = await _apply(intake)
    response = await intake.client.get(f"/api/v1/applications/{case['id']}/contract", headers=headers)
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("contract-not-ready")
    signed = await _sign(intake, headers, case["id"])
    assert signed.status_code == 409 and signed.json()["type"].endswith("contract-not-ready")


async def test_another_step_completed_does_not_make_the_contract(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    event = _accepted(case["id"], clock, step="supply_plan")
    await deliver(intake.client, clock, "job.step_completed", event, source="workflow")
    response = await intake.client.get(f"/api/v1/applications/{case['id']}/contract", headers=headers)
    assert response.status_code == 409


async def test_the_accepted_case_has_a_pdf_with_its_address_and_category_in_chinese(
    intake: Service, clock: FixedClock
) -> None:
    headers, case = await _apply(intake)
    await _accept(intake, clock, case["id"])
    text = _text(await _contract(intake, headers, case["id"]))
    assert ADDRESS in text
    assert "小微企业低压用电" in text  # sme_lv, as the contract names it
    assert "国网北京市电力公司" in text and case["number"] in text
    assert "100千伏安" in text and "Alice" in text
    assert "北京市朝阳区" in text and "零投资" in text
    assert f"{clock.now().year}年" in text


async def test_the_same_case_gives_the_same_bytes_every_time(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    await _accept(intake, clock, case["id"])
    first = await _contract(intake, headers, case["id"])
    clock.advance(timedelta(days=3))
    again = await intake.client.get(f"/api/v1/applications/{case['id']}/contract", headers=headers)
    assert again.content == first
    assert again.headers["etag"] == f'"{hashlib.sha256(first).hexdigest()}"'


async def test_two_cases_give_two_different_files(intake: Service, clock: FixedClock) -> None:
    headers, first = await _apply(intake)
    other_headers, second = await _apply(intake, "bob")
    await _accept(intake, clock, first["id"])
    await _accept(intake, clock, second["id"])
    assert await _contract(intake, headers, first["id"]) != await _contract(intake, other_headers, second["id"])


async def test_signing_records_the_pdf_the_signer_the_time_and_the_client(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    await _accept(intake, clock, case["id"])
    pdf = await _contract(intake, headers, case["id"])
    clock.advance(timedelta(hours=2))
    signed = await _sign(intake, headers, case["id"])
    assert signed.status_code == 201, signed.text
    body = signed.json()
    assert body["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert body["signer"] == "Alice" and body["application_id"] == case["id"]
    assert body["signed_at"].startswith(clock.now().isoformat()[:19])
    async with intake.app.state.database.engine.connect() as connection:
        row = (await connection.execute(select(SupplyContract.__table__))).one()
    assert row.client_address and len(row.user_agent) == 300 and row.user_agent.startswith("zerovisit-app/2.1")
    # Signing changes nothing in the file: what was signed is what is served.
    assert await _contract(intake, headers, case["id"]) == pdf


async def test_a_contract_is_signed_once(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    await _accept(intake, clock, case["id"])
    assert (await _sign(intake, headers, case["id"])).status_code == 201
    again = await _sign(intake, headers, case["id"])
    assert again.status_code == 409 and again.json()["type"].endswith("contract-already-signed")


async def test_agreeing_must_be_literally_true(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    await _accept(intake, clock, case["id"])
    for body in ({"agree": False}, {"agree": "true"}, {"agree": 1}, {}, {"agree": True, "signer": "Mallory"}):
        response = await _sign(intake, headers, case["id"], body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
    assert (await _sign(intake, headers, case["id"])).status_code == 201


async def test_someone_elses_contract_is_not_found(intake: Service, clock: FixedClock) -> None:
    _, case = await _apply(intake)
    await _accept(intake, clock, case["id"])
    mallory = await sign_in(intake.client, "mallory")
    read = await intake.client.get(f"/api/v1/applications/{case['id']}/contract", headers=mallory)
    assert read.status_code == 404
    assert (await _sign(intake, mallory, case["id"])).status_code == 404


async def test_staff_of_the_company_read_the_contract_but_cannot_sign_it(
    intake: Service, clock: FixedClock, signing_key: object
) -> None:
    headers, case = await _apply(intake)
    await _accept(intake, clock, case["id"])
    staff = bearer(mint(signing_key, sub="staff-1", role="staff", grid_company="SGCC-BJ"))  # type: ignore[arg-type]
    assert await _contract(intake, staff, case["id"]) == await _contract(intake, headers, case["id"])
    assert (await _sign(intake, staff, case["id"])).status_code == 403
    elsewhere = bearer(mint(signing_key, sub="staff-2", role="staff", grid_company="SGCC-SH"))  # type: ignore[arg-type]
    assert (
        await intake.client.get(f"/api/v1/applications/{case['id']}/contract", headers=elsewhere)
    ).status_code == 404


async def test_a_withdrawn_application_is_not_signed(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    await _accept(intake, clock, case["id"])
    assert (await intake.client.post(f"/api/v1/applications/{case['id']}/withdraw", headers=headers)).is_success
    response = await _sign(intake, headers, case["id"])
    assert response.status_code == 409 and response.json()["type"].endswith("invalid-transition")


async def test_signing_publishes_the_signature_without_personal_data(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    await _accept(intake, clock, case["id"])
    sha256 = (await _sign(intake, headers, case["id"])).json()["sha256"]
    tables = intake.app.state.service.event_tables
    async with intake.app.state.database.engine.connect() as connection:
        rows = (
            await connection.execute(
                select(tables.outbox.c.subscriber, tables.outbox.c.body).where(
                    tables.outbox.c.event_type == "application.contract_signed"
                )
            )
        ).all()
    assert sorted(row.subscriber for row in rows) == ["metrics", "workflow"]
    data = json.loads(rows[0].body)["data"]
    assert data == {
        "application_id": case["id"],
        "grid_company": "SGCC-BJ",
        "region": "110105",
        "category": "sme_lv",
        "signed_at": data["signed_at"],
        "sha256": sha256,
    }


async def test_the_signature_is_on_the_timeline(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    await _accept(intake, clock, case["id"])
    await _sign(intake, headers, case["id"])
    read = (await intake.client.get(f"/api/v1/applications/{case['id']}", headers=headers)).json()
    assert read["progress"]["timeline"][-1]["event"] == "contract_signed"


async def test_the_applicant_is_told_the_contract_is_ready_once(intake: Service, clock: FixedClock) -> None:
    headers, case = await _apply(intake)
    event = _accepted(case["id"], clock)
    first = await deliver(intake.client, clock, "job.step_completed", event, source="workflow")
    again = await intake.client.post("/internal/events", content=first.request.content, headers=first.request.headers)
    assert again.is_success
    items = (await intake.client.get("/api/v1/notifications", headers=headers)).json()["items"]
    assert [item["kind"] for item in items] == ["contract_ready", "step_completed"]
    assert items[0]["title"] == "供用电合同待签署" and case["number"] in items[0]["body"]
