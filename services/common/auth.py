"""Bearer-token verification: RS256 only, required claims, keys from a JWKS URL or file."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import anyio
import httpx
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import jwk, jwt
from jose.exceptions import JOSEError

from services.common.errors import Forbidden, Unauthorized
from services.common.roles import ROLES, Role

__all__ = ["ROLES", "CurrentPrincipal", "KeySource", "OptionalPrincipal", "Principal", "Role", "TokenVerifier"]

ALGORITHM = "RS256"
_REQUIRED = ("iss", "aud", "exp", "sub")


@dataclass(frozen=True)
class Principal:
    """Who is calling, as the token says."""

    subject: str
    role: Role
    grid_company: str | None = None
    regions: tuple[str, ...] = ()

    def covers_region(self, region: str) -> bool:
        """Whether a regulator's region prefixes include a region code."""
        return any(prefix == "*" or (prefix.isdigit() and region.startswith(prefix)) for prefix in self.regions)


class KeySource:
    """Where verification keys come from; caches a JWKS document.

    A token naming a key id the cache does not hold makes the keys be fetched again (the issuer may have
    rotated), but at most once every `refetch_seconds`, however many such tokens arrive: requests that find
    a fetch under way wait for it instead of starting their own, so forged key ids cannot turn into a flood
    of requests to the issuer.
    """

    def __init__(self, loader: Callable[[], Any], cache_seconds: int, *, refetch_seconds: float = 10.0) -> None:
        self._loader = loader
        self._cache_seconds = cache_seconds
        self._refetch_seconds = refetch_seconds
        self._keys: dict[str, dict[str, Any]] = {}
        self._loaded_at = 0.0
        self._attempted_at = float("-inf")  # the last fetch begun, whether it succeeded or not
        self._fetches = 0
        self._lock = anyio.Lock()
        # Changes whenever the set of keys does, so that what was verified with an old set is checked again.
        self.generation = 0

    @classmethod
    def from_jwks(cls, jwks: dict[str, Any]) -> KeySource:
        """Keys fixed in memory (the issuer verifying its own tokens)."""

        async def load() -> dict[str, Any]:
            return jwks

        return cls(load, cache_seconds=10**9)

    @classmethod
    def from_file(cls, path: Path, cache_seconds: int) -> KeySource:
        """Keys read from a JWKS file."""

        async def load() -> dict[str, Any]:
            return dict(json.loads(await anyio.Path(path).read_text()))

        return cls(load, cache_seconds)

    @classmethod
    def from_url(cls, client: httpx.AsyncClient, url: str, cache_seconds: int) -> KeySource:
        """Keys fetched over HTTP from the issuer's JWKS endpoint."""

        async def load() -> dict[str, Any]:
            response = await client.get(url, timeout=5.0)
            response.raise_for_status()
            return dict(response.json())

        return cls(load, cache_seconds)

    def stale(self) -> bool:
        """Whether the keys are due to be fetched again."""
        return time.monotonic() - self._loaded_at > self._cache_seconds

    async def key(self, kid: str | None) -> dict[str, Any] | None:
        """The JWK for a key id, refreshing the cache when it is stale or the id is unknown."""
        since_attempt = time.monotonic() - self._attempted_at
        due = since_attempt > self._cache_seconds  # stale, or a failed fetch waited out like a stale one
        unknown = kid not in self._keys if kid is not None else len(self._keys) != 1
        if due or (unknown and since_attempt >= self._refetch_seconds):
            await self._refresh(self._fetches)
        if kid is None and len(self._keys) == 1:
            return next(iter(self._keys.values()))
        return self._keys.get(kid or "")

    async def _refresh(self, seen: int) -> None:
        async with self._lock:
            if self._fetches != seen:
                return  # fetched while this request waited for the lock: use that
            self._fetches += 1
            self._attempted_at = time.monotonic()
            try:
                document = await self._loader()
            except (OSError, httpx.HTTPError, ValueError):
                return  # keep the keys we had; an unknown key then fails verification
            keys = document.get("keys", []) if isinstance(document, dict) else []
            fresh = {str(k.get("kid", "")): k for k in keys if isinstance(k, dict)}
            if fresh != self._keys:
                self._keys = fresh
                self.generation += 1
            self._loaded_at = time.monotonic()


@dataclass(frozen=True)
class _Verified:
    principal: Principal
    expires_at: float  # the token's exp, seconds since the epoch
    generation: int  # of the key set it was verified with


class TokenVerifier:
    """Verifies bearer tokens strictly and turns them into principals."""

    # Tokens verified lately, by their exact text: a client sends the same token with every request until it
    # expires, and checking an RSA signature is the dearest part of a small request. Only tokens that passed
    # every check get in, so the cache cannot be filled by forged ones; it forgets the oldest when full.
    CACHE_SIZE = 4096

    def __init__(self, *, issuer: str, audience: str, keys: KeySource) -> None:
        self.issuer = issuer
        self.audience = audience
        self.keys = keys
        self._verified: dict[str, _Verified] = {}
        # Building a key object from its JWK costs as much as checking a signature: keep the last ones built.
        self._keys_built: dict[tuple[Any, ...], Any] = {}

    def _constructed(self, jwk_dict: dict[str, Any]) -> Any:
        """The key object of an RSA JWK, built once per key id and key material (n, e)."""
        cache_key = (jwk_dict.get("kid"), jwk_dict.get("n"), jwk_dict.get("e"))
        key = self._keys_built.get(cache_key)
        if key is None:
            key = jwk.construct(jwk_dict, ALGORITHM)
            if len(self._keys_built) >= 16:
                self._keys_built.clear()
            self._keys_built[cache_key] = key
        return key

    async def verify(self, token: str) -> Principal:
        """The principal of a valid token; Unauthorized for anything else."""
        known = self._verified.get(token)
        if known is not None:
            if time.time() < known.expires_at and known.generation == self.keys.generation and not self.keys.stale():
                return known.principal
            del self._verified[token]
        principal, expires_at = await self._verify(token)
        if len(self._verified) >= self.CACHE_SIZE:
            del self._verified[next(iter(self._verified))]
        self._verified[token] = _Verified(principal, expires_at, self.keys.generation)
        return principal

    async def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError as exc:
            raise Unauthorized("The token is malformed.") from exc
        if header.get("alg") != ALGORITHM:
            raise Unauthorized("The token must be signed with RS256.")
        jwk_dict = await self.keys.key(header.get("kid"))
        if jwk_dict is None or jwk_dict.get("kty") != "RSA":
            raise Unauthorized("The token was signed with an unknown key.")
        try:
            key = self._constructed(jwk_dict)
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={f"require_{claim}": True for claim in _REQUIRED},
            )
        except JOSEError as exc:
            raise Unauthorized(f"The token is not valid: {exc}.") from exc
        expires_at = claims["exp"]
        if not isinstance(expires_at, int | float) or isinstance(expires_at, bool):
            raise Unauthorized("The token's exp claim is not a number.")
        return _principal(claims), float(expires_at)


def _principal(claims: dict[str, Any]) -> Principal:
    role = claims.get("role")
    subject = claims.get("sub")
    if role not in ROLES or not isinstance(subject, str) or not subject:
        raise Unauthorized("The token has no valid role or subject.")
    grid_company = claims.get("grid_company")
    regions = claims.get("regions") or []
    if not isinstance(regions, list) or not all(isinstance(r, str) for r in regions):
        raise Unauthorized("The token's regions claim is not a list of strings.")
    if grid_company is not None and not isinstance(grid_company, str):
        raise Unauthorized("The token's grid_company claim is not a string.")
    return Principal(subject=subject, role=role, grid_company=grid_company, regions=tuple(regions))


_bearer = HTTPBearer(auto_error=False, description="A JWT issued by the platform's identity provider.")
# The token as sent; each principal dependency below verifies it itself rather than through the others, since
# every level of dependencies costs FastAPI more per request than a second look into the verifier's cache.
_Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def optional_principal(request: Request, credentials: _Credentials) -> Principal | None:
    """The caller if a token was sent (and valid), else None."""
    if credentials is None:
        return None
    if credentials.scheme.lower() != "bearer":
        raise Unauthorized("Use a Bearer token.")
    verifier: TokenVerifier = request.app.state.service.verifier
    return await verifier.verify(credentials.credentials)


async def current_principal(request: Request, credentials: _Credentials) -> Principal:
    """The caller; 401 without a valid token."""
    principal = await optional_principal(request, credentials)
    if principal is None:
        raise Unauthorized("A bearer token is required.")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def require_roles(*roles: Role) -> Callable[..., Any]:
    """A dependency that lets through only the given roles (403 for the others)."""
    allowed: Sequence[str] = roles

    async def dependency(request: Request, credentials: _Credentials) -> Principal:
        principal = await current_principal(request, credentials)
        if principal.role not in allowed:
            raise Forbidden(f"This needs one of the roles: {', '.join(allowed)}.")
        return principal

    return dependency


def build_verifier(
    *,
    issuer: str,
    audience: str,
    jwks_url: str | None,
    jwks_file: Path | None,
    cache_seconds: int,
    client: httpx.AsyncClient,
) -> TokenVerifier:
    """A verifier for a service's settings: a JWKS file wins over a URL."""
    if jwks_file is not None:
        keys = KeySource.from_file(jwks_file, cache_seconds)
    elif jwks_url:
        keys = KeySource.from_url(client, jwks_url, cache_seconds)
    else:
        raise ValueError("Set a JWKS URL or file so that tokens can be verified.")
    return TokenVerifier(issuer=issuer, audience=audience, keys=keys)
