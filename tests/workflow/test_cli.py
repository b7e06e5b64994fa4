"""`zerovisit calendar load --file F` stores a new year; a running app counts with it."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

import pytest

from services.common.clock import FixedClock
from services.workflow import cli
from tests.support.services import Service
from tests.workflow.support import Callers, at, submit

YEAR_2027 = """\
# Test data shaped like a State Council notice; not the official 2027 schedule.
year: 2027
source: 国务院办公厅 2027 (test)
holidays:
  - {date: 2027-01-01, name: 元旦}
  - {date: 2027-02-08, name: 春节}
  - {date: 2027-02-09, name: 春节}
  - {date: 2027-02-10, name: 春节}
makeup_workdays:
  - {date: 2027-02-20, name: 春节}
"""


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="zerovisit")
    cli.add_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    code: int = args.handler(args)
    return code


@pytest.fixture
def database_env(monkeypatch: pytest.MonkeyPatch, workflow_url: str) -> None:
    """Point the command at the test's workflow database, as WORKFLOW_DATABASE_URL does in production."""
    monkeypatch.setenv("WORKFLOW_DATABASE_URL", workflow_url)


async def test_a_loaded_year_is_published_and_counted_by_the_running_app(
    workflow: Service, database_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "2027.yaml"
    path.write_text(YEAR_2027, encoding="utf-8")

    code = await asyncio.to_thread(_run, "calendar", "load", "--file", str(path))

    assert code == 0
    assert "stored 2027 (4 holidays, 1 make-up working days)" in capsys.readouterr().out
    year = (await workflow.client.get("/api/v1/calendar/2027")).json()
    assert (year["published"], year["provisional"], year["source"]) == (True, False, "国务院办公厅 2027 (test)")
    assert year["holidays"][0] == {"date": "2027-01-01", "name": "元旦"}
    assert year["makeup_workdays"] == [{"date": "2027-02-20", "name": "春节"}]
    deadline = await workflow.client.get("/api/v1/calendar/add-working-days", params={"start": "2026-12-30", "days": 3})
    # New Year's Day is now a holiday: 12-31, 01-04, 01-05.
    assert deadline.json() == {"date": "2027-01-05", "provisional": False}


async def test_a_json_file_is_loaded_too(workflow: Service, database_env: None, tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_text(json.dumps({"year": 2027, "holidays": [{"date": "2027-01-01", "name": "元旦"}]}))

    assert await asyncio.to_thread(_run, "calendar", "load", "--file", str(path)) == 0

    year = (await workflow.client.get("/api/v1/calendar/2027")).json()
    assert (year["published"], year["source"], year["makeup_workdays"]) == (True, "file 2027.json", [])


async def test_a_file_listing_a_date_of_another_year_is_refused(
    workflow: Service, database_env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "2027.yaml"
    path.write_text(YEAR_2027.replace("2027-02-20", "2028-02-20"), encoding="utf-8")

    code = await asyncio.to_thread(_run, "calendar", "load", "--file", str(path))

    assert code == 2
    assert "2028-02-20 is not in 2027" in capsys.readouterr().err
    assert (await workflow.client.get("/api/v1/calendar/2027")).json()["published"] is False


async def test_a_make_up_day_on_a_weekday_is_refused(workflow: Service, database_env: None, tmp_path: Path) -> None:
    path = tmp_path / "2027.yaml"
    path.write_text(YEAR_2027.replace("2027-02-20", "2027-02-22"), encoding="utf-8")

    assert await asyncio.to_thread(_run, "calendar", "load", "--file", str(path)) == 2


async def test_loading_a_year_again_replaces_it(workflow: Service, database_env: None, tmp_path: Path) -> None:
    path = tmp_path / "2027.yaml"
    path.write_text(YEAR_2027, encoding="utf-8")
    await asyncio.to_thread(_run, "calendar", "load", "--file", str(path))
    path.write_text("year: 2027\nholidays:\n  - {date: 2027-01-01, name: 元旦}\n", encoding="utf-8")

    await asyncio.to_thread(_run, "calendar", "load", "--file", str(path))

    year = (await workflow.client.get("/api/v1/calendar/2027")).json()
    assert (len(year["holidays"]), year["makeup_workdays"]) == (1, [])


async def test_loading_the_year_settles_provisional_due_dates_of_open_jobs(
    workflow: Service, database_env: None, tmp_path: Path, clock: FixedClock, callers: Callers
) -> None:
    clock.instant = at("2026-12-29 10:00")
    job = await submit(workflow, clock, callers)  # accept due 2027-01-01, provisional
    path = tmp_path / "2027.yaml"
    path.write_text(YEAR_2027, encoding="utf-8")

    await asyncio.to_thread(_run, "calendar", "load", "--file", str(path))

    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()
    assert (read["due_on"], read["steps"][0]["due_on"], read["steps"][0]["due_on_provisional"]) == (
        "2027-01-04",
        "2027-01-04",
        False,
    )
    history = (await workflow.client.get(f"/api/v1/jobs/{job['id']}/history", headers=callers.staff())).json()
    assert (history[-1]["action"], history[-1]["actor"], history[-1]["details"]["from"]) == (
        "due_date_recounted",
        "system:calendar",
        "2027-01-01",
    )
    assert (await workflow.client.get("/api/v1/audit/verify", headers=callers.admin())).json()["ok"] is True
