"""Publishing a half-year: its report over every region frozen as the next version."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.metrics.access import Scope
from services.metrics.figures import build
from services.metrics.periods import Period
from services.metrics.publication.exceptions import PublicationsCrossed
from services.metrics.publication.models import PublishedReport
from services.metrics.publication.schemas import PublicReport

EVERYWHERE = Scope(("",))
# How many versions a publication tries before it gives way: as many as publications of one half-year sent at once.
_TURNS = 20


async def publish(
    session: AsyncSession, *, period: Period, publisher: str, now: datetime, overdue_before: date
) -> PublicReport:
    """Freeze the period's report as its next version; later imports and events do not change it."""
    report = await build.report(session, period=period, scope=EVERYWHERE, overdue_before=overdue_before)
    latest = select(func.max(PublishedReport.version)).where(PublishedReport.period == period.label)
    for _ in range(_TURNS):
        version = int((await session.execute(latest)).scalar_one() or 0) + 1
        public = PublicReport(**report.model_dump(), version=version, published_at=now)
        row = PublishedReport(
            period=period.label,
            version=version,
            published_at=now,
            published_by=publisher,
            body=public.model_dump(mode="json"),
        )
        try:
            async with session.begin_nested():
                session.add(row)
        except IntegrityError:
            # A publication of the period sent at the same time took this version and committed: take the next.
            # Each turn follows one that got through, so publications sent at once end with a version each.
            continue
        return public
    raise PublicationsCrossed(f"{_TURNS} publications of {period.label} came in at once; publish it again.")


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
