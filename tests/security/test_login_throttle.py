"""Password guessing is throttled per username and client (5 failures lock for 300 s by default), per username
(20) and per client address (100)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from tests.intake.helpers import sign_in
from tests.support.services import Service

TOKEN = "/api/v1/auth/token"
PASSWORD = "correct-horse-1"
MAX_FAILURES = 5
PER_USERNAME = 8  # set on the throttle in the tests below (20 by default)
PER_CLIENT = 8  # likewise (100 by default)
_addresses = (f"203.0.113.{n}" for n in itertools.count(1))

Client = Callable[[], httpx.AsyncClient]


@pytest.fixture
async def from_address(intake: Service) -> AsyncIterator[Client]:
    """Clients of the intake app, each calling from an address of its own."""
    intake.app.state.intake.login_throttle.max_failures_per_username = PER_USERNAME
    intake.app.state.intake.login_throttle.max_failures_per_client = PER_CLIENT
    clients: list[httpx.AsyncClient] = []

    def make() -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=intake.app, client=(next(_addresses), 50000))
        client = httpx.AsyncClient(transport=transport, base_url="http://intake")
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


async def _sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(TOKEN, data={"username": username, "password": password})


async def test_guessing_one_password_from_many_addresses_locks_the_username(
    intake: Service, from_address: Client
) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    for attempt in range(PER_USERNAME):
        wrong = await _sign_in(from_address(), "li.wei", f"guess-{attempt}")
        assert wrong.status_code == 401
    locked = await _sign_in(from_address(), "li.wei", PASSWORD)
    assert locked.status_code == 429


async def test_guessing_one_username_from_one_address_locks_that_pair(intake: Service, from_address: Client) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    guesser = from_address()
    for attempt in range(MAX_FAILURES):
        assert (await _sign_in(guesser, "li.wei", f"guess-{attempt}")).status_code == 401
    assert (await _sign_in(guesser, "li.wei", PASSWORD)).status_code == 429
    assert (await _sign_in(from_address(), "li.wei", PASSWORD)).status_code == 200


async def test_every_spelling_of_a_username_counts_against_the_same_account(
    intake: Service, from_address: Client
) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    guesser = from_address()
    # Sign-in ignores case and the spaces around a username: so must the count of its failures.
    for attempt, spelling in enumerate((" li.wei", "LI.WEI", "li.wei\t", "\tLi.Wei ", " li.wei ")):
        assert (await _sign_in(guesser, spelling, f"guess-{attempt}")).status_code == 401
    assert (await _sign_in(guesser, "  li.wei", PASSWORD)).status_code == 429
    # Spread over many addresses, the spellings still add up to the one account's limit.
    for attempt in range(PER_USERNAME - MAX_FAILURES):
        assert (await _sign_in(from_address(), " " * (attempt + 1) + "li.wei", "wrong")).status_code == 401
    assert (await _sign_in(from_address(), "li.wei   ", PASSWORD)).status_code == 429


async def test_concurrent_wrong_passwords_cannot_pass_the_limit(intake: Service, from_address: Client) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    guesser = from_address()
    answers = await asyncio.gather(*(_sign_in(guesser, "li.wei", f"guess-{n}") for n in range(3 * MAX_FAILURES)))
    statuses = [answer.status_code for answer in answers]
    assert statuses.count(401) == MAX_FAILURES, statuses
    assert statuses.count(429) == 2 * MAX_FAILURES


async def test_a_long_username_is_kept_as_a_short_key(intake: Service, from_address: Client) -> None:
    await _sign_in(from_address(), "x" * 200_000, "password-1")
    keys = intake.app.state.intake.login_throttle._failures
    assert keys
    assert max(len(key) for key in keys) < 100


async def test_one_clients_failures_do_not_lock_out_others_behind_the_same_address(intake: Service) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    await sign_in(intake.client, "wang.fang", PASSWORD)
    # intake.client calls from one address, as colleagues behind one office gateway do.
    for attempt in range(MAX_FAILURES):
        assert (await _sign_in(intake.client, "li.wei", f"guess-{attempt}")).status_code == 401
    assert (await _sign_in(intake.client, "wang.fang", PASSWORD)).status_code == 200


async def test_a_locked_out_answer_says_when_to_try_again(intake: Service, from_address: Client) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    for attempt in range(PER_USERNAME):
        await _sign_in(from_address(), "li.wei", f"guess-{attempt}")
    locked = await _sign_in(from_address(), "li.wei", PASSWORD)
    assert locked.headers["content-type"] == "application/problem+json"
    assert 0 < int(locked.headers["retry-after"]) <= 300
    assert "access_token" not in locked.text


async def test_a_locked_username_does_not_lock_anyone_else(intake: Service, from_address: Client) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    await sign_in(intake.client, "wang.fang", PASSWORD)
    for attempt in range(PER_USERNAME):
        await _sign_in(from_address(), "li.wei", f"guess-{attempt}")
    other = await _sign_in(from_address(), "wang.fang", PASSWORD)
    assert other.status_code == 200


async def test_one_address_guessing_across_usernames_is_locked_out(intake: Service, from_address: Client) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    attacker = from_address()
    for n in range(PER_CLIENT):
        wrong = await _sign_in(attacker, f"user-{n}", "password-1")
        assert wrong.status_code == 401
    locked = await _sign_in(attacker, "li.wei", PASSWORD)
    assert locked.status_code == 429


async def test_a_locked_out_address_does_not_lock_other_addresses(intake: Service, from_address: Client) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    attacker = from_address()
    for n in range(PER_CLIENT):
        await _sign_in(attacker, f"user-{n}", "password-1")
    elsewhere = await _sign_in(from_address(), "li.wei", PASSWORD)
    assert elsewhere.status_code == 200


async def test_signing_in_to_ones_own_account_does_not_reset_the_count_against_another(
    intake: Service, from_address: Client
) -> None:
    await sign_in(intake.client, "li.wei", PASSWORD)
    await sign_in(intake.client, "mallory", PASSWORD)
    for attempt in range(PER_USERNAME - 1):
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
    for attempt in range(PER_USERNAME):
        await _sign_in(from_address(), "li.wei", f"guess-{attempt}")
    for n in range(50):
        await _sign_in(from_address(), f"sprayed-{n}", "password-1")
    locked = await _sign_in(from_address(), "li.wei", PASSWORD)
    assert locked.status_code == 429


async def test_overflowing_the_failure_table_does_not_lift_a_lockout(intake: Service, from_address: Client) -> None:
    # The table of failures is bounded; filling it with sprayed usernames must not wipe the lockouts in force.
    intake.app.state.intake.login_throttle.max_keys = 40
    await sign_in(intake.client, "li.wei", PASSWORD)
    for attempt in range(PER_USERNAME):
        await _sign_in(from_address(), "li.wei", f"guess-{attempt}")
    for n in range(60):
        await _sign_in(from_address(), f"sprayed-{n}", "password-1")
    await _sign_in(from_address(), "one-more", "password-1")
    locked = await _sign_in(from_address(), "li.wei", PASSWORD)
    assert locked.status_code == 429
