"""Case lists: open overdue cases now, violations of a period, and the evidence of one case."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from services.common.clock import FixedClock, local_date
from services.intake.identity.keys import SigningKey
from tests.metrics.dataset import ROWS
from tests.metrics.live import LiveCase
from tests.metrics.support import CALENDAR, RULES, at, auth, deliver
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
