"""Case lists: open overdue cases now, violations of a period, and the evidence of one case."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, select

from services.common.clock import FixedClock, local_date
from services.intake.identity.keys import SigningKey
from services.metrics.facts.models import CaseFact, OpenCase
from tests.metrics.dataset import ROWS
from tests.metrics.live import LiveCase
from tests.metrics.support import CALENDAR, RULES, at, auth, deliver, deliver_batch
from tests.support.services import Service


async def _open_case(metrics: Service, clock: FixedClock, submitted: datetime, **kwargs: str) -> LiveCase:
    case = LiveCase(submitted, **kwargs)
    await deliver(metrics.client, clock, "application.submitted", case.submitted(), source="intake")
    await deliver(
        metrics.client,
        clock,
        "job.created",
        case.created(submitted, due_on="2026-12-31"),
        source="workflow",
    )
    return case


async def test_open_cases_past_their_deadline_are_overdue_and_counted_in_the_summary(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    late = await _open_case(metrics, clock, datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
    await _open_case(metrics, clock, datetime(2026, 11, 25, 1, 0, tzinfo=UTC))
    paused = await _open_case(metrics, clock, datetime(2026, 11, 3, 1, 0, tzinfo=UTC))
    await deliver(
        metrics.client,
        clock,
        "job.paused",
        {**paused.job(datetime(2026, 11, 4, 1, 0, tzinfo=UTC)), "reason": "customer_not_ready"},
        source="workflow",
    )
    admin = auth(signing_key, "admin")

    overdue = (await metrics.client.get("/api/v1/metrics/overdue", headers=admin)).json()
    summary = (await metrics.client.get("/api/v1/metrics/summary", params={"period": "2026H2"}, headers=admin)).json()

    accept_due = CALENDAR.add_working_days(local_date(late.submitted_at), 3).date
    assert [item["case_id"] for item in overdue["items"]] == [late.application_id]
    item = overdue["items"][0]
    assert (item["due_on"], item["current_step"]) == (accept_due.isoformat(), "accept")
    assert item["working_days_overdue"] == CALENDAR.working_days_between(accept_due, local_date(clock.now()))
    assert {row["category"]: row["open_overdue_count"] for row in summary["rows"]}["sme_lv"] == 1


async def test_violations_name_each_breach_of_the_rules(metrics: Service, signing_key: SigningKey) -> None:
    admin = auth(signing_key, "admin")
    await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS}, headers=admin)

    body = (await metrics.client.get("/api/v1/metrics/violations", params={"period": "2026H1"}, headers=admin)).json()
    evidence = {item["case_id"]: item for item in body["items"]}
    by_external = {}
    for case_id in evidence:
        case = (await metrics.client.get(f"/api/v1/metrics/cases/{case_id}", headers=admin)).json()
        by_external[case["external_id"]] = evidence[case_id]

    assert body["long_pause_working_days"] == 20
    assert "customer_fee_zero_investment" in by_external["SH-S1"]["kinds"]
    assert by_external["SH-S1"]["flagged_fee_yuan"] == 1200.0
    assert "visits_over_allowance" in by_external["BJ-R2"]["kinds"]
    assert "visits_over_allowance" in by_external["SZ-H2"]["kinds"]
    assert "long_pause" in by_external["BJ-H1"]["kinds"]
    assert "BJ-E1" not in by_external  # connected in the second half-year
    for row in ROWS:
        rules = RULES.in_force_on(local_date(at(row["submitted_at"])))
        flagged = rules.category(row["category"]).zero_investment and float(row["customer_cost"]) > 0
        kinds = by_external.get(row["external_id"], {"kinds": []})["kinds"]
        in_period = row["external_id"] != "BJ-E1"
        assert ("customer_fee_zero_investment" in kinds) == (flagged and in_period), row["external_id"]


async def test_the_evidence_of_a_live_case_shows_its_steps_fees_and_pauses(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    case = await _open_case(metrics, clock, datetime(2026, 11, 2, 1, 0, tzinfo=UTC))
    paused_at, resumed_at = datetime(2026, 11, 3, 1, 0, tzinfo=UTC), datetime(2026, 11, 10, 1, 0, tzinfo=UTC)
    await deliver(
        metrics.client, clock, "job.paused", {**case.job(paused_at), "reason": "customer_request"}, source="workflow"
    )
    await deliver(
        metrics.client,
        clock,
        "job.resumed",
        {
            **case.job(resumed_at),
            "reason": "customer_request",
            "paused_working_days": 5,
            "total_paused_working_days": 5,
        },
        source="workflow",
    )
    await deliver(
        metrics.client,
        clock,
        "job.fee_recorded",
        {
            **case.job(resumed_at),
            "fee_id": "f-1",
            "code": "lv_connection_works",
            "amount_yuan": "0",
            "payer": "grid",
            "flagged": False,
        },
        source="workflow",
    )

    evidence = (
        await metrics.client.get(
            f"/api/v1/metrics/cases/{case.application_id}", headers=auth(signing_key, "regulator", regions=["11"])
        )
    ).json()

    assert [step["code"] for step in evidence["steps"]] == ["accept", "connect"]
    [pause] = evidence["pauses"]
    assert (pause["reason"], pause["paused_working_days"]) == ("customer_request", 5)
    assert (datetime.fromisoformat(pause["paused_at"]), datetime.fromisoformat(pause["resumed_at"])) == (
        paused_at,
        resumed_at,
    )
    assert evidence["paused_working_days"] == 5 and Decimal(evidence["customer_cost"]) == 0
    assert [fee["fee_id"] for fee in evidence["fees"]] == ["f-1"]


async def test_a_case_due_before_a_holiday_is_not_overdue_until_work_resumes(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    # Submitted Thursday 2026-09-24; Mid-autumn (09-25..27) is off, so accept is due on 09-30, the eve of
    # the National Day holiday (10-01..07).
    case = await _open_case(metrics, clock, datetime(2026, 9, 24, 1, 0, tzinfo=UTC))
    due = CALENDAR.add_working_days(local_date(case.submitted_at), 3).date
    admin = auth(signing_key, "admin")

    clock.instant = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)  # Monday of Golden Week
    during = (await metrics.client.get("/api/v1/metrics/overdue", headers=admin)).json()
    clock.instant = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)  # Friday after it: 10-08 was a working day
    after = (await metrics.client.get("/api/v1/metrics/overdue", headers=admin)).json()

    assert due == datetime(2026, 9, 30).date()
    assert during["items"] == []
    assert [item["case_id"] for item in after["items"]] == [case.application_id]


async def test_a_case_given_to_an_unlicensed_contractor_is_a_violation_even_once_replaced(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    submitted = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)
    flagged = await _open_case(metrics, clock, submitted)
    clean = await _open_case(metrics, clock, submitted)
    recorded = [
        (flagged, "5-1-00003-2019", False, "expired"),
        (flagged, "5-1-00002-2021", True, None),
        (clean, "5-1-00002-2021", True, None),
    ]
    for case, number, valid, problem in recorded:
        data = {**case.job(submitted), "licence_number": number, "licence_valid": valid, "licence_problem": problem}
        response = await deliver(metrics.client, clock, "job.contractor_recorded", data, source="workflow")
        assert response.status_code == 200, response.text
    admin = auth(signing_key, "admin")

    body = (await metrics.client.get("/api/v1/metrics/violations", params={"period": "2026H2"}, headers=admin)).json()

    kinds = {item["case_id"]: item["kinds"] for item in body["items"]}
    assert "unlicensed_contractor" in kinds[flagged.application_id]
    assert "unlicensed_contractor" not in kinds.get(clean.application_id, [])


async def test_a_batch_reads_every_fact_first_and_writes_them_and_their_open_cases_together(
    metrics: Service, clock: FixedClock
) -> None:
    submitted, paused_at = datetime(2026, 11, 2, 1, 0, tzinfo=UTC), datetime(2026, 11, 5, 1, 0, tzinfo=UTC)
    first, second, alone = LiveCase(submitted), LiveCase(submitted), LiveCase(submitted)

    def events(case: LiveCase, due_on: str) -> list[tuple[str, dict[str, Any]]]:
        return [
            ("job.created", case.created(submitted, due_on=due_on)),
            ("job.paused", {**case.job(paused_at), "reason": "customer_request"}),
        ]

    cases = ("application.submitted", first.submitted()), ("application.submitted", second.submitted())
    assert (
        await deliver_batch(metrics.client, clock, "intake", [*cases, ("application.submitted", alone.submitted())])
        == ["applied"] * 3
    )
    # The same events for a third case one at a time: what the batch must come to.
    for event_type, data in events(alone, "2026-12-31"):
        assert (await deliver(metrics.client, clock, event_type, data, source="workflow")).status_code == 200
    sent: list[str] = []
    engine = metrics.app.state.service.database.engine.sync_engine

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    created_first, paused_first = events(first, "2026-12-31")
    # The first case twice in the batch: its job.paused must find what its job.created changed.
    batch = [created_first, ("job.created", second.created(submitted, due_on="2026-12-20")), paused_first]
    event.listen(engine, "before_cursor_execute", record)
    try:
        applied = await deliver_batch(metrics.client, clock, "workflow", batch)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert applied == ["applied"] * 3
    reads = [i for i, s in enumerate(sent) if s.startswith("SELECT case_fact.id")]
    written = ("UPDATE case_fact", "UPDATE open_case", "INSERT INTO open_case")
    writes = [i for i, s in enumerate(sent) if s.startswith(written)]
    assert len(reads) == 3 and writes and max(reads) < min(writes)
    async with metrics.app.state.service.database.sessionmaker() as session:
        rows = {row.id: (row.due_on, row.paused_on) for row in await session.scalars(select(OpenCase))}
        facts = {f.id: (f.job_id is not None, f.due_on, len(f.pauses)) for f in await session.scalars(select(CaseFact))}
    assert rows[first.application_id] == rows[alone.application_id]
    assert rows[first.application_id][1] == local_date(paused_at)
    assert facts[first.application_id] == facts[alone.application_id] == (True, rows[alone.application_id][0], 1)
    assert rows[second.application_id][1] is None and facts[second.application_id][2] == 0
