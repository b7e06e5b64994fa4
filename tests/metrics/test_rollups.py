"""Rollups equal a rebuild from the facts; the check finds and the rebuild repairs any drift."""

from __future__ import annotations

from sqlalchemy import update

from services.intake.identity.keys import SigningKey
from services.metrics.rollups import rebuild as rollup_rebuild
from services.metrics.rollups.models import Rollup
from tests.metrics.dataset import ROWS
from tests.metrics.support import auth
from tests.support.services import Service


async def test_rollups_kept_by_imports_agree_with_a_rebuild(metrics: Service, signing_key: SigningKey) -> None:
    await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS[:6]}, headers=auth(signing_key, "admin"))
    await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS[4:]}, headers=auth(signing_key, "admin"))
    database = metrics.app.state.database

    async with database.sessionmaker() as session, session.begin():
        kept = await rollup_rebuild.check(session)
        await rollup_rebuild.rebuild(session)
    async with database.sessionmaker() as session:
        rebuilt = await rollup_rebuild.check(session)

    assert kept.agree, kept.differences
    assert rebuilt.agree and (rebuilt.rollup_rows, rebuilt.histogram_rows) == (kept.rollup_rows, kept.histogram_rows)


async def test_the_check_finds_a_tampered_rollup_and_the_rebuild_repairs_it(
    metrics: Service, signing_key: SigningKey
) -> None:
    await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS}, headers=auth(signing_key, "admin"))
    admin = auth(signing_key, "admin")
    before = (await metrics.client.get("/api/v1/metrics/summary", params={"period": "2026H1"}, headers=admin)).json()
    database = metrics.app.state.database
    async with database.sessionmaker() as session, session.begin():
        tampered = update(Rollup).where(Rollup.level == 0).values(sum_working_days=Rollup.sum_working_days + 1)
        await session.execute(tampered)

    async with database.sessionmaker() as session, session.begin():
        found = await rollup_rebuild.check(session)
        await rollup_rebuild.rebuild(session)
    after = (await metrics.client.get("/api/v1/metrics/summary", params={"period": "2026H1"}, headers=admin)).json()

    assert not found.agree
    assert all(difference.startswith("rollup (0, ''") for difference in found.differences)
    assert after == before
