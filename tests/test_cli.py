"""The zerovisit command line against real databases."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

from services import cli
from tests.support.databases import create_postgres_database, drop_postgres_database, postgres_url


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for service in cli.SERVICES:
        monkeypatch.setenv(f"{service.upper()}_VAR_DIR", str(tmp_path))
        monkeypatch.delenv(f"{service.upper()}_DATABASE_URL", raising=False)
    return tmp_path


def test_migrate_then_create_accounts_of_each_role(sqlite_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["migrate"]) == 0
    assert (sqlite_env / "intake.db").exists()
    assert cli.main(["users", "create", "--username", "boss", "--password", "staff-pass-2026!", "--role", "admin"]) == 0
    assert (
        cli.main(
            [
                "users",
                "create",
                "--username",
                "bj1",
                "--password",
                "staff-pass-2026!",
                "--role",
                "staff",
                "--grid-company",
                "SGCC-BJ",
            ]
        )
        == 0
    )
    assert (
        cli.main(
            [
                "users",
                "create",
                "--username",
                "nea",
                "--password",
                "staff-pass-2026!",
                "--role",
                "regulator",
                "--regions",
                "11,31",
            ]
        )
        == 0
    )
    assert "created staff bj1" in capsys.readouterr().out


def test_staff_without_a_grid_company_is_refused(sqlite_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["migrate", "--service", "intake"]) == 0
    assert cli.main(["users", "create", "--username", "x1", "--password", "staff-pass-2026!", "--role", "staff"]) == 2
    assert "grid company" in capsys.readouterr().err


def test_a_taken_username_is_refused(sqlite_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["migrate", "--service", "intake"]) == 0
    args = ["users", "create", "--username", "dup", "--password", "staff-pass-2026!", "--role", "admin"]
    assert cli.main(args) == 0
    assert cli.main(args) == 2
    assert "taken" in capsys.readouterr().err


def test_a_relay_process_refuses_the_development_secret_when_it_delivers_beyond_loopback(
    sqlite_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    subscribers = '[{"name": "workflow", "url": "http://workflow:8002/internal/events", "topics": ["application.*"]}]'
    monkeypatch.setenv("INTAKE_SUBSCRIBERS", subscribers)
    monkeypatch.delenv("INTAKE_EVENTS_SECRET", raising=False)

    assert cli.main(["relay", "--service", "intake"]) == 2
    assert "weak or missing: intake (*_EVENTS_SECRET)" in capsys.readouterr().err


@pytest.mark.parametrize("regions", ["11,3x", "110", "99", "*,11", "北京"])
def test_a_regulator_scope_that_is_not_code_prefixes_is_refused(
    sqlite_env: Path, capsys: pytest.CaptureFixture[str], regions: str
) -> None:
    assert cli.main(["migrate", "--service", "intake"]) == 0
    args = ["users", "create", "--username", "r1", "--password", "staff-pass-2026!", "--role", "regulator"]
    assert cli.main([*args, "--regions", regions]) == 2
    assert "region prefixes must be" in capsys.readouterr().err


@pytest.mark.parametrize("regions", ["4403", "510104,1501", "*"])
def test_a_regulator_scope_of_real_prefixes_is_accepted(sqlite_env: Path, regions: str) -> None:
    assert cli.main(["migrate", "--service", "intake"]) == 0
    args = ["users", "create", "--username", "r1", "--password", "staff-pass-2026!", "--role", "regulator"]
    assert cli.main([*args, "--regions", regions]) == 0


async def _client_seen(options: dict[str, object], *, peer: str, forwarded_for: str) -> str:
    """The client address an app sees behind uvicorn configured with these options."""
    import uvicorn

    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["client"][0])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    config = uvicorn.Config(app, **options)  # type: ignore[arg-type]
    config.load()
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "headers": [(b"x-forwarded-for", forwarded_for.encode())],
        "client": (peer, 50000),
        "scheme": "http",
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(_message: Any) -> None:
        return None

    await config.loaded_app(scope, receive, send)
    return seen[0]


def _run_options(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    import uvicorn

    captured: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *_args, **kwargs: captured.update(kwargs))
    assert cli.main(["run", "--service", "intake"]) == 0
    return {key: captured[key] for key in ("proxy_headers", "forwarded_allow_ips") if key in captured}


async def test_x_forwarded_for_is_believed_from_no_one_by_default(
    sqlite_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INTAKE_TRUSTED_PROXIES", raising=False)
    options = _run_options(monkeypatch)
    assert await _client_seen(options, peer="127.0.0.1", forwarded_for="198.51.100.9") == "127.0.0.1"


async def test_x_forwarded_for_is_believed_from_a_trusted_proxy_only(
    sqlite_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTAKE_TRUSTED_PROXIES", "10.0.0.5")
    options = _run_options(monkeypatch)
    assert await _client_seen(options, peer="10.0.0.5", forwarded_for="198.51.100.9") == "198.51.100.9"
    assert await _client_seen(options, peer="127.0.0.1", forwarded_for="198.51.100.9") == "127.0.0.1"


def test_a_regulator_with_a_region_prefix_that_is_not_digits_is_refused(
    sqlite_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["migrate", "--service", "intake"]) == 0
    args = ["users", "create", "--username", "nea", "--password", "staff-pass-2026!", "--role", "regulator"]
    assert cli.main([*args, "--regions", "3_0"]) == 2
    assert "region prefixes" in capsys.readouterr().err


def _staff_announcements(var_dir: Path) -> list[tuple[str, bool, int]]:
    """(subscriber, active, revision) of each account.staff_changed in intake's outbox, oldest first."""
    import json
    import sqlite3

    with contextlib.closing(sqlite3.connect(var_dir / "intake.db")) as db:
        rows = db.execute(
            "SELECT subscriber, body FROM outbox_message WHERE event_type = 'account.staff_changed' ORDER BY seq"
        ).fetchall()
    return [
        (subscriber, json.loads(body)["data"]["active"], json.loads(body)["data"]["revision"])
        for subscriber, body in rows
    ]


def _create_staff(username: str) -> None:
    args = ["users", "create", "--username", username, "--password", "staff-pass-2026!", "--role", "staff"]
    assert cli.main([*args, "--grid-company", "SGCC-BJ"]) == 0


def test_deactivate_and_reactivate_announce_the_change_to_workflow(
    sqlite_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["migrate", "--service", "intake"]) == 0
    _create_staff("bj2")

    assert cli.main(["users", "deactivate", "bj2"]) == 0
    assert cli.main(["users", "deactivate", "bj2"]) == 0
    assert cli.main(["users", "reactivate", "BJ2"]) == 0

    out = capsys.readouterr().out
    assert "bj2 is now deactivated" in out
    assert "bj2 was already deactivated" in out
    assert "bj2 is now active" in out
    assert _staff_announcements(sqlite_env) == [("workflow", True, 1), ("workflow", False, 2), ("workflow", True, 3)]


def test_deactivating_an_unknown_username_is_refused(sqlite_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["migrate", "--service", "intake"]) == 0

    assert cli.main(["users", "deactivate", "ghost"]) == 2
    assert "No account 'ghost'" in capsys.readouterr().err


def test_publish_directory_announces_the_staff_made_before_it(
    sqlite_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["migrate", "--service", "intake"]) == 0
    _create_staff("bj3")
    args = ["users", "create", "--username", "boss2", "--password", "staff-pass-2026!", "--role", "admin"]
    assert cli.main(args) == 0

    assert cli.main(["users", "publish-directory"]) == 0

    assert "announced 1 staff and manager accounts" in capsys.readouterr().out
    assert _staff_announcements(sqlite_env) == [("workflow", True, 1), ("workflow", True, 1)]


# What `zerovisit users create` imports: the web framework and the HTTP client stay out of it, which keeps the
# command under two seconds on a loaded two-core machine (a web framework alone costs it most of a second).
_USERS_CREATE_IMPORTS = """
import sys
from services import cli
from services.common.errors import ProblemError
from services.intake.identity.service import NewAccount, create_accounts
from services.intake.settings import IntakeSettings
heavy = sorted(name for name in ("fastapi", "starlette", "httpx", "uvicorn", "alembic") if name in sys.modules)
print(",".join(heavy))
"""


def test_users_create_imports_no_web_framework_and_help_imports_no_database_layer() -> None:
    run = subprocess.run([sys.executable, "-c", _USERS_CREATE_IMPORTS], capture_output=True, text=True, check=True)  # noqa: S603
    assert run.stdout.strip() == ""
    probe = "import sys; from services import cli; cli.build_parser(); print('sqlalchemy' in sys.modules)"
    helped = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)  # noqa: S603
    assert helped.stdout.strip() == "False"


async def test_every_service_takes_a_plain_database_url_from_migration_to_a_new_account(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The URL as psql, libpq and most tools write it, not SQLAlchemy's driver-qualified form.
    names = {service: f"zv_cli_{service}_{uuid.uuid4().hex[:12]}" for service in cli.SERVICES}
    if backend == "postgres":
        for name in names.values():
            await create_postgres_database(name)
    try:
        for service, name in names.items():
            url = (
                postgres_url(name).replace("postgresql+asyncpg://", "postgresql://", 1)
                if backend == "postgres"
                else f"sqlite:///{tmp_path / f'{service}.db'}"
            )
            monkeypatch.setenv(f"{service.upper()}_DATABASE_URL", url)
            assert await asyncio.to_thread(cli.main, ["migrate", "--service", service]) == 0
        create = ["users", "create", "--username", "sh1", "--password", "staff-pass-2026!", "--role", "staff",
                  "--grid-company", "SGCC-SH"]  # fmt: skip
        assert await asyncio.to_thread(cli.main, create) == 0
    finally:
        if backend == "postgres":
            for name in names.values():
                await drop_postgres_database(name)
