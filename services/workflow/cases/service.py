"""Keeping the case intake shared, and reading it for the job's company."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import events as intake_events
from services.workflow.cases.models import CaseFile
from services.workflow.cases.schemas import CaseRead


async def keep(session: AsyncSession, *, case: intake_events.ApplicationCaseShared, now: datetime) -> None:
    """Store the case's details; a later share of the same case replaces them."""
    await session.merge(CaseFile(**case.model_dump(mode="json"), shared_at=now))
    await session.flush()


async def read(session: AsyncSession, *, application_id: str, grid_company: str) -> CaseRead | None:
    """The case of an application for the company handling it; None when not (yet) shared with it."""
    row = await session.get(CaseFile, application_id)
    if row is None or row.grid_company != grid_company:
        return None
    return CaseRead.model_validate(row, from_attributes=True)
