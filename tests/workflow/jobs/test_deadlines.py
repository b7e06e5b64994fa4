"""Due dates and elapsed days follow the State Council calendar: holidays off, make-up days on."""

from __future__ import annotations

from services.common.clock import FixedClock
from tests.support.services import Service
from tests.workflow.support import Callers, at, complete, submit


async def test_a_due_date_skips_the_national_day_holiday(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    clock.instant = at("2026-09-29 10:00")

    job = await submit(workflow, clock, callers)

    # 2026-09-30, then nothing until 2026-10-08 (National Day, 1-7 October), then 2026-10-09.
    assert (job["steps"][0]["due_on"], job["steps"][0]["due_on_provisional"]) == ("2026-10-09", False)


async def test_the_make_up_saturday_is_a_working_day(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    clock.instant = at("2026-10-09 10:00")
    job = await submit(workflow, clock, callers)
    clock.instant = at("2026-10-12 16:00")

    accept = (await complete(workflow, job, "accept", callers.staff())).json()["steps"][0]

    # Due Saturday 10-10 (worked in exchange for the holiday), Monday 10-12, Tuesday 10-13.
    assert accept["due_on"] == "2026-10-13"
    assert accept["elapsed_working_days"] == 2


async def test_a_step_across_the_holiday_counts_only_working_days(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    clock.instant = at("2026-09-29 10:00")
    job = await submit(workflow, clock, callers)
    clock.instant = at("2026-10-12 09:00")

    accept = (await complete(workflow, job, "accept", callers.staff())).json()["steps"][0]

    # 09-30, 10-08, 10-09, 10-10 (make-up Saturday) and 10-12: five days for a three-day step.
    assert (accept["elapsed_working_days"], accept["overdue"]) == (5, True)


async def test_a_due_date_in_an_unpublished_year_is_provisional(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    clock.instant = at("2026-12-29 10:00")

    job = await submit(workflow, clock, callers)

    # 12-30, 12-31 and 2027-01-01: 2027's schedule is not loaded, so New Year's Day counts as a Friday.
    assert (job["steps"][0]["due_on"], job["steps"][0]["due_on_provisional"]) == ("2027-01-01", True)


async def test_a_due_date_inside_the_published_year_is_not_provisional(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    clock.instant = at("2026-12-24 10:00")

    job = await submit(workflow, clock, callers, rule_set="2018-nea")

    assert (job["steps"][0]["due_on"], job["steps"][0]["due_on_provisional"]) == ("2026-12-31", False)


async def test_the_next_step_across_the_year_boundary_is_provisional(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    clock.instant = at("2026-12-28 10:00")
    job = await submit(workflow, clock, callers)
    clock.instant = at("2026-12-29 10:00")

    connect = (await complete(workflow, job, "accept", callers.staff())).json()["steps"][1]

    assert (connect["due_on"], connect["due_on_provisional"]) == ("2027-01-14", True)


async def test_an_instant_late_in_the_utc_day_counts_on_its_beijing_date(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    clock.instant = at("2026-12-01 07:00")  # still Monday 30 November in UTC

    job = await submit(workflow, clock, callers)

    # Counting starts on Tuesday 12-01 in Beijing: 12-02, 12-03, 12-04.
    assert (job["steps"][0]["started_at"], job["steps"][0]["due_on"]) == ("2026-11-30T23:00:00Z", "2026-12-04")
