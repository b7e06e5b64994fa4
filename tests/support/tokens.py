"""Tokens for tests, signed by the same key that intake uses in the test session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.intake.identity.keys import SigningKey

ISSUER = "zerovisit-intake"
AUDIENCE = "zerovisit"


def mint(
    key: SigningKey,
    *,
    sub: str,
    role: str,
    grid_company: str | None = None,
    regions: list[str] | None = None,
    now: datetime | None = None,
    ttl: timedelta = timedelta(hours=1),
    issuer: str = ISSUER,
    audience: str = AUDIENCE,
) -> str:
    """A valid token with the given claims."""
    claims: dict[str, Any] = {"sub": sub, "role": role}
    if grid_company:
        claims["grid_company"] = grid_company
    if regions:
        claims["regions"] = regions
    return key.issue(claims, issuer=issuer, audience=audience, now=now or datetime.now(UTC), ttl=ttl)


def bearer(token: str) -> dict[str, str]:
    """An Authorization header."""
    return {"Authorization": f"Bearer {token}"}
