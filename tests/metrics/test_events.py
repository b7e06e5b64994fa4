"""Live events: facts built from intake's and workflow's events, in whatever order they arrive."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from services.common.calendar.days import chinese_calendar_schedules
from services.common.clock import FixedClock, local_date
from services.intake.identity.keys import SigningKey
from services.metrics.facts.models import CaseFact
from services.metrics.rollups import rebuild as rollup_rebuild
from tests.metrics.live import LiveCase
from tests.metrics.support import CALENDAR, auth, deliver, deliver_batch
from tests.support.services import Service

SUBMITTED = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 on a Monday in Shanghai
ACCEPTED = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
CONNECTED = datetime(2026, 3, 13, 7, 0, tzinfo=UTC)


async def _fact(metrics: Service, case_id: str) -> CaseFact:
    async with metrics.app.state.database.sessionmaker() as session:
        fact = await session.get(CaseFact, case_id)
        assert fact is not None
        return fact


async def _summary_row(metrics: Service, key: SigningKey, category: str, period: str = "2026Q1") -> dict[str, Any]:
    body = (
        await metrics.client.get("/api/v1/metrics/summary", params={"period": period}, headers=auth(key, "admin"))
    ).json()
    row: dict[str, Any] = next(r for r in body["rows"] if r["category"] == category)
    return row


def _connected(case: LiveCase, **figures: Any) -> dict[str, Any]:
    data = case.job(CONNECTED, completed={"accept": ACCEPTED, "connect": CONNECTED})
    return {
        **data,
        "connected_at": CONNECTED.isoformat(),
        "working_days": 9,
        "paused_working_days": 0,
        "customer_cost_yuan": "0",
        "visits": 0,
        "within_limit": True,
        "category": case.category,
        **figures,
    }


async def test_a_live_case_becomes_a_fact_and_appears_in_the_summary(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    case = LiveCase(SUBMITTED)
    for event_type, data, source in (
        ("application.submitted", case.submitted(), "intake"),
        ("job.created", case.created(SUBMITTED, due_on="2026-03-23"), "workflow"),
        (
            "job.step_completed",
            {
                **case.job(ACCEPTED, completed={"accept": ACCEPTED}),
                "step": "accept",
                "elapsed_working_days": 2,
                "overdue": False,
            },
            "workflow",
        ),
        ("job.connected", _connected(case), "workflow"),
    ):
        response = await deliver(metrics.client, clock, event_type, data, source=source)
        assert response.json() == {"status": "applied"}, event_type

    row = await _summary_row(metrics, signing_key, "sme_lv")
    expected_days = CALENDAR.working_days_between(local_date(SUBMITTED), local_date(CONNECTED))
    assert row["connected_count"] == 1
    assert row["avg_working_days"] == expected_days == row["p90_working_days"]
    assert (row["avg_documents"], row["avg_steps"], row["within_limit_rate"]) == (2, 2, 1.0)


async def test_job_events_before_the_submission_are_merged_and_counted_with_workflows_figures(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    case = LiveCase(SUBMITTED, channel="hall")
    await deliver(
        metrics.client,
        clock,
        "job.created",
        case.created(SUBMITTED, due_on="2026-03-23"),
        source="workflow",
    )
    # Workflow is the authority on a live case's time: its figure is counted once the case can be placed.
    await deliver(metrics.client, clock, "job.connected", _connected(case, working_days=30), source="workflow")
    before = await _summary_row(metrics, signing_key, "sme_lv")

    await deliver(metrics.client, clock, "application.submitted", case.submitted(), source="intake")
    after = await _summary_row(metrics, signing_key, "sme_lv")

    assert before["connected_count"] == 0  # no report category yet: not counted anywhere
    assert after["connected_count"] == 1
    assert after["avg_working_days"] == 30
    assert (after["online_rate"], after["avg_documents"]) == (0.0, 2)
    async with metrics.app.state.database.sessionmaker() as session:
        assert (await rollup_rebuild.check(session)).agree


async def test_a_fact_that_changes_moves_its_rollup_share(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    case = LiveCase(SUBMITTED)
    await deliver(metrics.client, clock, "application.submitted", case.submitted(), source="intake")
    await deliver(metrics.client, clock, "job.connected", _connected(case, paused_working_days=0), source="workflow")
    first = await _summary_row(metrics, signing_key, "sme_lv")

    await deliver(
        metrics.client,
        clock,
        "job.connected",
        _connected(case, working_days=6, paused_working_days=3),
        source="workflow",
    )
    second = await _summary_row(metrics, signing_key, "sme_lv")

    assert second["connected_count"] == 1
    assert second["avg_working_days"] == first["avg_working_days"] - 3
    assert second["avg_paused_working_days"] == 3
    async with metrics.app.state.database.sessionmaker() as session:
        assert (await rollup_rebuild.check(session)).agree


async def test_a_fee_recorded_twice_under_new_event_ids_counts_once(metrics: Service, clock: FixedClock) -> None:
    case = LiveCase(SUBMITTED)
    fee = {
        **case.job(ACCEPTED),
        "fee_id": "fee-1",
        "code": "lv_connection_works",
        "amount_yuan": "800.00",
        "payer": "customer",
        "flagged": True,
    }
    await deliver(metrics.client, clock, "job.fee_recorded", fee, source="workflow")
    await deliver(metrics.client, clock, "job.fee_recorded", fee, source="workflow")

    fact = await _fact(metrics, case.application_id)

    assert (len(fact.fees), fact.flagged_fees, fact.customer_cost) == (1, 1, 800)


async def test_a_withdrawn_case_is_neither_open_nor_counted(metrics: Service, clock: FixedClock) -> None:
    case = LiveCase(SUBMITTED)
    await deliver(metrics.client, clock, "application.submitted", case.submitted(), source="intake")
    await deliver(
        metrics.client,
        clock,
        "application.withdrawn",
        {"application_id": case.application_id, "withdrawn_at": ACCEPTED.isoformat()},
        source="intake",
    )

    fact = await _fact(metrics, case.application_id)

    assert (fact.is_open, fact.counted, fact.due_on) == (False, False, None)


async def test_a_withdrawal_that_crossed_the_connection_leaves_the_case_counted(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    case = LiveCase(SUBMITTED)
    await deliver(metrics.client, clock, "application.submitted", case.submitted(), source="intake")
    await deliver(
        metrics.client,
        clock,
        "application.withdrawn",
        {"application_id": case.application_id, "withdrawn_at": CONNECTED.isoformat()},
        source="intake",
    )
    await deliver(metrics.client, clock, "job.connected", _connected(case), source="workflow")

    fact = await _fact(metrics, case.application_id)

    assert (fact.is_open, fact.counted) == (False, True)
    assert (await _summary_row(metrics, signing_key, case.category))["connected_count"] == 1


PERSONAL_KEYS = {"address", "contact_name", "contact_phone", "name", "number", "id_number", "phone", "purpose"}
PERSONAL_VALUES = {"张三", "13800138000", "北京市朝阳区某街1号", "ZV20260105ABCDEF12", "见面签字"}


def _keys_and_values(value: Any) -> tuple[set[str], set[str]]:
    keys: set[str] = set()
    values: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            keys.add(str(key))
            more_keys, more_values = _keys_and_values(inner)
            keys |= more_keys
            values |= more_values
    elif isinstance(value, list):
        for inner in value:
            more_keys, more_values = _keys_and_values(inner)
            keys |= more_keys
            values |= more_values
    else:
        values.add(str(value))
    return keys, values


async def test_no_personal_data_reaches_the_facts_even_if_a_payload_carried_some(
    metrics: Service, clock: FixedClock
) -> None:
    case = LiveCase(SUBMITTED)
    leaked = {"contact_name": "张三", "contact_phone": "13800138000", "address": "北京市朝阳区某街1号"}
    await deliver(metrics.client, clock, "application.submitted", case.submitted(**leaked), source="intake")
    await deliver(
        metrics.client,
        clock,
        "job.visit_recorded",
        {
            **case.job(ACCEPTED),
            "visit_id": "v-1",
            "visited_on": "2026-03-04",
            "purpose": "sign_contract",
            "over_allowance": False,
        },
        source="workflow",
    )

    async with metrics.app.state.database.sessionmaker() as session:
        rows = (await session.execute(select(CaseFact.__table__))).mappings().all()
    keys, values = _keys_and_values([dict(row) for row in rows])

    assert not keys & PERSONAL_KEYS
    assert not values & PERSONAL_VALUES


async def test_ratings_of_connected_cases_give_the_average_rating_and_agree_with_a_rebuild(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    for score in (5, 2):
        case = LiveCase(SUBMITTED)
        for event_type, data, source in (
            ("application.submitted", case.submitted(), "intake"),
            ("job.created", case.created(SUBMITTED, due_on="2026-03-23"), "workflow"),
            ("job.connected", _connected(case), "workflow"),
            (
                "application.evaluated",
                {"application_id": case.application_id, "score": score, "evaluated_at": CONNECTED.isoformat()},
                "intake",
            ),
        ):
            response = await deliver(metrics.client, clock, event_type, data, source=source)
            assert response.json() == {"status": "applied"}, event_type

    row = await _summary_row(metrics, signing_key, "sme_lv")
    async with metrics.app.state.database.sessionmaker() as session:
        checked = await rollup_rebuild.check(session)

    assert (row["connected_count"], row["avg_evaluation"]) == (2, 3.5)
    assert checked.agree, checked.differences


async def test_a_value_the_database_refuses_fails_its_event_alone_in_a_batch(
    metrics: Service, clock: FixedClock, backend: str
) -> None:
    bad, good = LiveCase(datetime(2026, 3, 2, 1, 30, tzinfo=UTC)), LiveCase(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    # A channel longer than its column: the contract types it as text; PostgreSQL refuses it, SQLite keeps it.
    events = [("application.submitted", bad.submitted(channel="x" * 40)), ("application.submitted", good.submitted())]

    statuses = await deliver_batch(metrics.client, clock, "intake", events)

    assert statuses == ["failed" if backend == "postgres" else "applied", "applied"]
    async with metrics.app.state.database.sessionmaker() as session:
        stored = set((await session.scalars(select(CaseFact.id))).all())
    assert good.application_id in stored


@pytest.mark.parametrize("loaded", [timedelta(hours=-1), timedelta(hours=1)])
async def test_a_year_published_is_counted_with_even_if_it_was_loaded_before_this_service_seeded(
    metrics: Service, clock: FixedClock, loaded: timedelta
) -> None:
    seeded = next(schedule for schedule in chinese_calendar_schedules() if schedule.year == 2026)
    corrected = {
        "year": 2026,
        "holidays": [{"date": d.isoformat(), "name": "假日"} for d in sorted({*seeded.holidays, date(2026, 12, 31)})],
        "makeup_workdays": [{"date": d.isoformat(), "name": "调休"} for d in sorted(seeded.makeup_workdays)],
        "source": "State Council correction",
        # Workflow loaded it an hour before (or after) this service seeded its own copy of the year.
        "loaded_at": (clock.now() + loaded).isoformat(),
    }

    response = await deliver(metrics.client, clock, "calendar.year_published", corrected, source="workflow")

    live = metrics.app.state.service.live_calendar
    async with metrics.app.state.database.sessionmaker() as session:
        calendar = await live.current(session)
    assert response.status_code == 200
    assert not calendar.is_working_day(date(2026, 12, 31))
