"""Publishing a half-year: its report over every region frozen as the next version."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.access import Scope
from services.metrics.figures import build
from services.metrics.periods import Period
from services.metrics.publication.models import PublishedReport
from services.metrics.publication.schemas import PublicReport

EVERYWHERE = Scope(("",))


async def publish(
    session: AsyncSession, *, period: Period, publisher: str, now: datetime, overdue_before: date
) -> PublicReport:
    """Freeze the period's report as its next version; later imports and events do not change it."""
    report = await build.report(session, period=period, scope=EVERYWHERE, overdue_before=overdue_before)
    latest = select(func.max(PublishedReport.version)).where(PublishedReport.period == period.label)
    version = int((await session.execute(latest)).scalar_one() or 0) + 1
    public = PublicReport(**report.model_dump(), version=version, published_at=now)
    body = public.model_dump(mode="json")
    session.add(
        PublishedReport(period=period.label, version=version, published_at=now, published_by=publisher, body=body)
    )
    await session.flush()
    return public


async def latest(session: AsyncSession, *, period: str) -> PublicReport | None:
    """The latest published version of a period, if any."""
    statement = (
        select(PublishedReport.body)
        .where(PublishedReport.period == period)
        .order_by(PublishedReport.version.desc())
        .limit(1)
    )
    body = (await session.execute(statement)).scalar_one_or_none()
    return None if body is None else PublicReport.model_validate(body)
