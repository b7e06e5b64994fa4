"""Raising a dispute: the record must be on the case, one open dispute per record, metrics told without the reason."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.clock import local_date
from services.common.work import UnitOfWork
from services.intake import events
from services.intake.applications.models import Application
from services.intake.disputes.exceptions import DisputeExists, RecordNotOnCase
from services.intake.disputes.models import OPEN, Dispute
from services.intake.disputes.schemas import DisputeCreate

# Where the progress lists each kind of record (filled from workflow's job.visit_recorded and job.fee_recorded).
_LISTS = {"visit": "visits", "fee": "fees"}


def record_on(application: Application, *, record: str, record_id: str) -> date:
    """The day of a visit, or the day a fee was recorded, if the case has that record; else 422."""
    for entry in application.progress.get(_LISTS[record], []):
        if entry["id"] == record_id:
            if record == "visit":
                return date.fromisoformat(entry["visited_on"])
            return local_date(datetime.fromisoformat(entry["recorded_at"]))
    raise RecordNotOnCase(
        f"The case has no {record} {record_id}: dispute one of the {_LISTS[record]} its progress lists.",
        record=record,
        record_id=record_id,
    )


async def _open_dispute_of(session: AsyncSession, application_id: str, record: str, record_id: str) -> str | None:
    statement = select(Dispute.id).where(
        Dispute.application_id == application_id,
        Dispute.record == record,
        Dispute.record_id == record_id,
        Dispute.status == OPEN,
    )
    return await session.scalar(statement)


async def raise_dispute(work: UnitOfWork, application: Application, *, owner_id: str, draft: DisputeCreate) -> Dispute:
    """Dispute a visit or fee of the case; metrics hear which record and when, never the reason."""
    on = record_on(application, record=draft.record, record_id=draft.record_id)
    existing = await _open_dispute_of(work.session, application.id, draft.record, draft.record_id)
    if existing is not None:
        raise DisputeExists(f"This {draft.record} is already disputed.", dispute_id=existing)
    dispute = Dispute(
        id=str(uuid.uuid4()),
        application_id=application.id,
        owner_id=owner_id,
        record=draft.record,
        record_id=draft.record_id,
        reason=draft.reason,
        status=OPEN,
        created_at=work.now,
    )
    try:
        # A request racing this one may have opened the same dispute since the check: the index refuses it.
        async with work.session.begin_nested():
            work.session.add(dispute)
            await work.session.flush()
    except IntegrityError:
        raise DisputeExists(f"This {draft.record} is already disputed.") from None
    disputed = events.ApplicationDisputed(
        dispute_id=dispute.id,
        application_id=application.id,
        record=draft.record,
        record_id=draft.record_id,
        grid_company=application.grid_company,
        region=application.region,
        record_on=on,
        disputed_at=work.now,
    )
    await work.publish(disputed, case_key=application.id)
    return dispute


async def list_for(session: AsyncSession, *, application_id: str) -> Sequence[Dispute]:
    """The disputes of an application, oldest first."""
    statement = select(Dispute).where(Dispute.application_id == application_id)
    return (await session.scalars(statement.order_by(Dispute.created_at, Dispute.id))).all()
