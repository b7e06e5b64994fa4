"""Staff, manager and regulator accounts, made straight in intake's database as `zerovisit users create` makes them."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime

from services.common.errors import ProblemError
from services.intake.identity.service import NewAccount
from services.intake.identity.service import create_accounts as create_in_intake
from tools.demo.http import Login
from tools.demo.people import GRID_COMPANIES
from tools.demo.staff import Team
from tools.stack import settings_of

STAFF_PER_COMPANY = 2


class AccountError(Exception):
    """An account could not be made (most often: the username is taken, so the databases are not fresh)."""


def _password() -> str:
    return secrets.token_urlsafe(18)


def plan_accounts(prefix: str) -> tuple[list[Team], Login]:
    """Names and fresh passwords: for each grid company a manager and field staff, and one regulator for all."""
    teams = []
    for company in GRID_COMPANIES:
        slug = company.lower()
        teams.append(
            Team(
                grid_company=company,
                manager=Login(f"{prefix}{slug}-manager", _password()),
                staff=[Login(f"{prefix}{slug}-staff{n}", _password()) for n in range(1, STAFF_PER_COMPANY + 1)],
            )
        )
    return teams, Login(f"{prefix}regulator", _password())


def create_accounts(teams: list[Team], regulator: Login, environment: Mapping[str, str] | None) -> None:
    """Make every account in the intake database the environment names (None: this process's settings)."""
    wanted: list[NewAccount] = []
    for team in teams:
        wanted.append(_account(team.manager, "manager", grid_company=team.grid_company))
        wanted += [_account(staff, "staff", grid_company=team.grid_company) for staff in team.staff]
    wanted.append(_account(regulator, "regulator", regions=("*",)))
    settings = settings_of("intake", environment)
    try:
        # Staff and managers reach workflow's directory through intake's outbox, once its relay runs.
        asyncio.run(
            create_in_intake(
                settings.resolved_database_url(), wanted, now=datetime.now(UTC), subscribers=settings.subscribers
            )
        )
    except (ValueError, ProblemError) as exc:
        raise AccountError(f"the demonstration's accounts could not be made: {exc}") from exc


def _account(login: Login, role: str, *, grid_company: str | None = None, regions: tuple[str, ...] = ()) -> NewAccount:
    return NewAccount(
        username=login.username, password=login.password, role=role, grid_company=grid_company, regions=regions
    )
