"""Public status lookup by case number and the last four digits of the contact phone, with no account."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import httpx

from services.common.clock import FixedClock
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.intake.test_progress import _connected
from tests.metrics.support import deliver
from tests.support.services import Service

LOOKUP = "/api/v1/public/applications"
MAX_FAILURES = 10
Client = Callable[[], httpx.AsyncClient]


async def _apply(intake: Service) -> dict[str, str]:
    headers = await sign_in(intake.client, "alice")
    body = application_body(await upload_all(intake.client, headers), contact_phone="138 0013 8765")
    created = await intake.client.post("/api/v1/applications", headers=headers, json=body)
    assert created.status_code == 201, created.text
    return dict(created.json())


async def test_a_case_is_found_by_its_number_and_the_last_four_digits_of_its_phone(
    intake: Service, from_address: Client
) -> None:
    case = await _apply(intake)
    found = await from_address().get(f"{LOOKUP}/{case['number']}", params={"phone_last4": "8765"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert set(body) == {"number", "status", "current_step", "due_on", "steps"}
    assert body["number"] == case["number"]
    assert body["status"] == "submitted"
    assert body["due_on"] == case["due_on"]
    assert [step["code"] for step in body["steps"]] == [step["code"] for step in case["steps"]]
    assert set(body["steps"][0]) == {"code", "name", "completed_at"}


async def test_the_lookup_shows_no_personal_data(intake: Service, from_address: Client) -> None:
    case = await _apply(intake)
    found = await from_address().get(f"{LOOKUP}/{case['number']}", params={"phone_last4": "8765"})
    for personal in (case["address"], case["contact_name"], "13800138765", "0013", case["id"]):
        assert personal not in found.text


async def test_the_lookup_follows_the_case_to_connection(
    intake: Service, from_address: Client, clock: FixedClock
) -> None:
    case = await _apply(intake)
    await deliver(intake.client, clock, "job.connected", _connected(case["id"], clock), source="workflow")
    found = (await from_address().get(f"{LOOKUP}/{case['number']}", params={"phone_last4": "8765"})).json()
    assert found["status"] == "connected"
    assert found["current_step"] is None
    assert all(step["completed_at"] for step in found["steps"])


async def test_a_wrong_phone_and_an_unknown_number_get_the_same_404(intake: Service, from_address: Client) -> None:
    case = await _apply(intake)
    wrong_phone = await from_address().get(f"{LOOKUP}/{case['number']}", params={"phone_last4": "0000"})
    unknown = await from_address().get(f"{LOOKUP}/ZV20261126000000000000", params={"phone_last4": "8765"})
    assert wrong_phone.status_code == unknown.status_code == 404
    assert wrong_phone.headers["content-type"] == unknown.headers["content-type"] == "application/problem+json"
    # Only `instance`, the path the caller asked for, differs.
    assert {**wrong_phone.json(), "instance": None} == {**unknown.json(), "instance": None}


async def test_a_wrong_phone_takes_no_longer_nor_shorter_than_an_unknown_number(
    intake: Service, from_address: Client
) -> None:
    case = await _apply(intake)
    intake.app.state.intake.lookup_throttle.max_failures = 10_000

    async def timed(number: str, phone: str) -> float:
        client = from_address()
        started = time.perf_counter()
        response = await client.get(f"{LOOKUP}/{number}", params={"phone_last4": phone})
        assert response.status_code == 404
        return time.perf_counter() - started

    wrong, unknown = [], []
    for _ in range(30):
        wrong.append(await timed(case["number"], "0000"))
        unknown.append(await timed("ZV20261126000000000000", "8765"))
    # Both misses run one indexed query and one constant-time comparison: their medians stay close.
    assert abs(statistics.median(wrong) - statistics.median(unknown)) < statistics.median(unknown)


async def test_a_malformed_phone_is_refused_before_any_lookup(intake: Service, from_address: Client) -> None:
    case = await _apply(intake)
    refused = await from_address().get(f"{LOOKUP}/{case['number']}", params={"phone_last4": "87a5"})
    assert refused.status_code == 422


async def test_guessing_phones_from_one_address_is_throttled(intake: Service, from_address: Client) -> None:
    case = await _apply(intake)
    guesser = from_address()
    for guess in range(MAX_FAILURES):
        wrong = await guesser.get(f"{LOOKUP}/{case['number']}", params={"phone_last4": f"{guess:04d}"})
        assert wrong.status_code == 404
    throttled = await guesser.get(f"{LOOKUP}/{case['number']}", params={"phone_last4": "8765"})
    assert throttled.status_code == 429
    assert throttled.headers["content-type"] == "application/problem+json"
    assert 0 < int(throttled.headers["retry-after"]) <= 600
    assert case["number"] not in throttled.text.replace(throttled.json()["instance"], "")


async def test_a_throttled_address_does_not_throttle_others(intake: Service, from_address: Client) -> None:
    case = await _apply(intake)
    guesser = from_address()
    for guess in range(MAX_FAILURES):
        await guesser.get(f"{LOOKUP}/{case['number']}", params={"phone_last4": f"{guess:04d}"})
    elsewhere = await from_address().get(f"{LOOKUP}/{case['number']}", params={"phone_last4": "8765"})
    assert elsewhere.status_code == 200


async def test_the_failure_limit_is_a_setting(intake: Service, from_address: Client) -> None:
    assert intake.app.state.settings.public_lookup_max_failures == MAX_FAILURES
    intake.app.state.intake.lookup_throttle.max_failures = 2
    guesser = from_address()
    for _ in range(2):
        await guesser.get(f"{LOOKUP}/ZV-NONE", params={"phone_last4": "1234"})
    assert (await guesser.get(f"{LOOKUP}/ZV-NONE", params={"phone_last4": "1234"})).status_code == 429
