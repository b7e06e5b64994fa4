"""Password guessing is throttled per username and per client address (5 failures lock for 300 s by default)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from tests.intake.helpers import sign_in
from tests.support.services import Service

TOKEN = "/api/v1/auth/token"
PASSWORD = "correct-horse-1"
MAX_FAILURES = 5
Client = Callable[[], httpx.AsyncClient]


async def _sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(TOKEN, data={"username": username, "password": password})


async def test_guessing_one_password_from_many_addresses_locks_the_username(
    intake: Service, from_address: Client
) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    for attempt in range(MAX_FAILURES):
        wrong = await _sign_in(from_address(), "li.wei", f"guess-{attempt}")
        assert wrong.status_code == 401
    locked = await _sign_in(from_address(), "li.wei", PASSWORD)
    assert locked.status_code == 429


async def test_a_locked_out_answer_says_when_to_try_again(intake: Service, from_address: Client) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    for attempt in range(MAX_FAILURES):
        await _sign_in(from_address(), "li.wei", f"guess-{attempt}")
    locked = await _sign_in(from_address(), "li.wei", PASSWORD)
    assert locked.headers["content-type"] == "application/problem+json"
    assert 0 < int(locked.headers["retry-after"]) <= 300
    assert "access_token" not in locked.text


async def test_a_locked_username_does_not_lock_anyone_else(intake: Service, from_address: Client) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    await sign_in(intake.client, "wang.fang", PASSWORD)
    for attempt in range(MAX_FAILURES):
        await _sign_in(from_address(), "li.wei", f"guess-{attempt}")
    other = await _sign_in(from_address(), "wang.fang", PASSWORD)
    assert other.status_code == 200


async def test_one_address_guessing_across_usernames_is_locked_out(intake: Service, from_address: Client) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    attacker = from_address()
    for n in range(MAX_FAILURES):
        wrong = await _sign_in(attacker, f"user-{n}", "password-1")
        assert wrong.status_code == 401
    locked = await _sign_in(attacker, "li.wei", PASSWORD)
    assert locked.status_code == 429


async def test_a_locked_out_address_does_not_lock_other_addresses(intake: Service, from_address: Client) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    attacker = from_address()
    for n in range(MAX_FAILURES):
        await _sign_in(attacker, f"user-{n}", "password-1")
    elsewhere = await _sign_in(from_address(), "li.wei", PASSWORD)
    assert elsewhere.status_code == 200


async def test_signing_in_to_ones_own_account_does_not_reset_the_count_against_another(
    intake: Service, from_address: Client
) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    await sign_in(intake.client, "mallory", PASSWORD)
    for attempt in range(MAX_FAILURES - 1):
        await _sign_in(from_address(), "li.wei", f"guess-{attempt}")
    own = await _sign_in(from_address(), "mallory", PASSWORD)
    assert own.status_code == 200
    await _sign_in(from_address(), "li.wei", "guess-last")
    locked = await _sign_in(from_address(), "li.wei", PASSWORD)
    assert locked.status_code == 429


async def test_a_locked_username_stays_locked_while_other_usernames_are_sprayed(
    intake: Service, from_address: Client
) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    for attempt in range(MAX_FAILURES):
        await _sign_in(from_address(), "li.wei", f"guess-{attempt}")
    for n in range(50):
        await _sign_in(from_address(), f"sprayed-{n}", "password-1")
    locked = await _sign_in(from_address(), "li.wei", PASSWORD)
    assert locked.status_code == 429


async def test_overflowing_the_failure_table_does_not_lift_a_lockout(intake: Service, from_address: Client) -> None:
    # The table of failures is bounded; filling it with sprayed usernames must not wipe the lockouts in force.
    intake.app.state.login_throttle.max_keys = 40
    await sign_in(intake.client, "li.wei", PASSWORD)
    for attempt in range(MAX_FAILURES):
        await _sign_in(from_address(), "li.wei", f"guess-{attempt}")
    sprayer = from_address()
    for n in range(60):
        await _sign_in(sprayer, f"sprayed-{n}", "password-1")
    await _sign_in(from_address(), "one-more", "password-1")
    locked = await _sign_in(from_address(), "li.wei", PASSWORD)
    assert locked.status_code == 429
