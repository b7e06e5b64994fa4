"""The public calendar endpoints: deadlines and each year's schedule."""

from __future__ import annotations

import pytest

from tests.support.services import Service
from tests.workflow.support import problem


async def test_adding_working_days_skips_national_day(workflow: Service) -> None:
    response = await workflow.client.get("/api/v1/calendar/add-working-days", params={"start": "2026-09-30", "days": 1})

    assert (response.status_code, response.json()) == (200, {"date": "2026-10-08", "provisional": False})


async def test_the_make_up_saturday_after_national_day_is_counted(workflow: Service) -> None:
    response = await workflow.client.get("/api/v1/calendar/add-working-days", params={"start": "2026-09-30", "days": 3})

    assert response.json() == {"date": "2026-10-10", "provisional": False}


async def test_a_count_into_an_unpublished_year_is_provisional(workflow: Service) -> None:
    response = await workflow.client.get("/api/v1/calendar/add-working-days", params={"start": "2026-12-30", "days": 3})

    # 12-31, then 2027-01-01 and 01-04 counted as plain weekdays until 2027 is published.
    assert response.json() == {"date": "2027-01-04", "provisional": True}


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-09-30", "days": -1},
        {"start": "2026-09-30", "days": 3651},
        {"start": "2026-02-30", "days": 1},
        {"days": 1},
    ],
)
async def test_bad_counts_and_dates_are_422(workflow: Service, params: dict[str, str | int]) -> None:
    response = await workflow.client.get("/api/v1/calendar/add-working-days", params=params)

    assert (response.status_code, response.headers["content-type"]) == (422, "application/problem+json")


async def test_a_count_past_the_last_date_is_422(workflow: Service) -> None:
    response = await workflow.client.get(
        "/api/v1/calendar/add-working-days", params={"start": "9999-12-01", "days": 3650}
    )

    assert (response.status_code, problem(response)) == (422, "date-out-of-range")


async def test_a_published_year_lists_its_holidays_and_make_up_days(workflow: Service) -> None:
    year = (await workflow.client.get("/api/v1/calendar/2026")).json()

    assert (year["year"], year["published"], year["provisional"]) == (2026, True, False)
    assert year["source"].startswith("chinesecalendar")
    national_day = [d for d in year["holidays"] if d["date"].startswith("2026-10-0")]
    assert [d["date"] for d in national_day] == [f"2026-10-0{d}" for d in range(1, 8)]
    assert {d["name"] for d in national_day} == {"国庆节"}
    assert {"date": "2026-10-10", "name": "国庆节"} in year["makeup_workdays"]


async def test_an_unpublished_year_is_provisional_with_weekends_only(workflow: Service) -> None:
    year = (await workflow.client.get("/api/v1/calendar/2027")).json()

    assert year == {
        "year": 2027,
        "published": False,
        "provisional": True,
        "source": None,
        "loaded_at": None,
        "holidays": [],
        "makeup_workdays": [],
    }
