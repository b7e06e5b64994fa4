"""Working-day calendar: State Council holidays off, make-up working days (调休) on.

A span's working days are those in (start, end]: the start day is not counted, the end day is.
Years without a published schedule count Monday to Friday, and results touching them are provisional.
"""

from __future__ import annotations

import bisect
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

import chinese_calendar


@dataclass(frozen=True)
class YearSchedule:
    """One year's official days off and make-up working days."""

    year: int
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    published: bool = True

    def __post_init__(self) -> None:
        if any(d.year != self.year for d in self.holidays | self.makeup_workdays):
            raise ValueError(f"schedule for {self.year} lists a date of another year")
        if self.holidays & self.makeup_workdays:
            raise ValueError(f"schedule for {self.year} lists a day both as holiday and as working day")
        # Before publication only weekends are known; dates listed for such a year would be guesses.
        if not self.published and (self.holidays or self.makeup_workdays):
            raise ValueError(f"unpublished schedule for {self.year} must not list dates")


@dataclass(frozen=True)
class DeadlineResult:
    """The date a count of working days lands on; provisional if an unpublished year was crossed."""

    date: date
    provisional: bool


def chinese_calendar_schedules(years: Iterable[int] | None = None) -> list[YearSchedule]:
    """Schedules from the chinesecalendar package; years it has no data for are left out."""
    source_holidays: Iterable[date] = chinese_calendar.holidays
    source_workdays: Iterable[date] = chinese_calendar.workdays
    by_year: dict[int, tuple[set[date], set[date]]] = defaultdict(lambda: (set(), set()))
    for d in source_holidays:
        by_year[d.year][0].add(d)
    for d in source_workdays:
        by_year[d.year][1].add(d)
    first, last = min(by_year), max(by_year)
    wanted = range(first, last + 1) if years is None else sorted({y for y in years if first <= y <= last})
    return [
        YearSchedule(year=y, holidays=frozenset(by_year[y][0]), makeup_workdays=frozenset(by_year[y][1]))
        for y in wanted
    ]


def _weekdays_through(ordinal: int) -> int:
    """Monday-to-Friday days from ordinal 1 through ordinal; ordinal 1 (0001-01-01) is a Monday."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _nth_weekday(n: int) -> int:
    """Ordinal of the n-th Monday-to-Friday day from ordinal 1: the inverse of _weekdays_through."""
    weeks, rest = divmod(n - 1, 5)
    return weeks * 7 + rest + 1


class WorkingDayCalendar:
    """Working-day arithmetic over loaded year schedules, Monday to Friday for any other year."""

    def __init__(self, schedules: Iterable[YearSchedule]) -> None:
        # A later schedule for a year replaces an earlier one, so a reloaded year overrides a seeded one.
        self._years: dict[int, YearSchedule] = {s.year: s for s in schedules}
        self._published = sorted(y for y, s in self._years.items() if s.published)
        # Counting is Mon–Fri arithmetic plus a correction; only days that break the Mon–Fri pattern
        # (weekday holidays, weekend make-up days) change it, so a sorted list of them with running
        # totals answers any count by bisection instead of walking the days.
        days_off = [d for s in self._years.values() for d in s.holidays if d.weekday() < 5]
        days_on = [d for s in self._years.values() for d in s.makeup_workdays if d.weekday() >= 5]
        shifts = sorted([(d.toordinal(), -1) for d in days_off] + [(d.toordinal(), 1) for d in days_on])
        self._shift_days = [ordinal for ordinal, _ in shifts]
        self._shift_totals = [0, *accumulate(delta for _, delta in shifts)]

    @classmethod
    def default(cls) -> WorkingDayCalendar:
        """The calendar of every year the chinesecalendar package knows, built once."""
        return _default_calendar()

    def is_published(self, year: int) -> bool:
        """Whether the official schedule of the year is loaded."""
        return year in self._years and self._years[year].published

    def year(self, year: int) -> YearSchedule:
        """The loaded schedule of the year, or an empty unpublished one."""
        return self._years.get(year) or YearSchedule(year, frozenset(), frozenset(), published=False)

    def is_working_day(self, d: date) -> bool:
        """Whether staff work on the day."""
        schedule = self.year(d.year)
        return d in schedule.makeup_workdays or (d.weekday() < 5 and d not in schedule.holidays)

    def last_working_day(self, day: date) -> date:
        """The latest working day on or before a day.

        Something due before this day is overdue on `day`: a whole working day has passed since it was due,
        so a deadline on the eve of a weekend or holiday is not overdue until work resumes.
        """
        # Runs of days off are short (the longest, Spring Festival with its weekends, is about ten days).
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def add_working_days(self, start: date, days: int) -> DeadlineResult:
        """The day that is `days` working days after start (start itself not counted)."""
        if days < 0:
            raise ValueError("days must not be negative")
        if days == 0:
            return DeadlineResult(start, self.is_provisional_span(start, start))
        target = self._count(start.toordinal()) + days
        # The count never falls, so the shift days still short of the target are a prefix; past the
        # last of them the correction is constant and plain Mon–Fri arithmetic finds the day, unless
        # the next shift day (a weekend make-up day) comes first.
        i = bisect.bisect_left(range(len(self._shift_days)), target, key=self._count_at_shift)
        ordinal = _nth_weekday(target - self._shift_totals[i])
        if i < len(self._shift_days):
            ordinal = min(ordinal, self._shift_days[i])
        result = date.fromordinal(ordinal)
        return DeadlineResult(result, self.is_provisional_span(start, result))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; 0 if end is not after start."""
        if end <= start:
            return 0
        return self._count(end.toordinal()) - self._count(start.toordinal())

    def is_provisional_span(self, start: date, end: date) -> bool:
        """Whether any year from start to end (either order) lacks a published schedule."""
        first, last = sorted((start.year, end.year))
        published = bisect.bisect_right(self._published, last) - bisect.bisect_left(self._published, first)
        return published != last - first + 1

    def _count(self, ordinal: int) -> int:
        """Working days from ordinal 1 through ordinal: only differences of it mean anything."""
        return _weekdays_through(ordinal) + self._shift_totals[bisect.bisect_right(self._shift_days, ordinal)]

    def _count_at_shift(self, index: int) -> int:
        return _weekdays_through(self._shift_days[index]) + self._shift_totals[index + 1]


@functools.lru_cache(maxsize=1)
def _default_calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar(chinese_calendar_schedules())
