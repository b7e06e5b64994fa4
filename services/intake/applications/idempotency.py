"""Idempotency-Key: the first successful answer is kept and replayed; a new body with the same key is refused."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.applications.exceptions import IdempotencyKeyReused
from services.intake.applications.models import IdempotencyRecord


@dataclass(frozen=True)
class Replay:
    """A stored answer to send again."""

    status_code: int
    body: dict[str, Any]


def request_hash(body: dict[str, Any]) -> str:
    """A stable digest of a request body."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


async def _existing(session: AsyncSession, owner_id: str, key: str, digest: str) -> Replay | None:
    record = await session.get(IdempotencyRecord, (owner_id, key), populate_existing=True)
    if record is None:
        return None
    if record.request_hash != digest:
        raise IdempotencyKeyReused("This Idempotency-Key was used with a different request body.")
    if record.status_code is None or record.response is None:
        return None
    return Replay(record.status_code, record.response)


async def claim(session: AsyncSession, *, owner_id: str, key: str, digest: str, now: datetime) -> Replay | None:
    """The stored answer for the key, or None after claiming the key for this request."""
    replay = await _existing(session, owner_id, key, digest)
    if replay is not None:
        return replay
    try:
        async with session.begin_nested():
            session.add(IdempotencyRecord(owner_id=owner_id, key=key, request_hash=digest, created_at=now))
            await session.flush()
    except IntegrityError:
        # A concurrent request with the same key committed first: answer as it did.
        replay = await _existing(session, owner_id, key, digest)
        if replay is None:
            raise IdempotencyKeyReused("A request with this Idempotency-Key is still being processed.") from None
        return replay
    return None


async def remember(session: AsyncSession, *, owner_id: str, key: str, status_code: int, body: dict[str, Any]) -> None:
    """Store the answer to a claimed key, in the same transaction as the effect."""
    record = await session.get(IdempotencyRecord, (owner_id, key))
    assert record is not None
    record.status_code = status_code
    record.response = body
    await session.flush()
