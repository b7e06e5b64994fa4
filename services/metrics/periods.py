"""Reporting periods: 2026H1, 2026H2, 2026Q3, 2026-09, or inclusive from/to dates.

A case falls in a period by its connection date in Asia/Shanghai. Rollups are kept per month, so a
period is read as its whole months from the rollups plus, for from/to dates that cut a month, the cut
days from the facts (an index range on the connection date).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

from services.common.errors import Unprocessable

_HALF = re.compile(r"^(\d{4})H([12])$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_SPAN_DAYS = 366 * 10
# Years a report can be about: well before the 2018 plan (imported history) and far ahead, nowhere near the
# ends of the calendar where date arithmetic overflows.
MIN_YEAR, MAX_YEAR = 1990, 2199


class BadPeriod(Unprocessable, slug="bad-period", title="Period not understood"): ...


def _in_report_years(instant: datetime) -> datetime:
    if not MIN_YEAR <= instant.year <= MAX_YEAR:
        raise ValueError(f"must fall in the years {MIN_YEAR} to {MAX_YEAR}")
    return instant


# An instant that metrics record (a complaint received, a step of an imported case): within the years a report
# can be about, so that every figure it enters can be asked for, and no day count overflows.
ReportedInstant = Annotated[AwareDatetime, AfterValidator(_in_report_years)]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month_key(day: date) -> int:
    """The yyyymm number of a day's month, as rollups key it."""
    return day.year * 100 + day.month


@dataclass(frozen=True)
class Period:
    """An inclusive range of connection dates with the label it was asked for by."""

    label: str
    start: date
    end: date

    def whole_months(self) -> tuple[int, int] | None:
        """The first and last yyyymm wholly inside the period, or None if no month is."""
        start, end = self.start, self.end
        first = start if start.day == 1 else _month_end(start.year, start.month) + timedelta(1)
        last = end if end == _month_end(end.year, end.month) else end.replace(day=1) - timedelta(1)
        if first > last:
            return None
        return month_key(first), month_key(last)

    def cut_days(self) -> list[tuple[date, date]]:
        """The inclusive date ranges of the period that lie in months it only partly covers."""
        months = self.whole_months()
        if months is None:
            return [(self.start, self.end)]
        first, last = months
        ranges = []
        if month_key(self.start) != first:
            ranges.append((self.start, _month_end(self.start.year, self.start.month)))
        if month_key(self.end) != last:
            ranges.append((self.end.replace(day=1), self.end))
        return ranges


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadPeriod(f"{year} is outside the years reported on ({MIN_YEAR} to {MAX_YEAR}).")


MAX_TREND_MONTHS = 120


def month_range(start: str, end: str) -> tuple[int, int]:
    """The first and last yyyymm of an inclusive range of months given as 2026-01; BadPeriod otherwise."""
    keys = []
    for text in (start, end):
        match = _MONTH.match(text.strip())
        if match is None or not 1 <= int(match[2]) <= 12:
            raise BadPeriod(f"{text!r} is not a month: use 2026-01.")
        _check_year(int(match[1]))
        keys.append(int(match[1]) * 100 + int(match[2]))
    first, last = keys
    span = (last // 100 - first // 100) * 12 + last % 100 - first % 100 + 1
    if span < 1:
        raise BadPeriod(f"from ({start}) is after to ({end}).")
    if span > MAX_TREND_MONTHS:
        raise BadPeriod(f"A trend spans at most {MAX_TREND_MONTHS} months.")
    return first, last


def parse_label(label: str) -> Period:
    """A period from its label; BadPeriod (422) for anything else."""
    text = label.strip().upper()
    if match := _HALF.match(text) or _QUARTER.match(text) or _MONTH.match(text):
        _check_year(int(match[1]))
    if match := _HALF.match(text):
        year, half = int(match[1]), int(match[2])
        return Period(text, date(year, 6 * half - 5, 1), _month_end(year, 6 * half))
    if match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        return Period(text, date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))
    if (match := _MONTH.match(text)) and 1 <= int(match[2]) <= 12:
        year, month = int(match[1]), int(match[2])
        return Period(text, date(year, month, 1), _month_end(year, month))
    raise BadPeriod(f"{label!r} is not a period: use 2026H1, 2026Q3, 2026-09, or from and to dates.")


def resolve(label: str | None, start: date | None, end: date | None) -> Period:
    """The period of a request: a label, or both from and to (inclusive), never both kinds."""
    if label is not None:
        if start is not None or end is not None:
            raise BadPeriod("Give either period or from and to, not both.")
        return parse_label(label)
    if start is None or end is None:
        raise BadPeriod("Give a period (2026H1, 2026Q3, 2026-09) or both from and to dates.")
    _check_year(start.year)
    _check_year(end.year)
    if start > end:
        raise BadPeriod(f"from ({start}) is after to ({end}).")
    if (end - start).days > MAX_SPAN_DAYS:
        raise BadPeriod(f"A period spans at most {MAX_SPAN_DAYS} days.")
    return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)
