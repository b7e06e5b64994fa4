"""The share of supply contracts signed online, per category and per company, kept in the rollups."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.common.clock import FixedClock
from services.intake.identity.keys import SigningKey
from services.metrics.publication.schemas import PublicReport
from services.metrics.rollups import rebuild as rollup_rebuild
from tests.metrics.live import LiveCase
from tests.metrics.support import auth, deliver
from tests.support.services import Service

SUBMITTED = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
ACCEPTED = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
SIGNED = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)
CONNECTED = datetime(2026, 3, 13, 7, 0, tzinfo=UTC)
LATE = datetime(2026, 3, 20, 3, 0, tzinfo=UTC)


def _connected(case: LiveCase) -> dict[str, Any]:
    return {
        **case.job(CONNECTED, completed={"accept": ACCEPTED, "connect": CONNECTED}),
        "connected_at": CONNECTED.isoformat(),
        "working_days": 9,
        "paused_working_days": 0,
        "customer_cost_yuan": "0",
        "visits": 0,
        "within_limit": True,
        "category": case.category,
    }


def _signed(case: LiveCase, at: datetime) -> dict[str, Any]:
    return {
        "application_id": case.application_id,
        "grid_company": case.grid_company,
        "region": case.region,
        "category": case.category,
        "signed_at": at.isoformat(),
        "sha256": "0f" * 32,
    }


async def _connect(metrics: Service, clock: FixedClock, case: LiveCase, *, signed: datetime | None) -> None:
    events: list[tuple[str, dict[str, Any], str]] = [
        ("application.submitted", case.submitted(), "intake"),
        ("job.created", case.created(SUBMITTED, due_on="2026-03-23"), "workflow"),
    ]
    if signed is not None and signed < CONNECTED:
        events.append(("application.contract_signed", _signed(case, signed), "intake"))
    events.append(("job.connected", _connected(case), "workflow"))
    if signed is not None and signed >= CONNECTED:
        events.append(("application.contract_signed", _signed(case, signed), "intake"))
    for event_type, data, source in events:
        response = await deliver(metrics.client, clock, event_type, data, source=source)
        assert response.json() == {"status": "applied"}, event_type


async def _three_cases(metrics: Service, clock: FixedClock) -> None:
    # Signed before connection, signed after it (the rollup share moves), never signed online.
    for signed in (SIGNED, LATE, None):
        await _connect(metrics, clock, LiveCase(SUBMITTED), signed=signed)


async def test_the_summary_gives_the_count_and_share_of_contracts_signed_online(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    await _three_cases(metrics, clock)
    body = (
        await metrics.client.get(
            "/api/v1/metrics/summary", params={"period": "2026Q1"}, headers=auth(signing_key, "admin")
        )
    ).json()
    row = next(r for r in body["rows"] if r["category"] == "sme_lv")
    assert (row["connected_count"], row["contracts_signed_online"]) == (3, 2)
    assert row["signed_online_share"] == 2 / 3
    empty = next(r for r in body["rows"] if r["category"] == "hv_new_install")
    assert (empty["contracts_signed_online"], empty["signed_online_share"]) == (0, None)
    async with metrics.app.state.database.sessionmaker() as session:
        checked = await rollup_rebuild.check(session)
    assert checked.agree, checked.differences


async def test_each_company_row_carries_its_share(metrics: Service, signing_key: SigningKey, clock: FixedClock) -> None:
    await _three_cases(metrics, clock)
    await _connect(metrics, clock, LiveCase(SUBMITTED, region="310115"), signed=SIGNED)
    body = (
        await metrics.client.get(
            "/api/v1/metrics/grid-companies", params={"period": "2026Q1"}, headers=auth(signing_key, "admin")
        )
    ).json()
    companies = {c["grid_company"]: c for c in body["companies"]}
    assert (companies["SGCC-BJ"]["contracts_signed_online"], companies["SGCC-BJ"]["signed_online_share"]) == (2, 2 / 3)
    assert (companies["SGCC-SH"]["contracts_signed_online"], companies["SGCC-SH"]["signed_online_share"]) == (1, 1.0)


async def test_a_signature_heard_of_again_counts_once(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    case = LiveCase(SUBMITTED)
    await _connect(metrics, clock, case, signed=SIGNED)
    # A new event id, as if intake had published it twice: the fact keeps the first signature.
    await deliver(metrics.client, clock, "application.contract_signed", _signed(case, LATE), source="intake")
    body = (
        await metrics.client.get(
            "/api/v1/metrics/summary", params={"period": "2026Q1"}, headers=auth(signing_key, "admin")
        )
    ).json()
    row = next(r for r in body["rows"] if r["category"] == "sme_lv")
    assert (row["connected_count"], row["contracts_signed_online"]) == (1, 1)


async def test_workflow_cannot_send_a_signature(metrics: Service, clock: FixedClock) -> None:
    case = LiveCase(SUBMITTED)
    response = await deliver(
        metrics.client, clock, "application.contract_signed", _signed(case, SIGNED), source="workflow"
    )
    assert response.status_code == 403


async def test_the_published_report_carries_the_share_and_older_versions_still_read(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    await _three_cases(metrics, clock)
    published = await metrics.client.post("/api/v1/reports/2026H1/publish", headers=auth(signing_key, "admin"))
    assert published.status_code == 201, published.text
    row = next(r for r in published.json()["rows"] if r["category"] == "sme_lv")
    assert (row["contracts_signed_online"], row["signed_online_share"]) == (2, 2 / 3)
    csv = await metrics.client.get("/api/v1/public/reports/2026H1", headers={"Accept": "text/csv"})
    assert "contracts_signed_online,signed_online_share" in csv.text.splitlines()[0]
    # A version published before these figures existed has no such fields: it reads back with none counted.
    older = published.json()
    nested = [line for company in older["companies"] for line in company["rows"]]
    for line in (*older["rows"], *older["temporary"], *older["companies"], *nested):
        line.pop("contracts_signed_online"), line.pop("signed_online_share")
    read = PublicReport.model_validate(older)
    assert read.rows[0].contracts_signed_online == 0 and read.rows[0].signed_online_share is None
