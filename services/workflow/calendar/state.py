"""The running app's calendar: loaded from the database at startup, reloaded when a year is loaded.

`zerovisit calendar load` writes to the database only. A running app notices on its own: at most every
`calendar_reload_seconds` it compares the calendar tables' marker (newest loaded_at, number of years)
with the one it loaded, and reloads when they differ. `reload_calendar(app)` reloads at once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.calendar import WorkingDayCalendar
from services.common.db import Database, DbSession
from services.workflow.calendar import store

logger = logging.getLogger("zerovisit.workflow.calendar")


@dataclass
class CalendarState:
    """Where the app's calendar came from and when the database was last asked about it."""

    fixed: bool
    marker: store.Marker | None = None
    checked_at: float = 0.0


def install(app: FastAPI, calendar: WorkingDayCalendar | None) -> None:
    """Give the app its calendar state; a calendar passed in is used as is and never reloaded."""
    app.state.calendar = calendar or WorkingDayCalendar([])
    app.state.calendar_state = CalendarState(fixed=calendar is not None)


async def startup(app: FastAPI) -> None:
    """Seed an empty calendar from the chinesecalendar package, then load it."""
    if app.state.calendar_state.fixed:
        return
    database: Database = app.state.database
    async with database.sessionmaker() as session, session.begin():
        if await store.is_empty(session):
            try:
                async with session.begin_nested():
                    years = await store.seed(session, now=app.state.clock.now())
                logger.info("calendar seeded with %d years from chinesecalendar", years)
            except IntegrityError:
                pass  # another replica seeded it first; its rows serve as well
        await reload_calendar(app, session)


async def reload_calendar(app: FastAPI, session: AsyncSession | None = None) -> WorkingDayCalendar:
    """Read the calendar from the database into app.state.calendar now."""
    if session is None:
        database: Database = app.state.database
        async with database.sessionmaker() as own, own.begin():
            return await reload_calendar(app, own)
    state: CalendarState = app.state.calendar_state
    state.marker = await store.marker(session)
    state.checked_at = time.monotonic()
    calendar = WorkingDayCalendar(await store.load_schedules(session))
    app.state.calendar = calendar
    return calendar


async def current_calendar(app: FastAPI, session: AsyncSession) -> WorkingDayCalendar:
    """The app's calendar, reloaded first when a year was stored since it was loaded."""
    state: CalendarState = app.state.calendar_state
    calendar: WorkingDayCalendar = app.state.calendar
    if state.fixed or time.monotonic() - state.checked_at < app.state.settings.calendar_reload_seconds:
        return calendar
    # The caller's session is used, not a new connection: on SQLite a second connection would wait for
    # the write lock that the caller's transaction already holds.
    state.checked_at = time.monotonic()
    if await store.marker(session) != state.marker:
        logger.info("calendar changed in the database; reloading")
        return await reload_calendar(app, session)
    return calendar


async def _request_calendar(request: Request, session: DbSession) -> WorkingDayCalendar:
    return await current_calendar(request.app, session)


CurrentCalendar = Annotated[WorkingDayCalendar, Depends(_request_calendar)]
