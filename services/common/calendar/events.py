"""The calendar's one event: a year's schedule, published by workflow and stored by the other services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel, Field
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.calendar import store
from services.common.events import EventEnvelope, EventHandlers, EventPayload, EventTables, publish
from services.common.settings import Subscriber
from services.common.state import ServiceState


class NamedDay(BaseModel):
    """A listed day and what it is for."""

    date: dt.date
    name: str = Field(default="", max_length=100)


class CalendarYearPublished(EventPayload, event_type="calendar.year_published"):
    """A year's official schedule was stored by the calendar's authority; every service counts with it."""

    year: int = Field(ge=1900, le=9999)
    holidays: list[NamedDay]
    makeup_workdays: list[NamedDay]
    source: str = Field(max_length=200)
    loaded_at: dt.datetime


async def publish_year(
    session: AsyncSession,
    event_tables: EventTables,
    payload: CalendarYearPublished,
    *,
    source: str,
    subscribers: Sequence[Subscriber],
) -> None:
    """Queue a stored year for every subscriber of calendar events."""
    await publish(
        session,
        event_tables,
        payload,
        case_key=f"calendar:{payload.year}",
        source=source,
        subscribers=subscribers,
        now=payload.loaded_at,
    )


def handle_published_years(handlers: EventHandlers) -> None:
    """Store every year the authority publishes, replacing what this service had for it."""

    @handlers.on(CalendarYearPublished.event_type)
    async def on_year_published(session: AsyncSession, envelope: EventEnvelope, state: ServiceState) -> None:
        year = CalendarYearPublished.from_envelope(envelope)
        live = state.live_calendar
        await store.save_year(
            session,
            live.tables,
            year=year.year,
            holidays={day.date: day.name for day in year.holidays},
            makeup_workdays={day.date: day.name for day in year.makeup_workdays},
            source=year.source,
            now=year.loaded_at,
        )
        live.expect_change()
