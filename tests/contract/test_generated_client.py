"""A whole case driven through the Python clients generated from openapi/*.json, as a frontend would."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from io import BytesIO
from typing import Any

import httpx

from services.intake.identity.service import NewAccount, create_accounts
from tests.contract.generated import Generated
from tests.flows.conftest import Platform, eventually
from tests.intake.helpers import JPEG, PDF, PNG

PASSWORD = "correct-horse-1"
CASE = {
    "customer_type": "enterprise",
    "small_micro": True,
    "business_type": "new_install",
    "capacity_kva": 100,
    "dual_supply": False,
    "region": "110105",
    "address": "北京市朝阳区建国路88号",
    "contact_name": "李伟",
    "contact_phone": "13800138000",
    "channel": "app",
}


class Clients:
    """Generated clients for one service, talking to its app in-process."""

    def __init__(self, generated: Generated, service: Any) -> None:
        self.generated = generated
        self.service = service

    def _args(self) -> dict[str, Any]:
        return {"transport": httpx.ASGITransport(app=self.service.app)}

    def anonymous(self) -> Any:
        return self.generated.client.Client(base_url=f"http://{self.service.name}", httpx_args=self._args())

    def signed_in(self, token: str) -> Any:
        return self.generated.client.AuthenticatedClient(
            base_url=f"http://{self.service.name}", token=token, httpx_args=self._args()
        )


async def _token(intake: Clients, username: str) -> str:
    issue_token = intake.generated.operation("identity", "issue_token")
    body = intake.generated.model("BodyIssueToken")(username=username, password=PASSWORD)
    response = await issue_token.asyncio_detailed(client=intake.anonymous(), body=body)
    assert response.status_code == 200, response.content
    return str(response.parsed.access_token)


async def _upload(intake: Clients, applicant: Any, kind: str, content: bytes, name: str) -> Any:
    generated = intake.generated
    body = generated.model("BodyUploadDocument")(
        file=generated.types.File(payload=BytesIO(content), file_name=name, mime_type="application/octet-stream"),
        type_=generated.model("DocumentType")(kind),
        number=f"{kind.upper()}-0001",
        valid_until=date(2031, 12, 31),
    )
    response = await generated.operation("documents", "upload_document").asyncio_detailed(client=applicant, body=body)
    assert response.status_code == 201, response.content
    return response.parsed


async def _submit(intake: Clients, applicant: Any, document_ids: list[str]) -> Any:
    body = intake.generated.model("ApplicationCreate").from_dict({**CASE, "document_ids": document_ids})
    submit = intake.generated.operation("applications", "submit_application")
    return await submit.asyncio_detailed(client=applicant, body=body)


async def _until(probe: Callable[[], Awaitable[Any]]) -> Any:
    return await eventually(probe)


async def test_a_case_is_applied_for_worked_and_reported_through_generated_clients(
    platform: Platform, generated: dict[str, Generated]
) -> None:
    intake = Clients(generated["intake"], platform.intake)
    workflow = Clients(generated["workflow"], platform.workflow)
    metrics = Clients(generated["metrics"], platform.metrics)

    register = intake.generated.operation("identity", "register_applicant")
    account = intake.generated.model("AccountCreate")(username="li.wei", password=PASSWORD, name="李伟")
    registered = await register.asyncio_detailed(client=intake.anonymous(), body=account)
    assert registered.status_code == 201, registered.content
    applicant = intake.signed_in(await _token(intake, "li.wei"))

    # The upload sends the file's bytes (a generator that took `file` for text would send its name).
    licence = await _upload(intake, applicant, "business_license", PDF, "营业执照.pdf")
    assert licence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert licence.size == len(PDF)
    identity = await _upload(intake, applicant, "id_card", PNG, "身份证.png")
    assert identity.media_type == "image/png"
    download = intake.generated.operation("documents", "download_document")
    content = await download.asyncio_detailed(licence.id, client=applicant)
    assert content.status_code == 200 and content.content == PDF

    # One document short: the problem parses as its typed schema, listing what is missing.
    incomplete = await _submit(intake, applicant, [licence.id, identity.id])
    assert incomplete.status_code == 422
    problem = incomplete.parsed
    assert type(problem).__name__ == "IncompleteApplicationProblem"
    assert [str(kind) for kind in problem.missing_documents] == ["property_certificate"]
    assert problem.status == 422

    deed = await _upload(intake, applicant, "property_certificate", PDF, "不动产权证书.pdf")
    submitted = await _submit(intake, applicant, [licence.id, identity.id, deed.id])
    assert submitted.status_code == 201, submitted.content
    application = submitted.parsed
    assert str(application.category) == "sme_lv"
    assert [str(step.code) for step in application.steps] == ["accept", "connect"]

    database_url = platform.intake.app.state.service.settings.resolved_database_url()
    await create_accounts(
        database_url,
        [
            NewAccount(username="bj-staff", password=PASSWORD, role="staff", name="王工", grid_company="SGCC-BJ"),
            NewAccount(username="nea-north", password=PASSWORD, role="regulator", name="华北监管局", regions=["11"]),
        ],
        now=platform.clock.now(),
        subscribers=platform.intake.app.state.service.settings.subscribers,
    )
    staff = workflow.signed_in(await _token(intake, "bj-staff"))
    regulator = metrics.signed_in(await _token(intake, "nea-north"))

    list_jobs = workflow.generated.operation("jobs", "list_jobs")

    async def job_appears() -> Any:
        page = await list_jobs.asyncio_detailed(client=staff, application_id=application.id)
        assert page.status_code == 200, page.content
        return page.parsed.items[0] if page.parsed.items else None

    job = await _until(job_appears)
    assert str(job.current_step) == "accept"

    complete = workflow.generated.operation("jobs", "complete_step")
    step_code = workflow.generated.model("StepCode")
    platform.clock.advance(timedelta(days=1))
    done = await complete.asyncio_detailed(job.id, step_code("accept"), client=staff, if_match=str(job.version))
    assert done.status_code == 200, done.content
    assert str(done.parsed.current_step) == "connect"
    stale = await complete.asyncio_detailed(job.id, step_code("connect"), client=staff, if_match=str(job.version))
    assert stale.status_code == 409 and type(stale.parsed).__name__ == "StaleVersionProblem"
    assert stale.parsed.version == done.parsed.version
    platform.clock.advance(timedelta(days=4))
    generated = workflow.generated
    photo = generated.model("BodyUploadEvidence")(
        file=generated.types.File(payload=BytesIO(JPEG), file_name="电表.jpg", mime_type="application/octet-stream"),
        step=step_code("connect"),
        kind=generated.model("BodyUploadEvidenceKind")("meter_photo"),
    )
    uploaded = await generated.operation("jobs", "upload_evidence").asyncio_detailed(job.id, client=staff, body=photo)
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.parsed.sha256 == hashlib.sha256(JPEG).hexdigest()
    connected = await complete.asyncio_detailed(
        job.id,
        step_code("connect"),
        client=staff,
        if_match=str(done.parsed.version + 1),  # the upload was a change of the job
        body=generated.model("StepCompletion")(meter_number="3300123456", meter_reading="0.00"),
    )
    assert connected.status_code == 200, connected.content
    assert str(connected.parsed.status) == "connected"

    evidence = metrics.generated.operation("metrics", "read_case_evidence")

    async def counted() -> Any:
        response = await evidence.asyncio_detailed(application.id, client=regulator)
        return response.parsed if response.status_code == 200 and response.parsed.connected_at else None

    await _until(counted)
    summary = await metrics.generated.operation("metrics", "read_summary").asyncio_detailed(
        client=regulator, period="2026H2"
    )
    assert summary.status_code == 200, summary.content
    sme = next(row for row in summary.parsed.rows if str(row.category) == "sme_lv")
    assert sme.connected_count == 1
    assert sme.avg_documents == 3
