"""Idempotency-Key for any POST: the first answer is kept and replayed; records expire after a TTL.

A retry with the same key and body gets the first answer again (with `Idempotent-Replayed: true`), the
same key with another body is 422, and a retry that arrives while the first request is still being
answered is 409. The record is written in the same transaction as the request's effect, so an answer
is replayed only for a change that committed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, delete, insert, select, update

if TYPE_CHECKING:  # imported where used: the table's definition, all a model module needs, needs no web framework
    from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import Database, UtcDateTime
from services.common.errors import Conflict, Unprocessable

REPLAYED_HEADER = "Idempotent-Replayed"


class IdempotencyKeyReused(
    Unprocessable, slug="idempotency-key-reused", title="Idempotency key reused with another body"
): ...


class IdempotentRequestInFlight(
    Conflict, slug="idempotent-request-in-flight", title="A request with this idempotency key is being answered"
): ...


def define_idempotency_table(metadata: MetaData) -> Table:
    """Add idempotency_record to a service's metadata: one row per (caller, key)."""
    return Table(
        "idempotency_record",
        metadata,
        Column("owner_id", String(36), primary_key=True),
        Column("key", String(255), primary_key=True),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=True),
        Column("response", JSON, nullable=True),
        Column("created_at", UtcDateTime, nullable=False),
    )


# A claim older than this that still has no answer was left by a request that died: it may be taken over.
ABANDONED_AFTER = timedelta(minutes=2)


class Replayed(Exception):
    """The stored answer of a key's first request, raised where a dependency finds it: it is the response."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__("replayed")
        self.response = response


def digest_of(asked: BaseModel | Mapping[str, Any]) -> str:
    """What a request asks (its body, or JSON of what it names), as a key's record keeps it: the same in any
    spelling is the same request."""
    plain = asked.model_dump(mode="json") if isinstance(asked, BaseModel) else asked
    return hashlib.sha256(json.dumps(plain, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Idempotency:
    """A service's idempotency records and how long they are kept."""

    table: Table
    ttl: timedelta

    async def claim(
        self, database: Database, *, owner_id: str, key: str, digest: str, now: datetime
    ) -> IdempotencyClaim | JSONResponse:
        """Claim a key for this request (`digest`: what the request asks, see `digest_of`), or the stored answer
        of the request that had it first.

        The claim commits at once, in a transaction of its own, so that a duplicate arriving meanwhile
        finds it and is told to wait (409) instead of doing the work twice; on SQLite it must therefore
        come before the request's own transaction begins.
        """
        where = (self.table.c.owner_id == owner_id) & (self.table.c.key == key)
        async with database.sessionmaker() as session, session.begin():
            # Expired records of this caller go first, so an old key is free again and the table stays small.
            await session.execute(
                delete(self.table).where(self.table.c.owner_id == owner_id, self.table.c.created_at < now - self.ttl)
            )
            try:
                async with session.begin_nested():
                    await session.execute(
                        insert(self.table).values(owner_id=owner_id, key=key, request_hash=digest, created_at=now)
                    )
                return IdempotencyClaim(self, database, owner_id, key)
            except IntegrityError:
                pass
            row = (
                await session.execute(
                    select(
                        self.table.c.request_hash,
                        self.table.c.status_code,
                        self.table.c.response,
                        self.table.c.created_at,
                    ).where(where)
                )
            ).one()
            if row.request_hash != digest:
                raise IdempotencyKeyReused("This Idempotency-Key was used with a different request body.")
            if row.status_code is not None and row.response is not None:
                response: dict[str, Any] = row.response
                from fastapi.responses import JSONResponse

                return JSONResponse(response, status_code=row.status_code, headers={REPLAYED_HEADER: "true"})
            if row.created_at > now - ABANDONED_AFTER:
                raise IdempotentRequestInFlight(
                    "A request with this Idempotency-Key is still being answered; retry shortly."
                )
            await session.execute(update(self.table).where(where).values(created_at=now))
            return IdempotencyClaim(self, database, owner_id, key)


@dataclass(frozen=True)
class IdempotencyClaim:
    """A key this request holds: its answer is stored with its effect, or the key is let go."""

    idempotency: Idempotency
    database: Database
    owner_id: str
    key: str

    async def answer(self, session: AsyncSession, *, status_code: int, answer: BaseModel) -> None:
        """Store the answer in the request's own transaction, so it is replayed only if the effect committed."""
        table = self.idempotency.table
        await session.execute(
            update(table)
            .where(table.c.owner_id == self.owner_id, table.c.key == self.key)
            .values(status_code=status_code, response=_encoded(answer))
        )

    async def release(self) -> None:
        """Let the key go after a failed request, so that a retry is answered afresh."""
        table = self.idempotency.table
        async with self.database.sessionmaker() as session, session.begin():
            await session.execute(delete(table).where(table.c.owner_id == self.owner_id, table.c.key == self.key))


def _encoded(answer: Any) -> Any:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(answer)
