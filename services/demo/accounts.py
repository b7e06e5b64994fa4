"""Staff, manager and regulator accounts, made by `zerovisit users create` itself, and the environment it reads."""

from __future__ import annotations

import contextlib
import io
import os
import secrets
from collections.abc import Iterator, Mapping

from services.demo.http import Login
from services.demo.people import GRID_COMPANIES
from services.demo.staff import Team

SERVICE_PREFIXES = ("INTAKE_", "WORKFLOW_", "METRICS_")
STAFF_PER_COMPANY = 2


class AccountError(Exception):
    """An account could not be made (most often: the username is taken, so the databases are not fresh)."""


@contextlib.contextmanager
def service_environment(overrides: Mapping[str, str] | None) -> Iterator[None]:
    """Run with the services' settings replaced by `overrides` (and no others); unchanged when None."""
    if overrides is None:
        yield
        return
    saved = {k: v for k, v in os.environ.items() if k.startswith(SERVICE_PREFIXES)}
    for key in saved:
        del os.environ[key]
    os.environ.update(overrides)
    try:
        yield
    finally:
        for key in [k for k in os.environ if k.startswith(SERVICE_PREFIXES)]:
            del os.environ[key]
        os.environ.update(saved)


def zerovisit(*args: str) -> tuple[int, str]:
    """Run a zerovisit command in this process; its exit code and what it printed."""
    from services import cli as zerovisit_cli  # the command line imports this package to add `demo`

    output = io.StringIO()
    with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
        try:
            code = zerovisit_cli.main(list(args))
        except SystemExit as exc:  # argparse refuses bad arguments by exiting
            code = exc.code if isinstance(exc.code, int) else 2
    return code, output.getvalue().strip()


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
    """Make every account with `zerovisit users create`, against the intake database the environment names."""
    wanted: list[list[str]] = []
    for team in teams:
        wanted.append(_args(team.manager, "manager", "--grid-company", team.grid_company))
        wanted += [_args(staff, "staff", "--grid-company", team.grid_company) for staff in team.staff]
    wanted.append(_args(regulator, "regulator", "--regions", "*"))
    with service_environment(environment):
        for args in wanted:
            code, output = zerovisit("users", "create", *args)
            if code != 0:
                raise AccountError(f"zerovisit users create {args[0]}: {output}")


def _args(login: Login, role: str, *extra: str) -> list[str]:
    # One argument each: a password may begin with "-", which argparse would take for an option.
    return [f"--username={login.username}", f"--password={login.password}", f"--role={role}", *extra]
