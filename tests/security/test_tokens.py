"""Every service refuses a bearer token that is forged, unsigned, re-signed, stale or meant for someone else.

Workflow and metrics verify with the keys they fetch from intake's JWKS over the network, as deployed.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwt

from services.intake.identity.keys import SigningKey
from tests.security.world import CALLERS, World
from tests.support.tokens import AUDIENCE, ISSUER

pytestmark = pytest.mark.asyncio(loop_scope="module")

# A route of each service that needs a token, and a caller that may use it.
PROTECTED = {
    "intake": ("/api/v1/auth/me", "owner"),
    "workflow": ("/api/v1/jobs", "staff"),
    "metrics": ("/api/v1/metrics/overdue", "regulator"),
}


def _segment(data: dict[str, Any] | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@functools.cache
def _stranger() -> SigningKey:
    """An RSA key the platform has never published."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return SigningKey.from_pem(pem)


def _claims(world: World, caller: str, **changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    kind = CALLERS[caller]
    assert kind is not None
    claims: dict[str, Any] = {
        "sub": world.subjects[caller],
        "role": kind.role,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(hours=1)).timestamp()),
    }
    if kind.grid_company:
        claims["grid_company"] = kind.grid_company
    if kind.regions:
        claims["regions"] = list(kind.regions)
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def _rs256(key: SigningKey, claims: dict[str, Any], kid: str | None = None) -> str:
    return str(jwt.encode(claims, key.private_pem.decode(), algorithm="RS256", headers={"kid": kid or key.kid}))


def valid(world: World, caller: str) -> str:
    return _rs256(world.signing_key, _claims(world, caller))


def tampered_claims(world: World, caller: str) -> str:
    header, _, signature = valid(world, caller).split(".")
    return ".".join((header, _segment(_claims(world, caller, role="admin")), signature))


def signed_by_another_key_with_the_platform_kid(world: World, caller: str) -> str:
    return _rs256(_stranger(), _claims(world, caller), kid=world.signing_key.kid)


def signed_by_an_unknown_key(world: World, caller: str) -> str:
    return _rs256(_stranger(), _claims(world, caller))


def alg_none(world: World, caller: str) -> str:
    header = {"alg": "none", "typ": "JWT", "kid": world.signing_key.kid}
    return f"{_segment(header)}.{_segment(_claims(world, caller))}."


def hs256_keyed_with_the_public_key(world: World, caller: str) -> str:
    # Key confusion: a verifier that let the token pick the algorithm would check this HMAC with the public key.
    public_pem = (
        serialization.load_pem_private_key(world.signing_key.private_pem, password=None)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": world.signing_key.kid}
    signing_input = f"{_segment(header)}.{_segment(_claims(world, caller))}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_segment(signature)}"


def expired(world: World, caller: str) -> str:
    past = datetime.now(UTC) - timedelta(hours=2)
    stale = {"iat": int(past.timestamp()), "exp": int((past + timedelta(hours=1)).timestamp())}
    return _rs256(world.signing_key, _claims(world, caller, **stale))


def wrong_issuer(world: World, caller: str) -> str:
    return _rs256(world.signing_key, _claims(world, caller, iss="https://issuer.example"))


def wrong_audience(world: World, caller: str) -> str:
    return _rs256(world.signing_key, _claims(world, caller, aud="another-platform"))


def without_expiry(world: World, caller: str) -> str:
    return _rs256(world.signing_key, _claims(world, caller, exp=None))


def without_subject(world: World, caller: str) -> str:
    return _rs256(world.signing_key, _claims(world, caller, sub=None))


Forge = Callable[[World, str], str]
REFUSED: list[Forge] = [
    tampered_claims,
    signed_by_another_key_with_the_platform_kid,
    signed_by_an_unknown_key,
    alg_none,
    hs256_keyed_with_the_public_key,
    expired,
    wrong_issuer,
    wrong_audience,
    without_expiry,
    without_subject,
]


async def _call(world: World, service: str, token: str) -> Any:
    path, _ = PROTECTED[service]
    return await world.service(service).client.get(path, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("service", PROTECTED)
async def test_a_token_signed_by_the_platform_is_accepted(world: World, service: str) -> None:
    response = await _call(world, service, valid(world, PROTECTED[service][1]))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("forge", REFUSED, ids=lambda forge: forge.__name__)
@pytest.mark.parametrize("service", PROTECTED)
async def test_a_bad_token_is_refused_with_401(world: World, service: str, forge: Forge) -> None:
    response = await _call(world, service, forge(world, PROTECTED[service][1]))
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("service", ["workflow", "metrics"])
async def test_tokens_with_unknown_key_ids_sent_at_once_fetch_the_key_set_once(
    world: World, service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = world.service(service).app.state.service.verifier.keys
    for stamp in ("_loaded_at", "_attempted_at"):  # the keys were fetched a minute ago
        monkeypatch.setattr(keys, stamp, getattr(keys, stamp, 0.0) - 60, raising=False)
    fetches = []
    forward = world.network.handle_async_request

    async def counting(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/.well-known/jwks.json":
            fetches.append(request.url.host)
        return await forward(request)

    monkeypatch.setattr(world.network, "handle_async_request", counting)
    caller = PROTECTED[service][1]
    tokens = [_rs256(_stranger(), _claims(world, caller), kid=f"forged-{n}") for n in range(20)]
    answers = await asyncio.gather(*(_call(world, service, token) for token in tokens))
    assert {answer.status_code for answer in answers} == {401}
    assert len(fetches) <= 1
    again = await asyncio.gather(*(_call(world, service, token) for token in tokens))
    assert {answer.status_code for answer in again} == {401}
    assert len(fetches) <= 1
