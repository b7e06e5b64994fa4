"""Token verification is strict: RS256 with our key, issuer, audience, expiry and subject required."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from jose import jwt

from services.intake.identity.keys import SigningKey
from tests.support.services import Service
from tests.support.tokens import AUDIENCE, ISSUER, bearer, mint


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


async def _me(intake: Service, token: str) -> int:
    return (await intake.client.get("/api/v1/auth/me", headers=bearer(token))).status_code


async def test_a_valid_token_is_accepted(intake: Service, signing_key: SigningKey) -> None:
    # The account does not exist, so a valid token reaches the handler and answers 404, not 401.
    assert await _me(intake, mint(signing_key, sub="ghost", role="applicant")) == 404


async def test_a_token_signed_by_another_key_is_refused(intake: Service, tmp_path: object) -> None:
    from pathlib import Path

    other = SigningKey.load_or_create(Path(str(tmp_path)) / "other.pem")
    forged = jwt.encode(
        {"sub": "x", "role": "admin", "iss": ISSUER, "aud": AUDIENCE, "exp": 4102444800},
        other.private_pem.decode(),
        algorithm="RS256",
        headers={"kid": other.kid},
    )
    assert await _me(intake, forged) == 401


async def test_a_token_with_our_kid_but_another_key_is_refused(
    intake: Service, signing_key: SigningKey, tmp_path: object
) -> None:
    from pathlib import Path

    other = SigningKey.load_or_create(Path(str(tmp_path)) / "other.pem")
    forged = jwt.encode(
        {"sub": "x", "role": "admin", "iss": ISSUER, "aud": AUDIENCE, "exp": 4102444800},
        other.private_pem.decode(),
        algorithm="RS256",
        headers={"kid": signing_key.kid},
    )
    assert await _me(intake, forged) == 401


async def test_alg_none_is_refused(intake: Service, signing_key: SigningKey) -> None:
    header = {"alg": "none", "typ": "JWT", "kid": signing_key.kid}
    claims = {"sub": "x", "role": "admin", "iss": ISSUER, "aud": AUDIENCE, "exp": 4102444800}
    assert await _me(intake, f"{_b64(header)}.{_b64(claims)}.") == 401


async def test_hmac_token_signed_with_the_public_key_is_refused(intake: Service, signing_key: SigningKey) -> None:
    from cryptography.hazmat.primitives import serialization

    private = serialization.load_pem_private_key(signing_key.private_pem, password=None)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    import hashlib
    import hmac

    header = {"alg": "HS256", "typ": "JWT", "kid": signing_key.kid}
    claims = {"sub": "x", "role": "admin", "iss": ISSUER, "aud": AUDIENCE, "exp": 4102444800}
    signing_input = f"{_b64(header)}.{_b64(claims)}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{base64.urlsafe_b64encode(signature).decode().rstrip('=')}"
    assert await _me(intake, token) == 401


async def test_an_expired_token_is_refused(intake: Service, signing_key: SigningKey) -> None:
    expired = mint(
        signing_key, sub="x", role="applicant", now=datetime.now(UTC) - timedelta(hours=2), ttl=timedelta(hours=1)
    )
    assert await _me(intake, expired) == 401


@pytest.mark.parametrize(("issuer", "audience"), [(ISSUER, "someone-else"), ("https://evil.example", AUDIENCE)])
async def test_a_wrong_audience_or_issuer_is_refused(
    intake: Service, signing_key: SigningKey, issuer: str, audience: str
) -> None:
    assert await _me(intake, mint(signing_key, sub="x", role="applicant", issuer=issuer, audience=audience)) == 401


async def test_a_token_without_subject_or_expiry_is_refused(intake: Service, signing_key: SigningKey) -> None:
    base = {"role": "applicant", "iss": ISSUER, "aud": AUDIENCE}
    for claims in ({**base, "exp": 4102444800}, {**base, "sub": "x"}):
        token = jwt.encode(
            claims, signing_key.private_pem.decode(), algorithm="RS256", headers={"kid": signing_key.kid}
        )
        assert await _me(intake, token) == 401


async def test_a_token_with_an_unknown_role_is_refused(intake: Service, signing_key: SigningKey) -> None:
    assert await _me(intake, mint(signing_key, sub="x", role="superuser")) == 401


async def test_garbage_and_missing_tokens_are_refused_as_problems(intake: Service) -> None:
    garbage = await intake.client.get("/api/v1/auth/me", headers=bearer("not.a.jwt"))
    missing = await intake.client.get("/api/v1/auth/me")
    assert garbage.status_code == missing.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.headers["www-authenticate"] == "Bearer"
