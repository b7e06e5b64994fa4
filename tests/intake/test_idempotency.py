"""Idempotency-Key: an answer in flight is 409, a failed request lets its key go, records expire."""

from __future__ import annotations

from datetime import timedelta

from services.common.clock import FixedClock
from services.common.idempotency import digest_of
from services.common.state import ServiceState
from services.intake.applications.schemas import ApplicationCreate
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.support.services import Service


async def test_a_duplicate_while_the_first_is_being_answered_is_409(intake: Service) -> None:
    headers = {**await sign_in(intake.client, "alice"), "Idempotency-Key": "in-flight"}
    body = application_body(await upload_all(intake.client, headers))
    state: ServiceState = intake.app.state.service
    me = (await intake.client.get("/api/v1/auth/me", headers=headers)).json()
    assert state.idempotency is not None
    # The first request has claimed the key and is still at work.
    await state.idempotency.claim(
        state.database,
        owner_id=me["id"],
        key="in-flight",
        digest=digest_of(ApplicationCreate(**body)),
        now=state.clock.now(),
    )

    duplicate = await intake.client.post("/api/v1/applications", headers=headers, json=body)

    assert duplicate.status_code == 409
    assert duplicate.json()["type"].endswith("idempotent-request-in-flight")
    assert (await intake.client.get("/api/v1/applications", headers=headers)).json()["total"] == 0


async def test_a_refused_request_lets_its_key_go(intake: Service) -> None:
    headers = {**await sign_in(intake.client, "alice"), "Idempotency-Key": "first-try"}
    incomplete = await intake.client.post("/api/v1/applications", headers=headers, json=application_body([]))
    body = application_body(await upload_all(intake.client, headers))

    retried = await intake.client.post("/api/v1/applications", headers=headers, json=body)

    assert incomplete.status_code == 422
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried.headers


async def test_a_key_is_answered_afresh_once_its_record_expired(intake: Service, clock: FixedClock) -> None:
    headers = {**await sign_in(intake.client, "alice"), "Idempotency-Key": "monthly"}
    body = application_body(await upload_all(intake.client, headers))
    first = await intake.client.post("/api/v1/applications", headers=headers, json=body)
    clock.advance(timedelta(hours=23))
    replayed = await intake.client.post("/api/v1/applications", headers=headers, json=body)
    clock.advance(timedelta(hours=2))  # past the 24-hour default of INTAKE_IDEMPOTENCY_TTL_HOURS

    fresh = await intake.client.post("/api/v1/applications", headers=headers, json=body)

    assert replayed.headers["Idempotent-Replayed"] == "true" and replayed.json()["id"] == first.json()["id"]
    assert fresh.status_code == 201 and fresh.json()["id"] != first.json()["id"]
    assert "Idempotent-Replayed" not in fresh.headers
