"""Answers the fuzzer once got wrong, pinned on every backend."""

from __future__ import annotations

from services import openapi
from services.intake.identity.keys import SigningKey
from tests.support.services import Service
from tests.support.tokens import bearer, mint


async def test_a_body_that_is_not_utf8_is_answered_400_as_the_document_says(intake: Service) -> None:
    response = await intake.client.post(
        "/api/v1/auth/register", content=b"\xff\xfe{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "400" in openapi.document("intake")["paths"]["/api/v1/auth/register"]["post"]["responses"]


async def test_a_nul_character_in_a_path_id_is_refused_with_422(intake: Service, signing_key: SigningKey) -> None:
    applicant = bearer(mint(signing_key, sub="li.wei", role="applicant"))
    response = await intake.client.get("/api/v1/applications/a%00b", headers=applicant)
    assert response.status_code == 422
    assert response.json()["type"].endswith("/text-with-nul")


async def test_a_nul_character_in_a_form_field_is_refused_with_422(intake: Service) -> None:
    response = await intake.client.post("/api/v1/auth/token", data={"username": "li\x00wei", "password": "pw-1"})
    assert response.status_code == 422
