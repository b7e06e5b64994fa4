"""Time is injected, so deadline logic can be tested at fixed instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
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


class FileClock:
    """Simulated time shared by several processes: the instant written in a file, for demonstrations only.

    Every service of a simulation points at the same file, so they agree on what day it is while a
    driver moves time forward; production leaves the setting unset and runs on the system clock.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        """The instant in the file, or the real time while the file does not exist yet."""
        try:
            text = self.path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return datetime.now(UTC)
        instant = datetime.fromisoformat(text)
        return instant if instant.tzinfo else instant.replace(tzinfo=UTC)

    def set(self, instant: datetime) -> None:
        """Move the shared time (written atomically, so a reader never sees half an instant)."""
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(instant.isoformat(), encoding="utf-8")
        temporary.replace(self.path)


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
