"""The working-day calendar: day arithmetic, its tables, and the running app's copy of it.

Workflow is the authority: a year loaded there is published as an event that intake and metrics store
in their own tables, so all three count the same days.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.common.lazy import lazy_exports

if TYPE_CHECKING:
    from services.common.calendar.days import (
        DeadlineResult,
        WorkingDayCalendar,
        YearSchedule,
        chinese_calendar_schedules,
    )
    from services.common.calendar.live import CurrentCalendar, LiveCalendar
    from services.common.calendar.tables import HOLIDAY, MAKEUP_WORKDAY, CalendarTables, define_calendar_tables

# Each name's module, imported on first use: the tables alone (what a model module needs) bring in no web
# framework, so the command line starts fast.
_HOMES = {
    "DeadlineResult": "days",
    "WorkingDayCalendar": "days",
    "YearSchedule": "days",
    "chinese_calendar_schedules": "days",
    "CurrentCalendar": "live",
    "LiveCalendar": "live",
    "HOLIDAY": "tables",
    "MAKEUP_WORKDAY": "tables",
    "CalendarTables": "tables",
    "define_calendar_tables": "tables",
}

__all__ = [
    "HOLIDAY",
    "MAKEUP_WORKDAY",
    "CalendarTables",
    "CurrentCalendar",
    "DeadlineResult",
    "LiveCalendar",
    "WorkingDayCalendar",
    "YearSchedule",
    "chinese_calendar_schedules",
    "define_calendar_tables",
]


__getattr__ = lazy_exports(__name__, _HOMES)
