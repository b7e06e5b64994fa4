"""The zerovisit command line against real databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from services import cli


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for service in cli.SERVICES:
        monkeypatch.setenv(f"{service.upper()}_VAR_DIR", str(tmp_path))
        monkeypatch.delenv(f"{service.upper()}_DATABASE_URL", raising=False)
    return tmp_path


def test_migrate_then_create_accounts_of_each_role(sqlite_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["migrate"]) == 0
    assert (sqlite_env / "intake.db").exists()
    assert cli.main(["users", "create", "--username", "boss", "--password", "pw-123456", "--role", "admin"]) == 0
    assert (
        cli.main(
            [
                "users",
                "create",
                "--username",
                "bj1",
                "--password",
                "pw-123456",
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
                "pw-123456",
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
    assert cli.main(["users", "create", "--username", "x1", "--password", "pw-123456", "--role", "staff"]) == 2
    assert "grid company" in capsys.readouterr().err


def test_a_taken_username_is_refused(sqlite_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["migrate", "--service", "intake"]) == 0
    args = ["users", "create", "--username", "dup", "--password", "pw-123456", "--role", "admin"]
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
    args = ["users", "create", "--username", "r1", "--password", "pw-123456", "--role", "regulator"]
    assert cli.main([*args, "--regions", regions]) == 2
    assert "region prefixes must be" in capsys.readouterr().err


@pytest.mark.parametrize("regions", ["4403", "510104,1501", "*"])
def test_a_regulator_scope_of_real_prefixes_is_accepted(sqlite_env: Path, regions: str) -> None:
    assert cli.main(["migrate", "--service", "intake"]) == 0
    args = ["users", "create", "--username", "r1", "--password", "pw-123456", "--role", "regulator"]
    assert cli.main([*args, "--regions", regions]) == 0
