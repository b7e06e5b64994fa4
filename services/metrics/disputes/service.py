"""Keeping disputes as intake announces them, and reading them for the figures and the violations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.clock import local_date
from services.common.events import EventEnvelope, EventHandlers
from services.common.state import ServiceState
from services.intake import events as intake_events
from services.metrics.access import Scope
from services.metrics.disputes.models import Dispute
from services.metrics.periods import Period

DISPUTE: Table = Dispute.__table__  # type: ignore[assignment]


def handle_disputes(handlers: EventHandlers) -> None:
    """Register the handler that keeps intake's application.disputed events."""

    @handlers.on(intake_events.ApplicationDisputed.event_type)
    async def on_disputed(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
        event = intake_events.ApplicationDisputed.from_envelope(envelope)
        if await session.get(Dispute, event.dispute_id) is not None:
            return
        session.add(
            Dispute(
                id=event.dispute_id,
                case_id=event.application_id,
                record=event.record,
                record_id=event.record_id,
                grid_company=event.grid_company,
                region=event.region,
                record_on=event.record_on,
                disputed_at=event.disputed_at,
                disputed_on=local_date(event.disputed_at),
            )
        )
        await session.flush()


async def counts(session: AsyncSession, *, period: Period, scope: Scope) -> dict[str, int]:
    """Disputes raised in the period, per grid company, in scope."""
    where = (DISPUTE.c.disputed_on.between(period.start, period.end), scope.fact_filter(DISPUTE))
    statement = select(DISPUTE.c.grid_company, func.count().label("n")).where(*where).group_by(DISPUTE.c.grid_company)
    return {row.grid_company: int(row.n) for row in await session.execute(statement)}


async def of_cases(session: AsyncSession, case_ids: Sequence[str]) -> dict[str, list[Dispute]]:
    """The disputes of some cases, oldest first."""
    found: dict[str, list[Dispute]] = defaultdict(list)
    if case_ids:
        statement = select(Dispute).where(Dispute.case_id.in_(case_ids)).order_by(Dispute.disputed_at, Dispute.id)
        for dispute in await session.scalars(statement):
            found[dispute.case_id].append(dispute)
    return found
