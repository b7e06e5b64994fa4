"""One calendar for all three services: a year loaded in workflow is counted with everywhere."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from services.common.calendar import LiveCalendar, WorkingDayCalendar
from services.intake.identity.keys import SigningKey
from services.workflow.calendar.loading import load_calendar_file
from tests.flows.conftest import Platform, eventually
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.support.services import SUBSCRIBERS, Service
from tests.support.tokens import bearer, mint

# 2027 as a year file would publish it: New Year's Day off, and a make-up Saturday.
YEAR_2027 = """\
year: 2027
source: State Council notice (test copy)
holidays:
  - {date: 2027-01-01, name: 元旦}
makeup_workdays:
  - {date: 2027-01-09, name: 元旦调休}
"""


async def _calendar_of(service: Service) -> WorkingDayCalendar:
    live: LiveCalendar = service.app.state.service.live_calendar
    async with service.app.state.database.sessionmaker() as session:
        return await live.current(session)


async def _load_2027(platform: Platform, tmp_path: Path) -> None:
    path = tmp_path / "2027.yaml"
    path.write_text(YEAR_2027, encoding="utf-8")
    await load_calendar_file(
        platform.workflow.app.state.settings.resolved_database_url(),
        path,
        now=platform.clock.now(),
        subscribers=SUBSCRIBERS["workflow"],
    )


async def test_a_year_loaded_in_workflow_is_counted_the_same_by_all_three(platform: Platform, tmp_path: Path) -> None:
    services = (platform.intake, platform.workflow, platform.metrics)
    before = [(await _calendar_of(s)).add_working_days(date(2026, 12, 31), 1) for s in services]

    await _load_2027(platform, tmp_path)

    async def agreed() -> list[Any] | None:
        for service in services:
            service.app.state.service.live_calendar.expect_change()  # look now rather than at the next reload interval
        calendars = [await _calendar_of(s) for s in services]
        return calendars if all(c.is_published(2027) for c in calendars) else None

    calendars = await eventually(agreed)
    answers = [
        (c.add_working_days(date(2026, 12, 31), 1), c.working_days_between(date(2027, 1, 1), date(2027, 1, 10)))
        for c in calendars
    ]
    # Weekdays only before: 1 January counted; after, the holiday is off and the make-up Saturday is on.
    assert [result.date for result in before] == [date(2027, 1, 1)] * 3
    assert all(result.provisional for result in before)
    assert [(result.date, result.provisional, span) for result, span in answers] == [(date(2027, 1, 4), False, 6)] * 3


async def test_due_dates_recounted_by_a_load_reach_the_applicant_and_metrics(
    platform: Platform, tmp_path: Path, signing_key: SigningKey
) -> None:
    platform.clock.instant = datetime(2026, 12, 30, 2, 0, tzinfo=UTC)  # Wednesday, 10:00 in Beijing
    applicant = await sign_in(platform.intake.client, "li.wei")
    staff = bearer(mint(signing_key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))
    regulator = bearer(mint(signing_key, sub="nea-north", role="regulator", regions=["11"]))
    documents = await upload_all(platform.intake.client, applicant)
    created = await platform.intake.client.post(
        "/api/v1/applications", headers=applicant, json=application_body(documents)
    )
    assert created.status_code == 201, created.text
    application_id = created.json()["id"]

    async def job() -> dict[str, Any] | None:
        response = await platform.workflow.client.get(f"/api/v1/jobs?application_id={application_id}", headers=staff)
        items = response.json()["items"]
        return items[0] if items else None

    provisional = (await eventually(job))["steps"][0]
    assert provisional["due_on_provisional"] is True

    await _load_2027(platform, tmp_path)

    recounted = await job()
    assert recounted is not None
    step = recounted["steps"][0]
    platform.workflow.app.state.service.live_calendar.expect_change()  # loaded by another process: look now
    expected = await platform.workflow.client.get(
        "/api/v1/calendar/add-working-days", params={"start": "2026-12-30", "days": step["limit_working_days"]}
    )
    assert expected.json() == {"date": step["due_on"], "provisional": False}
    assert step["due_on"] != provisional["due_on"]

    async def applicant_sees_it() -> str | None:
        read = (await platform.intake.client.get(f"/api/v1/applications/{application_id}", headers=applicant)).json()
        due: str | None = read["progress"]["steps"][0]["due_on"]
        return due if due == step["due_on"] else None

    async def metrics_sees_it() -> str | None:
        response = await platform.metrics.client.get(f"/api/v1/metrics/cases/{application_id}", headers=regulator)
        due: str | None = response.json().get("due_on")
        return due if due == step["due_on"] else None

    assert await eventually(applicant_sees_it) == step["due_on"]
    assert await eventually(metrics_sees_it) == step["due_on"]
