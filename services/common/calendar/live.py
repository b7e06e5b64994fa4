"""The running app's calendar: read from its database at startup, read again when a year was stored.

A year is stored by `zerovisit calendar load` (workflow) or by the event that publishes it (intake,
metrics), possibly in another process. A running app notices on its own: at most every `reload_seconds`
it compares the calendar tables' marker (every year's loaded_at and source) with the one it read, and
reads the calendar again when they differ; a year stored through this app is looked for at once.
"""

from __future__ import annotations

import logging
import time
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import IntegrityError

from services.common.calendar import store
from services.common.calendar.days import WorkingDayCalendar
from services.common.calendar.store import Executor
from services.common.calendar.tables import CalendarTables
from services.common.clock import Clock
from services.common.db import Database, DbSession
from services.common.errors import is_database_outage

logger = logging.getLogger("zerovisit.calendar")


class LiveCalendar:
    """The calendar an app counts with, kept in step with its database."""

    def __init__(
        self, tables: CalendarTables, *, reload_seconds: float, fixed: WorkingDayCalendar | None = None
    ) -> None:
        self.tables = tables
        self.reload_seconds = reload_seconds
        # A calendar passed in (tests, benchmarks) is used as it is and never read from the database.
        self.fixed = fixed is not None
        self.calendar = fixed or WorkingDayCalendar([])
        self._marker: store.Marker | None = None
        self._checked_at = float("-inf")
        self._look_again_until = float("-inf")
        self._source: tuple[Database, Clock] | None = None
        self._started = False

    async def start(self, database: Database, clock: Clock) -> None:
        """Seed an empty calendar from the chinesecalendar package, then read it.

        A database that cannot be reached does not stop the app from starting (it answers 503 meanwhile):
        the calendar is read on first use instead.
        """
        self._source = (database, clock)
        try:
            await self._seed_and_read()
        except Exception as exc:
            if not is_database_outage(exc):
                raise
            logger.warning("calendar not read at startup, the database is unreachable; reading it on first use")

    async def _seed_and_read(self) -> None:
        if self.fixed or self._source is None:
            return
        database, clock = self._source
        async with database.sessionmaker() as session, session.begin():
            if await store.is_empty(session, self.tables):
                try:
                    async with session.begin_nested():
                        years = await store.seed(session, self.tables, now=clock.now())
                    logger.info("calendar seeded with %d years from chinesecalendar", years)
                except IntegrityError:
                    pass  # another replica seeded it first; its rows serve as well
            await self.reload(session)
        self._started = True

    async def reload(self, session: Executor) -> WorkingDayCalendar:
        """Read the calendar from the database now."""
        self._marker = await store.marker(session, self.tables)
        self._checked_at = time.monotonic()
        self.calendar = WorkingDayCalendar(await store.load_schedules(session, self.tables))
        return self.calendar

    async def current(self, session: Executor) -> WorkingDayCalendar:
        """The calendar, read again first when a year was stored since it was read.

        The caller's session is used, not a new connection: on SQLite a second connection would wait for
        the write lock that the caller's transaction may already hold.
        """
        if self.fixed:
            return self.calendar
        if not self._started:
            await self._seed_and_read()
        now = time.monotonic()
        if now - self._checked_at < self.reload_seconds and now > self._look_again_until:
            return self.calendar
        self._checked_at = now
        if await store.marker(session, self.tables) != self._marker:
            logger.info("calendar changed in the database; reading it again")
            self._look_again_until = float("-inf")
            return await self.reload(session)
        return self.calendar

    def expect_change(self) -> None:
        """A year is being stored in a transaction of this app: look for it on every use for a while."""
        self._look_again_until = time.monotonic() + max(self.reload_seconds, 1.0)


async def _request_calendar(request: Request, session: DbSession) -> WorkingDayCalendar:
    live: LiveCalendar = request.app.state.service.live_calendar
    return await live.current(session)


CurrentCalendar = Annotated[WorkingDayCalendar, Depends(_request_calendar)]
