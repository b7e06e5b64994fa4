import functools
from datetime import date, timedelta

import chinese_calendar
import pytest

from services.common.calendar import (
    DeadlineResult,
    WorkingDayCalendar,
    YearSchedule,
    chinese_calendar_schedules,
)

LAST_SOURCE_YEAR = 2026


@functools.cache
def reference_is_working_day(d: date) -> bool:
    """The chinesecalendar answer where it has data, Monday to Friday after it."""
    if d.year <= LAST_SOURCE_YEAR:
        return bool(chinese_calendar.is_workday(d))
    return d.weekday() < 5


def reference_add(start: date, days: int) -> date:
    d = start
    while days:
        d += timedelta(days=1)
        days -= reference_is_working_day(d)
    return d


def reference_between(start: date, end: date) -> int:
    return sum(reference_is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))


@pytest.fixture(scope="module")
def calendar() -> WorkingDayCalendar:
    return WorkingDayCalendar.default()


def test_source_2026_has_national_day_mid_autumn_and_makeup_days() -> None:
    (schedule,) = chinese_calendar_schedules([2026])
    assert {date(2026, 10, d) for d in range(1, 8)} <= schedule.holidays
    assert {date(2026, 9, d) for d in (25, 26, 27)} <= schedule.holidays
    assert {date(2026, 9, 20), date(2026, 10, 10)} <= schedule.makeup_workdays


def test_national_day_week_is_skipped(calendar: WorkingDayCalendar) -> None:
    assert calendar.add_working_days(date(2026, 9, 30), 1) == DeadlineResult(date(2026, 10, 8), False)


def test_makeup_saturday_counts_as_working_day(calendar: WorkingDayCalendar) -> None:
    assert calendar.add_working_days(date(2026, 9, 30), 3).date == date(2026, 10, 10)


def test_day_after_friday_before_makeup_saturday_is_that_saturday(calendar: WorkingDayCalendar) -> None:
    assert calendar.add_working_days(date(2026, 10, 9), 1).date == date(2026, 10, 10)


def test_makeup_saturday_is_working_day_and_holiday_thursday_is_not(calendar: WorkingDayCalendar) -> None:
    assert calendar.is_working_day(date(2026, 10, 10))
    assert calendar.is_working_day(date(2026, 9, 20))
    assert not calendar.is_working_day(date(2026, 10, 1))
    assert not calendar.is_working_day(date(2026, 10, 11))


def test_new_year_holiday_is_skipped_across_year_boundary(calendar: WorkingDayCalendar) -> None:
    # 2026-01-01..03 are off, Sunday 2026-01-04 is worked in their place.
    assert not any(chinese_calendar.is_workday(date(2026, 1, d)) for d in (1, 2, 3))
    assert chinese_calendar.is_workday(date(2026, 1, 4))
    start = date(2025, 12, 30)
    results = [calendar.add_working_days(start, n).date for n in (1, 2, 3)]
    assert results == [date(2025, 12, 31), date(2026, 1, 4), date(2026, 1, 5)]
    assert calendar.working_days_between(start, date(2026, 1, 5)) == 3


def test_deadline_in_unpublished_year_is_provisional_and_counts_monday_to_friday(
    calendar: WorkingDayCalendar,
) -> None:
    # Wednesday 2026-12-30 + 5: Thu 31, Fri 2027-01-01 (not known to be off), Mon 4, Tue 5, Wed 6.
    assert calendar.add_working_days(date(2026, 12, 30), 5) == DeadlineResult(date(2027, 1, 6), True)
    assert calendar.add_working_days(date(2026, 12, 1), 10).provisional is False
    assert not calendar.is_published(2027)
    assert calendar.is_working_day(date(2027, 1, 1))
    assert not calendar.is_working_day(date(2027, 1, 2))


def test_start_in_unpublished_year_is_provisional(calendar: WorkingDayCalendar) -> None:
    assert calendar.add_working_days(date(2027, 3, 1), 0) == DeadlineResult(date(2027, 3, 1), True)
    assert calendar.is_provisional_span(date(2027, 3, 1), date(2026, 3, 1))
    assert not calendar.is_provisional_span(date(2004, 1, 1), date(2026, 12, 31))


def test_loaded_schedule_publishes_a_new_year() -> None:
    loaded = YearSchedule(2027, holidays=frozenset({date(2027, 1, 1)}), makeup_workdays=frozenset())
    calendar = WorkingDayCalendar([*chinese_calendar_schedules(), loaded])
    assert calendar.is_published(2027)
    assert calendar.year(2027) == loaded
    assert calendar.add_working_days(date(2026, 12, 30), 2) == DeadlineResult(date(2027, 1, 4), False)
    assert calendar.working_days_between(date(2026, 12, 30), date(2027, 1, 4)) == 2


def test_later_schedule_for_a_year_replaces_earlier_one() -> None:
    seeded = YearSchedule(2030, holidays=frozenset({date(2030, 1, 1)}), makeup_workdays=frozenset())
    corrected = YearSchedule(2030, holidays=frozenset({date(2030, 1, 2)}), makeup_workdays=frozenset())
    calendar = WorkingDayCalendar([seeded, corrected])
    assert calendar.is_working_day(date(2030, 1, 1))
    assert not calendar.is_working_day(date(2030, 1, 2))


def test_zero_days_returns_start_even_on_a_holiday(calendar: WorkingDayCalendar) -> None:
    assert calendar.add_working_days(date(2026, 10, 1), 0) == DeadlineResult(date(2026, 10, 1), False)


def test_negative_days_are_rejected(calendar: WorkingDayCalendar) -> None:
    with pytest.raises(ValueError):
        calendar.add_working_days(date(2026, 10, 1), -1)


def test_span_not_moving_forward_has_no_working_days(calendar: WorkingDayCalendar) -> None:
    assert calendar.working_days_between(date(2026, 10, 9), date(2026, 10, 9)) == 0
    assert calendar.working_days_between(date(2026, 10, 9), date(2026, 9, 1)) == 0


def test_unknown_year_is_an_empty_unpublished_schedule(calendar: WorkingDayCalendar) -> None:
    assert calendar.year(2031) == YearSchedule(2031, frozenset(), frozenset(), published=False)
    assert calendar.year(2026).published


def test_schedule_rejects_dates_of_another_year() -> None:
    with pytest.raises(ValueError):
        YearSchedule(2027, holidays=frozenset({date(2026, 10, 1)}), makeup_workdays=frozenset())


def test_unpublished_schedule_rejects_dates() -> None:
    with pytest.raises(ValueError):
        YearSchedule(2027, frozenset({date(2027, 1, 1)}), frozenset(), published=False)


def test_source_schedules_leave_out_years_without_data() -> None:
    assert [s.year for s in chinese_calendar_schedules([2027, 2026, 2003])] == [2026]
    assert [s.year for s in chinese_calendar_schedules()] == list(range(2004, LAST_SOURCE_YEAR + 1))


def test_default_calendar_is_built_once() -> None:
    assert WorkingDayCalendar.default() is WorkingDayCalendar.default()


def test_counting_matches_day_by_day_reference_2024_to_2027(calendar: WorkingDayCalendar) -> None:
    start = date(2024, 1, 1)
    while start < date(2028, 1, 1):
        for days in (0, 1, 2, 3, 4, 5, 7, 10, 15, 22, 40, 90, 250):
            result = calendar.add_working_days(start, days)
            assert result.date == reference_add(start, days), (start, days)
            assert result.provisional == (result.date.year > LAST_SOURCE_YEAR)
            assert calendar.working_days_between(start, result.date) == days
            if days:
                assert calendar.is_working_day(result.date)
        end = start + timedelta(days=start.toordinal() % 97)
        assert calendar.working_days_between(start, end) == reference_between(start, end), (start, end)
        start += timedelta(days=3)


def test_thirty_year_span_matches_reference(calendar: WorkingDayCalendar) -> None:
    start, end = date(2004, 1, 1), date(2034, 12, 31)
    total = reference_between(start, end)
    assert calendar.working_days_between(start, end) == total
    result = calendar.add_working_days(start, total)
    assert result == DeadlineResult(reference_add(start, total), True)
    assert result.date <= end


def test_is_working_day_matches_source_for_every_known_day(calendar: WorkingDayCalendar) -> None:
    d = date(2004, 1, 1)
    while d.year <= LAST_SOURCE_YEAR:
        assert calendar.is_working_day(d) == reference_is_working_day(d), d
        d += timedelta(days=1)


def test_the_last_working_day_before_golden_week_ends_it(calendar: WorkingDayCalendar) -> None:
    assert calendar.last_working_day(date(2026, 10, 5)) == date(2026, 9, 30)
    assert calendar.last_working_day(date(2026, 10, 10)) == date(2026, 10, 10)  # the make-up Saturday
    assert calendar.last_working_day(date(2026, 10, 11)) == date(2026, 10, 10)
