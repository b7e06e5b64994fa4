"""The working-day calendar: day arithmetic, its tables, and the running app's copy of it.

Workflow is the authority: a year loaded there is published as an event that intake and metrics store
in their own tables, so all three count the same days.
"""

from services.common.calendar.days import (
    DeadlineResult,
    WorkingDayCalendar,
    YearSchedule,
    chinese_calendar_schedules,
)
from services.common.calendar.live import CurrentCalendar, LiveCalendar
from services.common.calendar.tables import HOLIDAY, MAKEUP_WORKDAY, CalendarTables, define_calendar_tables

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
