"""Open overdue counts come from open_due, kept in step with the open cases by every change of a case.

Each count is compared with the overdue list, which reads the open cases themselves, and with a rebuild.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select

from services.common import migrations
from services.common.clock import FixedClock
from services.intake.identity.keys import SigningKey
from services.metrics.rollups import rebuild as rollup_rebuild
from services.metrics.rollups.models import ALL_COMPANIES, OpenDue, Rollup
from tests.metrics.dataset import ROWS
from tests.metrics.live import LiveCase
from tests.metrics.support import auth, deliver, deliver_batch
from tests.support.services import Service

# The clock stands at 2026-11-26; an accept step is due three working days after submission.
LATE = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
RECENT = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
PAUSED = datetime(2026, 11, 3, 1, 0, tzinfo=UTC)
BEFORE_MIGRATION = "8f1cd7ab5c9a"


def _cases() -> dict[str, LiveCase]:
    return {
        "late_bj": LiveCase(LATE, region="110105"),
        "recent_sh": LiveCase(RECENT, region="310101"),
        # Paused before its accept step was due: not overdue while paused.
        "paused_early_sz": LiveCase(
            datetime(2026, 11, 3, 1, 0, tzinfo=UTC), category="residential_lv", region="440301"
        ),
        # Paused after its accept step was due: overdue all the same.
        "paused_late_gz": LiveCase(PAUSED, region="440101"),
        "late_hv_tj": LiveCase(LATE, category="hv_single", region="120101"),
    }


def _opening(case: LiveCase) -> list[tuple[str, dict[str, Any]]]:
    return [("job.created", case.created(case.submitted_at))]


def _pause(case: LiveCase, at: datetime) -> dict[str, Any]:
    return {**case.job(at), "reason": "customer_not_ready"}


async def _counts(metrics: Service, headers: dict[str, str]) -> tuple[Counter[str], Counter[str]]:
    """The summary's overdue count per category, and the overdue list's, for one caller."""
    summary = await metrics.client.get("/api/v1/metrics/summary", params={"period": "2026H2"}, headers=headers)
    listed = await metrics.client.get("/api/v1/metrics/overdue", headers=headers)
    counted = Counter({row["category"]: row["open_overdue_count"] for row in summary.json()["rows"]})
    return +counted, Counter(item["report_category"] for item in listed.json()["items"])


async def _agreement(metrics: Service, key: SigningKey) -> dict[str, Counter[str]]:
    """For every kind of caller: the summary's counts equal the list's, and the rollups equal a rebuild."""
    callers = {
        "admin": auth(key, "admin"),
        "regulator 44": auth(key, "regulator", regions=["44"]),
        "regulator 4403": auth(key, "regulator", regions=["4403"]),
        "manager SGCC-BJ": auth(key, "manager", grid_company="SGCC-BJ"),
    }
    seen = {}
    for name, headers in callers.items():
        counted, listed = await _counts(metrics, headers)
        assert counted == listed, name
        seen[name] = counted
    ranking = await metrics.client.get(
        "/api/v1/metrics/grid-companies", params={"period": "2026H2"}, headers=callers["admin"]
    )
    per_company = {row["grid_company"]: row["open_overdue_count"] for row in ranking.json()["companies"]}
    assert sum(per_company.values()) == sum(seen["admin"].values())
    assert per_company.get("SGCC-BJ", 0) == sum(seen["manager SGCC-BJ"].values())
    async with metrics.app.state.database.sessionmaker() as session:
        checked = await rollup_rebuild.check(session)
    assert checked.agree, checked.differences
    return seen


async def test_overdue_counts_follow_each_case_through_pauses_steps_connection_and_withdrawal(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    cases = _cases()
    for case in cases.values():
        await deliver(metrics.client, clock, "application.submitted", case.submitted(), source="intake")
        await deliver(metrics.client, clock, "job.created", case.created(case.submitted_at), source="workflow")
    early, late = cases["paused_early_sz"], cases["paused_late_gz"]
    await deliver(
        metrics.client, clock, "job.paused", _pause(early, datetime(2026, 11, 4, 1, tzinfo=UTC)), source="workflow"
    )
    await deliver(
        metrics.client, clock, "job.paused", _pause(late, datetime(2026, 11, 20, 1, tzinfo=UTC)), source="workflow"
    )
    opened = await _agreement(metrics, signing_key)

    resumed = {**early.job(datetime(2026, 11, 24, 1, tzinfo=UTC)), "reason": "customer_not_ready"}
    resumed |= {"paused_working_days": 14, "total_paused_working_days": 14}
    await deliver(metrics.client, clock, "job.resumed", resumed, source="workflow")
    after_resume = await _agreement(metrics, signing_key)

    bj = cases["late_bj"]
    accepted = datetime(2026, 11, 25, 2, tzinfo=UTC)
    step = {**bj.job(accepted, completed={"accept": accepted}), "step": "accept"}
    await deliver(
        metrics.client,
        clock,
        "job.step_completed",
        step | {"elapsed_working_days": 17, "overdue": True},
        source="workflow",
    )
    after_step = await _agreement(metrics, signing_key)

    tj = cases["late_hv_tj"]
    connected_at = datetime(2026, 11, 25, 6, tzinfo=UTC)
    steps = {code: connected_at for code in (s["code"] for s in tj.steps())}
    connected = tj.job(connected_at, completed=steps) | {
        "connected_at": connected_at.isoformat(),
        "working_days": 17,
        "paused_working_days": 0,
        "customer_cost_yuan": "0",
        "visits": 0,
        "within_limit": True,
        "category": tj.category,
    }
    await deliver(metrics.client, clock, "job.connected", connected, source="workflow")
    withdrawn = {"application_id": late.application_id, "withdrawn_at": RECENT.isoformat()}
    await deliver(metrics.client, clock, "application.withdrawn", withdrawn, source="intake")
    closed = await _agreement(metrics, signing_key)

    sme, residential, hv = (
        cases[name].submitted()["report_category"] for name in ("late_bj", "paused_early_sz", "late_hv_tj")
    )
    # sme: Beijing late, Guangzhou paused after its deadline; residential (Shenzhen) paused before it;
    # hv: Tianjin late. Shanghai's accept step is not due yet.
    assert opened["admin"] == Counter({sme: 2, hv: 1})
    assert opened["regulator 44"] == Counter({sme: 1}) and not opened["regulator 4403"]
    assert opened["manager SGCC-BJ"] == Counter({sme: 1})
    assert after_resume["admin"] == Counter({sme: 2, hv: 1, residential: 1})
    assert after_resume["regulator 4403"] == Counter({residential: 1})
    # Beijing's next step (connect) is not due yet; then Tianjin is connected and Guangzhou withdrawn.
    assert after_step["admin"] == Counter({sme: 1, hv: 1, residential: 1})
    assert after_step["manager SGCC-BJ"] == Counter()
    assert closed["admin"] == Counter({residential: 1})


async def test_a_batch_moves_its_cases_overdue_counts_in_one_write(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    cases = _cases()
    for case in cases.values():
        await deliver(metrics.client, clock, "application.submitted", case.submitted(), source="intake")
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        sent.append(statement)

    engine = metrics.app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        statuses = await deliver_batch(
            metrics.client, clock, "workflow", [e for case in cases.values() for e in _opening(case)]
        )
    finally:
        event.remove(engine, "before_cursor_execute", record)

    assert statuses == ["applied"] * len(cases)
    assert len([s for s in sent if s.startswith("INSERT INTO open_due")]) == 1
    counts = await _agreement(metrics, signing_key)
    categories = Counter(case.submitted()["report_category"] for name, case in cases.items() if name != "recent_sh")
    assert counts["admin"] == categories


async def test_the_nationwide_rows_hold_every_companys_cases(metrics: Service, signing_key: SigningKey) -> None:
    await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS}, headers=auth(signing_key, "admin"))

    async with metrics.app.state.database.sessionmaker() as session:
        rows = (await session.scalars(select(Rollup).where(Rollup.level == 0))).all()
    whole = {(r.month, r.report_category): r.connected_count for r in rows if r.grid_company == ALL_COMPANIES}
    added: Counter[tuple[int, str]] = Counter()
    for row in rows:
        if row.grid_company != ALL_COMPANIES:
            added[(row.month, row.report_category)] += row.connected_count

    assert whole and whole == dict(added)


async def test_the_migration_counts_what_the_database_already_held(
    metrics: Service, signing_key: SigningKey, clock: FixedClock
) -> None:
    await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS}, headers=auth(signing_key, "admin"))
    for case in _cases().values():
        await deliver(metrics.client, clock, "application.submitted", case.submitted(), source="intake")
        await deliver(metrics.client, clock, "job.created", case.created(case.submitted_at), source="workflow")
    before = await _agreement(metrics, signing_key)
    engine = metrics.app.state.database.engine

    await migrations.downgrade(engine, "metrics", BEFORE_MIGRATION)
    await migrations.upgrade(engine, "metrics")

    async with metrics.app.state.database.sessionmaker() as session:
        assert (await session.scalar(select(OpenDue.count).limit(1))) is not None
    assert await _agreement(metrics, signing_key) == before
