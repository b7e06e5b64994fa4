"""Embedded identity: registration, sign-in, throttling, keys."""

from __future__ import annotations

from tests.intake.helpers import sign_in
from tests.support.services import Service


async def test_registered_applicant_signs_in_and_reads_itself(intake: Service) -> None:
    headers = await sign_in(intake.client, "alice")
    me = await intake.client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["username"] == "alice"
    assert me.json()["role"] == "applicant"


async def test_token_answer_has_the_documented_shape(intake: Service) -> None:
    await intake.client.post(
        "/api/v1/auth/register", json={"username": "bob", "password": "pw-long-enough", "name": "B"}
    )
    token = await intake.client.post("/api/v1/auth/token", data={"username": "bob", "password": "pw-long-enough"})
    body = token.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] > 0
    assert body["access_token"].count(".") == 2


async def test_registering_a_taken_username_answers_as_a_free_one_does_and_creates_nothing(intake: Service) -> None:
    await sign_in(intake.client, "carol")
    taken = await intake.client.post(
        "/api/v1/auth/register", json={"username": "carol", "password": "another-pass", "name": "C"}
    )
    free = await intake.client.post(
        "/api/v1/auth/register", json={"username": "carl", "password": "another-pass", "name": "C"}
    )
    assert taken.status_code == free.status_code == 201
    assert {**taken.json(), "username": "-"} == {**free.json(), "username": "-"}
    token = await intake.client.post("/api/v1/auth/token", data={"username": "carol", "password": "another-pass"})
    assert token.status_code == 401


async def test_registration_cannot_choose_a_role(intake: Service) -> None:
    response = await intake.client.post(
        "/api/v1/auth/register", json={"username": "eve", "password": "pw-long-enough", "name": "E", "role": "admin"}
    )
    assert response.status_code == 422
    token = await intake.client.post("/api/v1/auth/token", data={"username": "eve", "password": "pw-long-enough"})
    assert token.status_code == 401


async def test_wrong_password_is_refused_without_saying_which_part(intake: Service) -> None:
    await sign_in(intake.client, "dave")
    wrong = await intake.client.post("/api/v1/auth/token", data={"username": "dave", "password": "nope-nope"})
    unknown = await intake.client.post("/api/v1/auth/token", data={"username": "nobody", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_repeated_failures_lock_the_username_out(intake: Service) -> None:
    await sign_in(intake.client, "frank")
    for _ in range(5):
        failed = await intake.client.post("/api/v1/auth/token", data={"username": "frank", "password": "guess-1234"})
        assert failed.status_code == 401
    locked = await intake.client.post("/api/v1/auth/token", data={"username": "frank", "password": "correct-horse-1"})
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0


async def test_jwks_publishes_one_rsa_signing_key(intake: Service) -> None:
    jwks = (await intake.client.get("/.well-known/jwks.json")).json()
    assert [key["kty"] for key in jwks["keys"]] == ["RSA"]
    assert jwks["keys"][0]["alg"] == "RS256"
    assert "d" not in jwks["keys"][0]


async def test_a_nul_character_is_refused_as_bad_input(intake: Service) -> None:
    response = await intake.client.post(
        "/api/v1/auth/register", json={"username": "nul_user", "password": "pw-long-enough", "name": "A\u0000B"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
