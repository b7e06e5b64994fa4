"""The demonstration (`python -m tools.demo`): a few simulated weeks through the three services on free ports."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.files import sniff
from services.common.settings import REPO_ROOT
from tests.support.databases import FreshDatabases
from tools.demo import files
from tools.demo.accounts import AccountError, create_accounts, plan_accounts
from tools.demo.http import Login
from tools.demo.people import arrival_days, population
from tools.demo.platform import MARKER, PlatformError, prepare_var_dir
from tools.stack import migrate

SERVICES = ("intake", "workflow", "metrics")
# Rows each service holds for a connected case, counted straight from its database.
CONNECTED = {
    "intake": "SELECT count(*) FROM application WHERE status = 'connected'",
    "workflow": "SELECT count(*) FROM job WHERE status = 'connected'",
    "metrics": "SELECT count(*) FROM case_fact WHERE connected_at IS NOT NULL",
}
DEMO_TIMEOUT_SECONDS = 180


async def _demo(*args: str) -> tuple[int, str]:
    """Run `python -m tools.demo` with no service settings inherited; its exit code and output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "WORKFLOW_", "METRICS_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tools.demo",
        *args,
        cwd=REPO_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), DEMO_TIMEOUT_SECONDS)
    except TimeoutError:
        process.kill()  # its services follow it (they are told to stop when it dies)
        raise
    assert process.returncode is not None
    return process.returncode, output.decode("utf-8", errors="replace")


async def _connected_rows(urls: dict[str, str]) -> dict[str, int]:
    counts = {}
    for name, url in urls.items():
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                counts[name] = (await connection.execute(text(CONNECTED[name]))).scalar_one()
        finally:
            await engine.dispose()
    return counts


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


async def test_a_short_demo_connects_cases_that_intake_workflow_and_metrics_all_count(
    backend: str, databases: FreshDatabases, tmp_path: Path
) -> None:
    var_dir, summary_file = tmp_path / "demo", tmp_path / "summary.json"
    urls = {name: f"sqlite+aiosqlite:///{var_dir / f'{name}.db'}" for name in SERVICES}
    options = ["--var-dir", str(var_dir), "--applicants", "10", "--days", "20", "--seed", "7"]
    if backend == "postgres":
        urls = {name: await databases.url(name) for name in SERVICES}
        options += [arg for name in SERVICES for arg in (f"--{name}-database-url", urls[name])]

    code, output = await _demo(*options, "--summary-json", str(summary_file))

    assert code == 0, output
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    connected = summary["connected"]
    assert summary["connected_in_period"] > 0, output
    assert connected["agree"] and connected["demo"] == connected["metrics"] > 0, connected
    assert await _connected_rows(urls) == dict.fromkeys(SERVICES, connected["demo"])
    assert "Getting Electricity 2026H1" in output
    ports = [int(port) for port in re.findall(r"http://127\.0\.0\.1:(\d+)", output)]
    assert len(ports) == 3 and not any(_listening(port) for port in ports), "the services were left running"


def test_the_same_seed_brings_the_same_applicants() -> None:
    days = [f"2026-01-{n:02d}" for n in range(5, 25)]

    def working(day: object) -> bool:
        return True

    def people(seed: int) -> list[object]:
        arrivals = arrival_days(seed, 30, days, working)  # type: ignore[arg-type]
        return [
            (p.username, p.first, p.arrives, p.second, p.forgetful)
            for p in population(seed, arrivals, days=len(days), prefix="x-", secret="s")
        ]

    assert people(7) == people(7)
    assert people(7) != people(8)


def test_made_up_scans_are_files_intake_accepts_and_each_one_differs() -> None:
    assert sniff(files.pdf("id_card 110105")) == files.PDF_MEDIA_TYPE
    assert sniff(files.png("id_card 110105")) == files.PNG_MEDIA_TYPE
    assert files.pdf("one") != files.pdf("two") and files.png("one") != files.png("two")


def test_a_var_dir_that_another_program_filled_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(PlatformError):
        prepare_var_dir(tmp_path)
    assert (tmp_path / "notes.txt").exists()


def test_a_var_dir_of_an_earlier_demo_is_emptied(tmp_path: Path) -> None:
    prepare_var_dir(tmp_path)
    (tmp_path / "intake.db").write_bytes(b"old")
    prepare_var_dir(tmp_path)
    assert (tmp_path / MARKER).exists() and not (tmp_path / "intake.db").exists()


def test_accounts_are_made_even_when_a_password_begins_with_a_dash(tmp_path: Path) -> None:
    env = {f"{name.upper()}_VAR_DIR": str(tmp_path) for name in SERVICES}
    asyncio.run(migrate(env))
    teams, _ = plan_accounts("dash-")
    teams[0].manager = Login(teams[0].manager.username, "-starts-like-an-option")
    regulator = Login("dash-regulator", "--looks-like-a-flag")

    create_accounts(teams, regulator, env)

    with pytest.raises(AccountError, match="dash-regulator"):  # taken now: refused with the reason, not an exit
        create_accounts([], regulator, env)
