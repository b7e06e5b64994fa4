"""Disputes in the figures: counted per grid company in the period raised, listed among the violations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from services.common.clock import FixedClock
from services.intake.identity.keys import SigningKey
from tests.metrics.live import LiveCase
from tests.metrics.support import auth, deliver
from tests.support.services import Service

# Submitted the morning the tests' clock stands on: no step is overdue, so a dispute is the only breach.
SUBMITTED = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
COMPANIES = "/api/v1/metrics/grid-companies"
VIOLATIONS = "/api/v1/metrics/violations"


async def _open_case(metrics: Service, clock: FixedClock, **kwargs: Any) -> LiveCase:
    case = LiveCase(SUBMITTED, **kwargs)
    for event_type, data, source in (
        ("application.submitted", case.submitted(), "intake"),
        ("job.created", case.created(SUBMITTED), "workflow"),
    ):
        assert (await deliver(metrics.client, clock, event_type, data, source=source)).json() == {"status": "applied"}
    return case


def disputed(
    case: LiveCase, record: str, record_id: str, clock: FixedClock, dispute_id: str | None = None
) -> dict[str, Any]:
    """application.disputed as intake declares it."""
    return {
        "dispute_id": dispute_id or str(uuid4()),
        "application_id": case.application_id,
        "record": record,
        "record_id": record_id,
        "grid_company": case.grid_company,
        "region": case.region,
        "record_on": "2026-11-26",
        "disputed_at": clock.now().isoformat(),
    }


async def _dispute(metrics: Service, clock: FixedClock, data: dict[str, Any]) -> None:
    response = await deliver(metrics.client, clock, "application.disputed", data, source="intake")
    assert response.json() == {"status": "applied"}, response.text


async def _disputes_count(metrics: Service, headers: dict[str, str], period: str) -> dict[str, int]:
    response = await metrics.client.get(COMPANIES, params={"period": period}, headers=headers)
    assert response.status_code == 200, response.text
    return {row["grid_company"]: row["disputes_count"] for row in response.json()["companies"]}


async def test_disputes_count_against_the_company_in_the_period_they_were_raised(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    beijing = await _open_case(metrics, clock)
    shanghai = await _open_case(metrics, clock, region="310101")
    await _dispute(metrics, clock, disputed(beijing, "visit", "visit-1", clock))
    await _dispute(metrics, clock, disputed(beijing, "fee", "fee-1", clock))
    await _dispute(metrics, clock, disputed(shanghai, "fee", "fee-2", clock))
    admin = auth(signing_key, "admin")

    assert await _disputes_count(metrics, admin, "2026H2") == {"SGCC-BJ": 2, "SGCC-SH": 1}
    assert await _disputes_count(metrics, admin, "2026-11") == {"SGCC-BJ": 2, "SGCC-SH": 1}
    assert (await _disputes_count(metrics, admin, "2026-10")).get("SGCC-BJ", 0) == 0


async def test_a_dispute_announced_twice_is_counted_once(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    case = await _open_case(metrics, clock)
    data = disputed(case, "visit", "visit-1", clock)
    await _dispute(metrics, clock, data)
    # Published again under a new event id (not an inbox duplicate): the dispute id makes it the same one.
    await _dispute(metrics, clock, data)

    assert await _disputes_count(metrics, auth(signing_key, "admin"), "2026H2") == {"SGCC-BJ": 1}


async def test_a_regulator_and_a_manager_see_only_the_disputes_in_their_scope(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    beijing = await _open_case(metrics, clock)
    await _dispute(metrics, clock, disputed(beijing, "visit", "visit-1", clock))

    shanghai_regulator = auth(signing_key, "regulator", regions=["31"])
    shanghai_manager = auth(signing_key, "manager", grid_company="SGCC-SH")
    beijing_manager = auth(signing_key, "manager", grid_company="SGCC-BJ")
    assert "SGCC-BJ" not in await _disputes_count(metrics, shanghai_regulator, "2026H2")
    assert await _disputes_count(metrics, shanghai_manager, "2026H2") == {}
    assert await _disputes_count(metrics, beijing_manager, "2026H2") == {"SGCC-BJ": 1}
    hidden = await metrics.client.get(VIOLATIONS, params={"period": "2026H2"}, headers=shanghai_regulator)
    assert hidden.json()["items"] == []


async def test_disputed_visits_and_fees_are_listed_among_the_violations(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    case = await _open_case(metrics, clock)
    quiet = await _open_case(metrics, clock)
    await _dispute(metrics, clock, disputed(case, "visit", "visit-1", clock))
    clock.advance(timedelta(minutes=5))
    await _dispute(metrics, clock, disputed(case, "fee", "fee-1", clock))

    response = await metrics.client.get(VIOLATIONS, params={"period": "2026H2"}, headers=auth(signing_key, "admin"))

    items = {item["case_id"]: item for item in response.json()["items"]}
    assert quiet.application_id not in items
    violation = items[case.application_id]
    assert violation["kinds"] == ["disputed_visit", "disputed_fee"]
    assert violation["disputes"] == [
        {"record": "visit", "record_id": "visit-1", "record_on": "2026-11-26", "disputed_on": "2026-11-26"},
        {"record": "fee", "record_id": "fee-1", "record_on": "2026-11-26", "disputed_on": "2026-11-26"},
    ]
    assert response.json()["total"] == 1


async def test_a_published_report_keeps_the_disputes_count_it_was_published_with(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    case = await _open_case(metrics, clock)
    await _dispute(metrics, clock, disputed(case, "visit", "visit-1", clock))
    admin = auth(signing_key, "admin")
    assert (await metrics.client.post("/api/v1/reports/2026H2/publish", headers=admin)).status_code == 201

    await _dispute(metrics, clock, disputed(case, "fee", "fee-1", clock))
    public = (await metrics.client.get("/api/v1/public/reports/2026H2")).json()
    frozen = {row["grid_company"]: row["disputes_count"] for row in public["companies"]}
    assert frozen == {"SGCC-BJ": 1}

    assert (await metrics.client.post("/api/v1/reports/2026H2/publish", headers=admin)).status_code == 201
    again = (await metrics.client.get("/api/v1/public/reports/2026H2")).json()
    assert {row["grid_company"]: row["disputes_count"] for row in again["companies"]} == {"SGCC-BJ": 2}
    assert again["version"] == 2


async def test_intake_alone_may_announce_a_dispute(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    case = await _open_case(metrics, clock)
    forged = await deliver(
        metrics.client, clock, "application.disputed", disputed(case, "fee", "fee-1", clock), source="workflow"
    )
    assert forged.status_code == 403
    assert (await _disputes_count(metrics, auth(signing_key, "admin"), "2026H2")).get("SGCC-BJ", 0) == 0
