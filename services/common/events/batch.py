"""Receiving a batch: several events of one publisher in one signed request, applied in one transaction.

A relay sends a subscriber up to `relay_events_per_request` events at once, each of a different case or,
for one case, in the order published. The receiver verifies the request's signature once and checks every
envelope as it would a single delivery. It then applies the batch in one transaction; if any event fails,
that transaction is rolled back and the batch applied again with each event in a savepoint of its own, so a
bad event does not hold back the rest. Once an event of a case fails, the later events of that case in the
batch are deferred: the relay sends them again after the failed one, keeping each case in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.common.db import Database
from services.common.errors import ProblemError, Unprocessable, is_database_outage
from services.common.events.envelope import EventEnvelope
from services.common.events.inbox import EventHandlers, apply_event, check_envelope, clashed
from services.common.settings import ServiceSettings

MAX_EVENTS_PER_BATCH = 500

Status = Literal["applied", "ignored", "duplicate", "failed", "deferred"]


class EventBatch(BaseModel):
    """The body of a batch delivery."""

    events: list[EventEnvelope]


class EventResult(BaseModel):
    """What became of one event of a batch; a failed one carries the status and detail of its problem."""

    id: str
    status: Status
    problem_status: int | None = None
    detail: str | None = None


class BatchResults(BaseModel):
    """The answer to a batch delivery: one result per event, in the order sent."""

    results: list[EventResult]


def parse_batch(
    settings: ServiceSettings, source: str, body: bytes
) -> tuple[list[EventEnvelope], dict[str, EventResult]]:
    """The envelopes of a batch, and the results of those refused before applying (wrong source or type)."""
    try:
        batch = EventBatch.model_validate_json(body)
    except ValidationError as exc:
        raise Unprocessable("The body is not a batch of event envelopes.") from exc
    if not batch.events or len(batch.events) > MAX_EVENTS_PER_BATCH:
        raise Unprocessable(f"A batch holds 1 to {MAX_EVENTS_PER_BATCH} events, not {len(batch.events)}.")
    if len({envelope.id for envelope in batch.events}) != len(batch.events):
        raise Unprocessable("An event appears twice in the batch.")
    refused: dict[str, EventResult] = {}
    for envelope in batch.events:
        try:
            check_envelope(settings, source, envelope)
        except ProblemError as exc:
            refused[str(envelope.id)] = _failed(envelope, exc)
    return batch.events, refused


async def apply_batch(
    database: Database,
    inbox: Table,
    handlers: EventHandlers,
    envelopes: Sequence[EventEnvelope],
    *,
    now: datetime,
    context: Any,
    refused: Mapping[str, EventResult],
) -> list[EventResult]:
    """Apply the envelopes in one transaction, or event by event in savepoints when one of them fails.

    The results come in the order of the envelopes; a refused envelope keeps the result it was given.
    """
    if not refused:
        try:
            async with database.sessionmaker() as session, session.begin():
                statuses = [
                    await apply_event(session, inbox, handlers, envelope, now=now, context=context)
                    for envelope in envelopes
                ]
            return [EventResult(id=str(e.id), status=s) for e, s in zip(envelopes, statuses, strict=True)]
        except Exception as exc:
            if is_database_outage(exc):
                raise
            # One event failed (and rolled the whole batch back): apply them one by one to find which.
    results: list[EventResult] = []
    failed_cases: set[str] = set()
    async with database.sessionmaker() as session, session.begin():
        for envelope in envelopes:
            if str(envelope.id) in refused:
                failed_cases.add(envelope.case_key)
                results.append(refused[str(envelope.id)])
                continue
            if envelope.case_key in failed_cases:
                results.append(EventResult(id=str(envelope.id), status="deferred"))
                continue
            try:
                async with session.begin_nested():
                    status = await apply_event(session, inbox, handlers, envelope, now=now, context=context)
                    await session.flush()  # in the savepoint: a row that clashes fails this event alone
            except IntegrityError:
                failed_cases.add(envelope.case_key)
                results.append(_failed(envelope, clashed()))
                continue
            except DBAPIError as exc:
                if is_database_outage(exc):
                    raise
                # A value the database refuses (too long for its column, out of a number's range): this event
                # alone fails; the savepoint took back what it wrote.
                failed_cases.add(envelope.case_key)
                results.append(_failed(envelope, Unprocessable("The event holds a value this service cannot store.")))
                continue
            except ProblemError as exc:
                failed_cases.add(envelope.case_key)
                results.append(_failed(envelope, exc))
                continue
            results.append(EventResult(id=str(envelope.id), status=status))
    return results


def _failed(envelope: EventEnvelope, error: ProblemError) -> EventResult:
    return EventResult(id=str(envelope.id), status="failed", problem_status=error.status, detail=error.detail)
