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
