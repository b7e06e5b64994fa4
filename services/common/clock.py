"""Time is injected, so deadline logic can be tested at fixed instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Protocol
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock(Protocol):
    """Something that tells the time."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved; for tests and simulations."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def now(self) -> datetime:
        """The instant this clock is set to."""
        return self.instant

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self.instant += delta


def local_date(instant: datetime) -> date:
    """The calendar date of an instant in Asia/Shanghai, where every count of days is taken."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(SHANGHAI).date()


async def _clock(request: Request) -> Clock:
    # async although it awaits nothing: FastAPI runs a plain `def` dependency in a worker thread.
    clock: Clock = request.app.state.service.clock
    return clock


CurrentClock = Annotated[Clock, Depends(_clock)]
