"""Working days left until a due date, counted as overdue is: on the State Council calendar."""

from __future__ import annotations

from datetime import date

import pytest

from services.common import casetime
from services.common.calendar import WorkingDayCalendar

CALENDAR = WorkingDayCalendar.default()


@pytest.mark.parametrize(
    ("today", "left"),
    [
        (date(2026, 9, 29), 2),  # Tuesday: 30 September, then 8 October after the National Day holiday
        (date(2026, 10, 3), 1),  # a holiday: only 8 October lies ahead
        (date(2026, 10, 8), 0),  # due today
        (date(2026, 10, 9), -1),  # one working day past: overdue
        (date(2026, 10, 12), -3),  # the make-up Saturday 10 October counts as a working day
    ],
)
def test_working_days_left_skip_the_holiday_and_count_the_make_up_saturday(today: date, left: int) -> None:
    assert casetime.working_days_left(CALENDAR, due_on=date(2026, 10, 8), today=today) == left


def test_a_due_date_on_the_eve_of_a_weekend_is_not_overdue_until_work_resumes() -> None:
    friday = date(2026, 11, 27)

    weekend = [casetime.working_days_left(CALENDAR, due_on=friday, today=date(2026, 11, d)) for d in (28, 29, 30)]

    assert weekend == [0, 0, -1]
    assert [casetime.is_overdue(CALENDAR, due_on=friday, today=date(2026, 11, d)) for d in (28, 29, 30)] == [
        False,
        False,
        True,
    ]
