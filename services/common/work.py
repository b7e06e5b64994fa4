"""One unit of work per request: its session, the events it publishes, its idempotency and the relay wake-up.

Routers ask for `Work` and hand it to services; services flush and publish through it and never commit.
The request's session commits before the response is sent (`DbSession`), and a commit that published
events wakes the relay. A change written as one statement may go through `one_statement()`, which on
PostgreSQL autocommits that statement alone when nothing else in the unit is in a transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.common.db import DbSession
from services.common.events import PUBLISHED, EventEnvelope, EventPayload, EventTables, Queued, publish, queue
from services.common.idempotency import digest_of
from services.common.state import ServiceState

Answer = TypeVar("Answer", bound=BaseModel)
# The header of a POST that honours idempotency (`UnitOfWork.idempotent`).
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255, min_length=1)]


class UnitOfWork:
    """The changes of one request, committed together before it is answered."""

    def __init__(self, session: AsyncSession, state: ServiceState) -> None:
        self.session = session
        self.state = state
        self.now: datetime = state.clock.now()
        self._keyed = False

    @property
    def event_tables(self) -> EventTables:
        """The service's outbox."""
        if self.state.event_tables is None:
            raise RuntimeError(f"{self.state.settings.service_name} has no outbox")
        return self.state.event_tables

    async def publish(self, payload: EventPayload, *, case_key: str) -> EventEnvelope:
        """Queue an event for every subscriber, in this unit's transaction; the commit wakes the relay."""
        return await publish(
            self.session,
            self.event_tables,
            payload,
            case_key=case_key,
            source=self.state.settings.service_name,
            subscribers=self.state.settings.subscribers,
            now=self.now,
        )

    def queue(self, payload: EventPayload, *, case_key: str) -> Queued:
        """An event not yet written, for a change that writes its outbox rows in its own statement."""
        return queue(
            payload,
            case_key=case_key,
            source=self.state.settings.service_name,
            subscribers=self.state.settings.subscribers,
            now=self.now,
        )

    @contextlib.asynccontextmanager
    async def one_statement(self, *, publishes: bool) -> AsyncIterator[AsyncConnection]:
        """A connection for a change written as one statement (outbox rows included).

        On PostgreSQL, when the unit has no transaction open and holds no idempotency key, the statement
        autocommits alone: atomic by itself, and two round trips cheaper than BEGIN and COMMIT.
        """
        database = self.state.database
        if database.autocommit is None or self._keyed or self.session.in_transaction():
            yield await self.session.connection()
            if publishes:
                self.session.info[PUBLISHED] = True
            return
        async with database.single_statement() as connection:
            yield connection
        if publishes and self.state.relay is not None:
            self.state.relay.wake()

    async def idempotent(
        self,
        *,
        owner_id: str,
        key: str | None,
        body: BaseModel,
        status_code: int,
        action: Callable[[], Awaitable[Answer]],
    ) -> Answer | JSONResponse:
        """Answer a request once per Idempotency-Key: the first answer is stored with the effect and replayed."""
        if key is None:
            return await action()
        if self.state.idempotency is None:
            raise RuntimeError(f"{self.state.settings.service_name} keeps no idempotency records")
        # Before anything else of the unit: the claim commits in a transaction of its own.
        claimed = await self.state.idempotency.claim(
            self.state.database, owner_id=owner_id, key=key, digest=digest_of(body), now=self.now
        )
        if isinstance(claimed, JSONResponse):
            return claimed
        self._keyed = True
        try:
            answer = await action()
            await claimed.answer(self.session, status_code=status_code, answer=answer)
        except BaseException:
            await self.session.rollback()
            await claimed.release()
            raise
        return answer


async def _unit_of_work(request: Request, session: DbSession) -> UnitOfWork:
    return UnitOfWork(session, request.app.state.service)


Work = Annotated[UnitOfWork, Depends(_unit_of_work)]
