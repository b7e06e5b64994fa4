"""Time in a demonstration: simulated (one file every service reads) or real, and which days are working days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Protocol

from services.common.clock import SHANGHAI, local_date
from tools.clock import FileClock
from tools.demo.http import Api

# A change moves simulated time on by this much, so every record has its own instant.
STEP = timedelta(seconds=20)
# Waiting for deliveries moves it on by this much per look, so a relay's retry falls due.
WAIT_STEP = timedelta(seconds=1)
# Simulated time never runs into the next day on its own: only `begin` changes the date.
LATEST = time(23, 30)


class Timeline(Protocol):
    """What the simulation needs to know about time, and may do to it."""

    controlled: bool

    def today(self) -> date: ...

    def begin(self, day: date, at: time) -> None: ...

    def tick(self, step: timedelta = STEP) -> None: ...


class SimulatedTime:
    """The instant in the services' shared clock file, moved forward by the demonstration only."""

    controlled = True

    def __init__(self, path: Path, start: date) -> None:
        self._clock = FileClock(path)
        self._now = datetime.combine(start, time(8, 0), SHANGHAI)
        self._clock.set(self._now)

    def now(self) -> datetime:
        """The simulated instant."""
        return self._now

    def today(self) -> date:
        """The simulated date in Asia/Shanghai."""
        return local_date(self._now)

    def begin(self, day: date, at: time) -> None:
        """Move to a time of a day; never backwards."""
        self._set(max(self._now, datetime.combine(day, at, SHANGHAI)))

    def tick(self, step: timedelta = STEP) -> None:
        """Move on a little, but not past the end of the simulated day."""
        latest = datetime.combine(self.today(), LATEST, SHANGHAI)
        if self._now < latest:
            self._set(min(self._now + step, latest))

    def _set(self, instant: datetime) -> None:
        self._now = instant
        self._clock.set(instant)


class RealTime:
    """The system clock, for services the demonstration does not control."""

    controlled = False

    def today(self) -> date:
        """Today in Asia/Shanghai."""
        return local_date(datetime.now(SHANGHAI))

    def begin(self, day: date, at: time) -> None:
        """Real time cannot be moved."""

    def tick(self, step: timedelta = STEP) -> None:
        """Real time moves by itself."""


class WorkingDays:
    """The workflow service's working-day calendar (holidays and make-up days), read once per year."""

    def __init__(self, api: Api) -> None:
        self._api = api
        self._years: dict[int, tuple[set[date], set[date]]] = {}

    def _year(self, year: int) -> tuple[set[date], set[date]]:
        if year not in self._years:
            body = self._api.workflow("GET", f"/api/v1/calendar/{year}").json()
            holidays = {date.fromisoformat(d["date"]) for d in body["holidays"]}
            makeup = {date.fromisoformat(d["date"]) for d in body["makeup_workdays"]}
            self._years[year] = (holidays, makeup)
        return self._years[year]

    def is_working(self, day: date) -> bool:
        """Whether grid staff work on a day."""
        holidays, makeup = self._year(day.year)
        return day in makeup or (day.weekday() < 5 and day not in holidays)

    def add(self, day: date, working_days: int) -> date:
        """The day that many working days after a day (that day not counted)."""
        while working_days > 0:
            day += timedelta(days=1)
            working_days -= self.is_working(day)
        return day
