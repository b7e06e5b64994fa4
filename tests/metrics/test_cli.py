"""The command line: metrics rebuild, metrics check and report, against a service's database."""

from __future__ import annotations

import argparse
import asyncio

import pytest
from sqlalchemy import delete

from services.intake.identity.keys import SigningKey
from services.metrics.cli import add_commands
from services.metrics.rollups.models import RollupHistogram
from tests.metrics.dataset import ROWS
from tests.metrics.support import auth
from tests.support.services import Service


async def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="zerovisit")
    add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    # The commands run their own event loop, as they do from the shell.
    code: int = await asyncio.to_thread(args.handler, args)
    return code


async def test_check_finds_drift_that_rebuild_repairs(metrics: Service, signing_key: SigningKey) -> None:
    await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS}, headers=auth(signing_key, "admin"))
    url = metrics.app.state.settings.database_url
    async with metrics.app.state.database.sessionmaker() as session, session.begin():
        await session.execute(delete(RollupHistogram).where(RollupHistogram.level == 6))

    drifted = await _run("metrics", "check", "--database-url", url)
    rebuilt = await _run("metrics", "rebuild", "--database-url", url)
    checked = await _run("metrics", "check", "--database-url", url)

    assert (drifted, rebuilt, checked) == (1, 0, 0)


async def test_report_prints_the_half_year_table(
    metrics: Service, signing_key: SigningKey, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal, so that no cell is wrapped
    await metrics.client.post("/api/v1/imports/cases", json={"cases": ROWS}, headers=auth(signing_key, "admin"))
    url = metrics.app.state.settings.database_url

    code = await _run("report", "--period", "2026H1", "--region", "11", "--database-url", url)

    printed = capsys.readouterr().out
    assert code == 0
    assert "2026H1" in printed and "sme_lv" in printed and "SGCC-BJ" in printed and "SGCC-SH" not in printed
