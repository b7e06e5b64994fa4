"""Calendar answers."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class DeadlineRead(BaseModel):
    """The day a count of working days lands on; provisional when it crosses a year not yet published."""

    date: dt.date
    provisional: bool


class NamedDayRead(BaseModel):
    """A listed day and what it is for."""

    date: dt.date
    name: str


class CalendarYearRead(BaseModel):
    """A year's official days off and make-up working days, or weekends only while unpublished."""

    year: int
    published: bool
    provisional: bool
    source: str | None
    loaded_at: dt.datetime | None
    holidays: list[NamedDayRead]
    makeup_workdays: list[NamedDayRead]
