"""No personal data leaves intake: a case with a distinctive name, phone, address and document numbers goes
through all three services, and none of it appears in what metrics answers, keeps, or anyone logs.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import MetaData, insert, select
from sqlalchemy.exc import IntegrityError

from services.common.db import make_engine
from services.common.observability import JsonFormatter
from services.intake.identity.keys import SigningKey
from services.intake.identity.models import Account
from tests.flows.conftest import Platform, eventually
from tests.intake.helpers import SME_DOCUMENTS, application_body, upload
from tests.support.databases import FreshDatabases
from tests.support.fieldwork import complete_step
from tests.support.tokens import bearer, mint

PASSWORD = "correct-horse-1"
NAME = "Zhuge Kongming"
USERNAME = "zhuge.kongming.sectest"
PHONE = "13987654321"
ADDRESS = "77 Wolonggang Hidden Lane, Nanyang"
CHINESE_NAME = "诸葛孔明"
DOCUMENT_NUMBERS = {doc_type: f"110105199001017{n}3X" for n, doc_type in enumerate(SME_DOCUMENTS)}
COMMENT = "Ask Zhuge Kongming on 13987654321 before coming"
# A dispute's reason is the applicant's own words: it stays in intake like the rest.
DISPUTE_REASON = "Sent to the Wolonggang hall twice to sign, contrary to the promise"
PERSONAL = [NAME, USERNAME, PHONE, ADDRESS, CHINESE_NAME, DISPUTE_REASON, *DOCUMENT_NUMBERS.values()]

METRICS_READS = [
    ("/api/v1/metrics/summary", {"period": "2026H2"}),
    ("/api/v1/metrics/grid-companies", {"period": "2026H2"}),
    ("/api/v1/metrics/overdue", {}),
    ("/api/v1/metrics/violations", {"period": "2026H2"}),
    ("/api/v1/reports/2026H2", {}),
    ("/api/v1/complaints", {}),
    ("/api/v1/metrics/trend", {"from": "2026-07", "to": "2026-12"}),
]


def _found(text: str) -> list[str]:
    return [value for value in PERSONAL if value in text]


async def _connected_case(platform: Platform, key: SigningKey) -> str:
    """An application full of personal details, from submission to connection and rating."""
    intake = platform.intake.client
    registered = await intake.post(
        "/api/v1/auth/register", json={"username": USERNAME, "password": PASSWORD, "name": f"{NAME} {CHINESE_NAME}"}
    )
    assert registered.status_code == 201, registered.text
    token = await intake.post("/api/v1/auth/token", data={"username": USERNAME, "password": PASSWORD})
    applicant = bearer(token.json()["access_token"])
    documents = []
    for doc_type, number in DOCUMENT_NUMBERS.items():
        uploaded = await upload(intake, applicant, doc_type, number=number)
        assert uploaded.status_code == 201, uploaded.text
        documents.append(uploaded.json()["id"])
    body = application_body(documents, contact_name=f"{NAME} {CHINESE_NAME}", contact_phone=PHONE, address=ADDRESS)
    created = await intake.post("/api/v1/applications", headers=applicant, json=body)
    assert created.status_code == 201, created.text
    application_id: str = created.json()["id"]

    staff = bearer(mint(key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))

    async def job() -> dict[str, Any] | None:
        found = await platform.workflow.client.get(
            "/api/v1/jobs", params={"application_id": application_id}, headers=staff
        )
        items = found.json()["items"]
        return dict(items[0]) if items else None

    current = await eventually(job)
    await _disputed_visit(platform, current, staff, applicant, application_id)

    async def disputed_job() -> dict[str, Any] | None:
        # The dispute is written into the job's audit chain, a new version: staff read the job after it.
        history = await platform.workflow.client.get(f"/api/v1/jobs/{current['id']}/history", headers=staff)
        return await job() if any(entry["action"] == "disputed" for entry in history.json()) else None

    current = await eventually(disputed_job)
    for step in ("accept", "connect"):
        platform.clock.advance(timedelta(days=1))
        done = await complete_step(platform.workflow.client, current, step, staff)
        assert done.status_code == 200, done.text
        current = done.json()

    async def connected() -> bool | None:
        read = await intake.get(f"/api/v1/applications/{application_id}", headers=applicant)
        return True if read.json()["status"] == "connected" else None

    await eventually(connected)
    rated = await intake.post(
        f"/api/v1/applications/{application_id}/evaluation", headers=applicant, json={"score": 4, "comment": COMMENT}
    )
    assert rated.status_code == 200, rated.text
    return application_id


async def _disputed_visit(
    platform: Platform, job: dict[str, Any], staff: dict[str, str], applicant: dict[str, str], application_id: str
) -> None:
    """Staff record a visit; the applicant disputes it in words of its own, and metrics hear of the dispute."""
    visit = await platform.workflow.client.post(
        f"/api/v1/jobs/{job['id']}/visits", headers=staff, json={"visited_on": "2026-11-26", "purpose": "other"}
    )
    assert visit.status_code == 201, visit.text

    async def shown() -> bool | None:
        read = await platform.intake.client.get(f"/api/v1/applications/{application_id}", headers=applicant)
        return True if read.json()["progress"]["visits"] else None

    await eventually(shown)
    body = {"record": "visit", "record_id": visit.json()["id"], "reason": DISPUTE_REASON}
    disputed = await platform.intake.client.post(
        f"/api/v1/applications/{application_id}/disputes", headers=applicant, json=body
    )
    assert disputed.status_code == 201, disputed.text


async def _metrics_answers(platform: Platform, key: SigningKey, application_id: str) -> list[httpx.Response]:
    callers = [
        bearer(mint(key, sub="admin", role="admin")),
        bearer(mint(key, sub="nea-north", role="regulator", regions=["11"])),
        bearer(mint(key, sub="bj-manager", role="manager", grid_company="SGCC-BJ")),
    ]
    metrics = platform.metrics.client

    async def evaluated() -> httpx.Response | None:
        case = await metrics.get(f"/api/v1/metrics/cases/{application_id}", headers=callers[0])
        return case if case.status_code == 200 and case.json().get("evaluation_score") == 4 else None

    answers = [await eventually(evaluated)]
    for headers in callers:
        answers.append(await metrics.get(f"/api/v1/metrics/cases/{application_id}", headers=headers))
        for path, params in METRICS_READS:
            answers.append(await metrics.get(path, params=params, headers=headers))
        answers.append(await metrics.get("/api/v1/reports/2026H2", headers={**headers, "Accept": "text/csv"}))
    answers.append(await metrics.post("/api/v1/reports/2026H2/publish", headers=callers[0]))
    answers.append(await metrics.get("/api/v1/public/reports/2026H2"))
    answers.append(await metrics.get("/api/v1/public/reports/2026H2", headers={"Accept": "text/csv"}))
    return answers


def _as_text(response: httpx.Response) -> str:
    if "json" in response.headers.get("content-type", ""):
        return response.text + json.dumps(response.json(), ensure_ascii=False)
    return response.text


async def _stored_rows(platform: Platform) -> str:
    """Every row of every table of the metrics database, as text."""
    engine = platform.metrics.app.state.database.engine
    tables = MetaData()
    async with engine.connect() as connection:
        await connection.run_sync(tables.reflect)
        rows = [repr((await connection.execute(select(table))).all()) for table in tables.sorted_tables]
    return "\n".join(rows)


def _logged(records: list[logging.LogRecord]) -> str:
    formatter = JsonFormatter()
    return "\n".join(formatter.format(record) + repr(vars(record)) for record in records)


@pytest.fixture
async def journey(
    platform: Platform, signing_key: SigningKey, caplog: pytest.LogCaptureFixture
) -> tuple[Platform, str, list[httpx.Response]]:
    """The case driven through every service while its log records are captured.

    Everything at INFO, the level the services run at, and the services' own loggers down to DEBUG.
    """
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="zerovisit")
    application_id = await _connected_case(platform, signing_key)
    answers = await _metrics_answers(platform, signing_key, application_id)
    return platform, application_id, answers


async def test_metrics_answers_carry_no_personal_data(journey: tuple[Platform, str, list[httpx.Response]]) -> None:
    _, application_id, answers = journey
    assert all(answer.is_success for answer in answers), [a.text for a in answers if not a.is_success]
    assert any(application_id in answer.text for answer in answers)
    for answer in answers:
        assert not _found(_as_text(answer)), f"{answer.request.url}: {_found(_as_text(answer))}"


async def test_the_metrics_database_keeps_no_personal_data(
    journey: tuple[Platform, str, list[httpx.Response]],
) -> None:
    platform, application_id, _ = journey
    stored = await _stored_rows(platform)
    assert application_id in stored
    assert not _found(stored)


async def test_a_dispute_reaches_metrics_without_its_reason(
    journey: tuple[Platform, str, list[httpx.Response]], signing_key: SigningKey
) -> None:
    platform, application_id, _ = journey
    admin = bearer(mint(signing_key, sub="admin", role="admin"))
    violations = await platform.metrics.client.get(
        "/api/v1/metrics/violations", params={"period": "2026H2"}, headers=admin
    )
    (item,) = [item for item in violations.json()["items"] if item["case_id"] == application_id]
    assert "disputed_visit" in item["kinds"]
    assert DISPUTE_REASON not in violations.text
    assert DISPUTE_REASON not in await _stored_rows(platform)


async def test_the_case_reaches_the_grid_company_s_staff_but_not_metrics(
    journey: tuple[Platform, str, list[httpx.Response]], signing_key: SigningKey
) -> None:
    # The personal details travel (application.case_shared) to workflow alone: the proof above is not empty.
    platform, application_id, _ = journey
    staff = bearer(mint(signing_key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))
    found = await platform.workflow.client.get("/api/v1/jobs", params={"application_id": application_id}, headers=staff)
    job = await platform.workflow.client.get(f"/api/v1/jobs/{found.json()['items'][0]['id']}", headers=staff)
    assert job.json()["case"]["contact_phone"] == PHONE
    assert PHONE not in await _stored_rows(platform)


async def test_no_service_logs_personal_data(
    journey: tuple[Platform, str, list[httpx.Response]], caplog: pytest.LogCaptureFixture
) -> None:
    # The journey ran while the fixture was set up; its records are kept under that phase.
    records = [*caplog.get_records("setup"), *caplog.get_records("call")]
    assert {getattr(r, "service", None) for r in records} >= {"intake", "workflow", "metrics"}
    assert not _found(_logged(records))


async def test_a_database_error_does_not_carry_the_values_that_were_sent(databases: FreshDatabases) -> None:
    # Error handlers log the exceptions they catch; the statement may be logged, the applicant's values never.
    engine = make_engine(await databases.url("intake"))
    account = {
        "username": USERNAME,
        "password_hash": "x",
        "name": NAME,
        "role": "applicant",
        "created_at": datetime.now(UTC),
    }
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(Account), {**account, "id": "a-1"})
            with pytest.raises(IntegrityError) as raised:
                await connection.execute(insert(Account), {**account, "id": "a-2"})
    finally:
        await engine.dispose()
    assert "INSERT INTO account" in str(raised.value)
    assert not _found(str(raised.value))
