"""Registration: case-folded usernames, password strength, the per-client quota."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import StartIntake
from tests.intake.helpers import sign_in
from tests.support.services import Service

REGISTER = "/api/v1/auth/register"
TOKEN = "/api/v1/auth/token"


async def _register(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(REGISTER, json={"username": username, "password": password, "name": "Zhang Wei"})


async def test_usernames_that_differ_only_in_case_are_one_account(intake: Service) -> None:
    assert (await _register(intake.client, "Alice", "correct-horse-1")).status_code == 201
    assert (await _register(intake.client, "alice", "other-horse-22")).status_code == 201
    first = await intake.client.post(TOKEN, data={"username": "ALICE", "password": "correct-horse-1"})
    assert first.status_code == 200
    second = await intake.client.post(TOKEN, data={"username": "alice", "password": "other-horse-22"})
    assert second.status_code == 401


async def test_the_registered_username_is_shown_case_folded(intake: Service) -> None:
    response = await _register(intake.client, "Li.Wei", "correct-horse-1")
    assert response.json()["username"] == "li.wei"


@pytest.mark.parametrize("password", ["12345678", "password", "qwertyuiop", "li.wei2026", "LI.WEI.li.wei"])
async def test_a_common_or_personal_password_is_refused(intake: Service, password: str) -> None:
    response = await _register(intake.client, "li.wei", password)
    assert response.status_code == 422
    assert response.json()["type"].endswith("/weak-password")
    assert (await intake.client.post(TOKEN, data={"username": "li.wei", "password": password})).status_code == 401


async def test_a_password_longer_than_the_strength_checker_judges_is_accepted(intake: Service) -> None:
    # zxcvbn judges at most 72 characters; a longer passphrase is judged by its start, not refused with a 500.
    passphrase = "紫金山下玄武湖畔-" + "horse-battery-staple-correct-" * 3
    assert len(passphrase) > 72
    registered = await _register(intake.client, "long.pass", passphrase)
    assert registered.status_code == 201, registered.text
    signed_in = await intake.client.post(TOKEN, data={"username": "long.pass", "password": passphrase})
    assert signed_in.status_code == 200


async def test_a_weak_password_is_refused_for_a_taken_username_too(intake: Service) -> None:
    await sign_in(intake.client, "wang.fang")
    assert (await _register(intake.client, "wang.fang", "12345678")).status_code == 422


@pytest.fixture
async def quota_intake(start_intake: StartIntake) -> AsyncIterator[Service]:
    """Intake allowing three registrations an hour per client."""
    async with start_intake(registrations_per_client_per_hour=3) as service:
        yield service


async def test_registrations_past_the_hourly_quota_of_a_client_are_429(quota_intake: Service) -> None:
    for n in range(3):
        assert (await _register(quota_intake.client, f"user-{n}", "correct-horse-1")).status_code == 201
    refused = await _register(quota_intake.client, "user-3", "correct-horse-1")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) > 0
    token = await quota_intake.client.post(TOKEN, data={"username": "user-3", "password": "correct-horse-1"})
    assert token.status_code == 401


async def test_taken_usernames_count_against_the_registration_quota(quota_intake: Service) -> None:
    for _ in range(3):
        await _register(quota_intake.client, "same-name", "correct-horse-1")
    assert (await _register(quota_intake.client, "fresh-name", "correct-horse-1")).status_code == 429


async def test_the_registration_quota_is_per_client(quota_intake: Service) -> None:
    for n in range(3):
        await _register(quota_intake.client, f"user-{n}", "correct-horse-1")
    transport = httpx.ASGITransport(app=quota_intake.app, client=("198.51.100.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://intake") as elsewhere:
        assert (await _register(elsewhere, "user-9", "correct-horse-1")).status_code == 201


async def test_registrations_sent_at_once_cannot_pass_the_quota(quota_intake: Service) -> None:
    answers = await asyncio.gather(
        *(_register(quota_intake.client, f"burst-{n}", "correct-horse-1") for n in range(10))
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] * 3 + [429] * 7, statuses
