"""Token verification remembers tokens it has passed, without letting one outlive its expiry or its key."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from services.common import auth
from services.common.auth import KeySource, TokenVerifier
from services.common.errors import Unauthorized
from services.intake.identity.keys import SigningKey
from tests.support.tokens import AUDIENCE, ISSUER, mint


@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> SigningKey:
    return SigningKey.load_or_create(tmp_path_factory.mktemp("keys") / "signing.pem")


def _verifier(jwks_file: Path, cache_seconds: int = 3600) -> TokenVerifier:
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, keys=KeySource.from_file(jwks_file, cache_seconds))


async def test_a_token_passed_once_is_not_checked_again(
    key: SigningKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (jwks := tmp_path / "jwks.json").write_text(json.dumps(key.jwks()))
    verifier = _verifier(jwks)
    token = mint(key, sub="a-1", role="applicant")
    first = await verifier.verify(token)

    def no_second_check(_token: str) -> None:
        raise AssertionError("verified again")

    monkeypatch.setattr(verifier, "_verify", no_second_check)
    assert await verifier.verify(token) == first


async def test_a_remembered_token_is_checked_afresh_once_it_expires(
    key: SigningKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (jwks := tmp_path / "jwks.json").write_text(json.dumps(key.jwks()))
    verifier = _verifier(jwks)
    now = datetime.now(UTC)
    token = mint(key, sub="a-1", role="applicant", now=now, ttl=timedelta(minutes=5))
    await verifier.verify(token)

    later = (now + timedelta(minutes=6)).timestamp()
    monkeypatch.setattr(auth.time, "time", lambda: later)

    async def expired(_token: str) -> None:
        raise Unauthorized("The token is not valid: Signature has expired.")

    monkeypatch.setattr(verifier, "_verify", expired)
    with pytest.raises(Unauthorized, match="expired"):
        await verifier.verify(token)
    assert token not in verifier._verified


async def test_a_remembered_token_is_refused_once_its_key_is_withdrawn(key: SigningKey, tmp_path: Path) -> None:
    (jwks := tmp_path / "jwks.json").write_text(json.dumps(key.jwks()))
    verifier = _verifier(jwks, cache_seconds=0)  # keys read again whenever asked
    token = mint(key, sub="a-1", role="applicant")
    await verifier.verify(token)

    jwks.write_text(json.dumps({"keys": []}))
    with pytest.raises(Unauthorized, match="unknown key"):
        await verifier.verify(token)


async def test_the_oldest_token_is_forgotten_when_the_cache_is_full(
    key: SigningKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (jwks := tmp_path / "jwks.json").write_text(json.dumps(key.jwks()))
    monkeypatch.setattr(TokenVerifier, "CACHE_SIZE", 2)
    verifier = _verifier(jwks)
    tokens = [mint(key, sub=f"a-{n}", role="applicant") for n in range(3)]
    for token in tokens:
        await verifier.verify(token)
    assert list(verifier._verified) == tokens[1:]


class _CountingIssuer:
    """A JWKS endpoint that counts its fetches and answers slowly enough for requests to overlap."""

    def __init__(self, jwks: dict[str, object], status: int = 200) -> None:
        self.jwks = jwks
        self.status = status
        self.fetches = 0

    async def __call__(self, _request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        await asyncio.sleep(0.05)
        return httpx.Response(self.status, json=self.jwks)


def _url_verifier(issuer: _CountingIssuer) -> tuple[TokenVerifier, httpx.AsyncClient]:
    client = httpx.AsyncClient(transport=httpx.MockTransport(issuer))
    keys = KeySource.from_url(client, "http://intake/.well-known/jwks.json", cache_seconds=300)
    return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, keys=keys), client


async def _forged(verifier: TokenVerifier, forger: SigningKey, count: int) -> list[BaseException | object]:
    tokens = [mint(forger, sub=f"x-{n}", role="admin") for n in range(count)]
    return await asyncio.gather(*(verifier.verify(token) for token in tokens), return_exceptions=True)


async def test_concurrent_tokens_with_an_unknown_key_id_fetch_the_keys_once(key: SigningKey, tmp_path: Path) -> None:
    issuer = _CountingIssuer(key.jwks())
    verifier, client = _url_verifier(issuer)
    forger = SigningKey.load_or_create(tmp_path / "forger.pem")
    try:
        await verifier.verify(mint(key, sub="a-1", role="applicant"))
        assert issuer.fetches == 1
        verifier.keys._attempted_at -= 60  # the keys were fetched a minute ago: an unknown key id may refetch
        answers = await _forged(verifier, forger, 30)
        assert all(isinstance(answer, Unauthorized) for answer in answers)
        assert issuer.fetches == 2
        await _forged(verifier, forger, 30)
        assert issuer.fetches == 2  # and no more within the refetch interval
    finally:
        await client.aclose()


async def test_a_failing_key_endpoint_is_not_asked_again_by_every_request(key: SigningKey, tmp_path: Path) -> None:
    issuer = _CountingIssuer({}, status=503)
    verifier, client = _url_verifier(issuer)
    forger = SigningKey.load_or_create(tmp_path / "forger.pem")
    try:
        await _forged(verifier, forger, 30)
        await _forged(verifier, forger, 30)
        assert issuer.fetches == 1
    finally:
        await client.aclose()
