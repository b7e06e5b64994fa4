"""The zerovisit command line: run, relay, migrate, users, and the commands each service adds.

Every command imports what it needs when it runs: `zerovisit --help` loads no web framework, ORM or settings.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from services.common.clock import Clock
    from services.common.events import EventTables
    from services.common.settings import ServiceSettings
    from services.intake.identity.models import Account

SERVICES = ("intake", "workflow", "metrics")


def service_settings(name: str) -> ServiceSettings:
    """The settings of a service, read from its environment variables."""
    module = import_module(f"services.{name}.settings")
    settings: ServiceSettings = getattr(module, f"{name.capitalize()}Settings")()
    return settings


async def _migrate(names: Sequence[str], revision: str) -> None:
    from services.common import migrations
    from services.common.db import make_engine

    for name in names:
        settings = service_settings(name)
        engine = make_engine(settings.resolved_database_url())
        try:
            await migrations.upgrade(engine, name, revision)
        finally:
            await engine.dispose()
        print(f"{name}: migrated to {revision}")


def cmd_migrate(args: argparse.Namespace) -> int:
    """Apply every service's migrations (or one's)."""
    asyncio.run(_migrate([args.service] if args.service else SERVICES, args.revision))
    return 0


def proxy_options(settings: ServiceSettings) -> tuple[bool, str | None]:
    """Whether uvicorn believes X-Forwarded-For, and from which proxies: those the settings trust, none by default.

    Left to itself uvicorn believes the header from 127.0.0.1, so anything on the machine could claim any
    client address, and with it dodge the per-client sign-in and registration limits.
    """
    trusted = settings.trusted_proxies.strip()
    return (True, trusted) if trusted else (False, None)


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # a supervisor's SIGTERM stops the children like Ctrl-C does


def serve(name: str, *, workers: int = 1, clock: Clock | None = None) -> None:
    """Run one service in this process until it is stopped.

    `clock` is for a launcher outside the product that runs the service on a time of its own (the
    demonstration's simulated days); a service run by `zerovisit run` reads the system clock.
    """
    import uvicorn

    from services.common.observability import configure_logging

    settings = service_settings(name)
    if settings.log_json:
        configure_logging(json_logs=True)
    app: str | Callable[[], object] = f"services.{name}.app:create_app"
    if clock is not None:
        if workers > 1:
            raise ValueError("a clock handed in reaches one process only; run a single worker")
        app = functools.partial(import_module(f"services.{name}.app").create_app, clock=clock)
    proxy_headers, forwarded_allow_ips = proxy_options(settings)
    uvicorn.run(
        app,
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level="info",
        # With JSON logs on, uvicorn keeps the handlers set above instead of installing its own.
        log_config=None if settings.log_json else uvicorn.config.LOGGING_CONFIG,
        access_log=False,
        proxy_headers=proxy_headers,
        forwarded_allow_ips=forwarded_allow_ips,
        # Each worker is a whole app with its own relay; relays share the outbox through row locks.
        workers=workers if workers > 1 else None,
    )


def cmd_run(args: argparse.Namespace) -> int:
    """Run one service in this process, or all three as child processes."""
    if args.service:
        serve(args.service, workers=args.workers)
        return 0
    asyncio.run(_migrate(SERVICES, "head"))
    # Each child in its own session: Ctrl-C reaches only this parent, which then stops every child once.
    children = [
        subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "services.cli", "run", "--service", name], start_new_session=True
        )
        for name in SERVICES
    ]
    for name in SERVICES:
        settings = service_settings(name)
        print(f"{name:9} http://{settings.host}:{settings.port}  (docs: http://{settings.host}:{settings.port}/docs)")
    print("Make staff accounts with: zerovisit users create --username U --password P --role staff --grid-company G")
    print("Ctrl-C stops all three.")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
    failed = [c.returncode for c in children if c.returncode not in (0, -signal.SIGTERM)]
    return 1 if failed else 0


# The services whose events a relay delivers (metrics publishes none).
PUBLISHERS = ("intake", "workflow")


def _event_tables(name: str) -> EventTables:
    tables: EventTables = import_module(f"services.{name}.db").event_tables
    return tables


async def _relay(name: str, settings: ServiceSettings) -> None:
    import httpx

    from services.common.app import build_relay
    from services.common.clock import SystemClock
    from services.common.db import Database
    from services.common.observability import configure_logging

    configure_logging(json_logs=settings.log_json)
    tables = _event_tables(name)
    database = Database.connect(settings.resolved_database_url())
    http = httpx.AsyncClient(timeout=httpx.Timeout(5.0))
    relay = build_relay(settings, database, tables, http, SystemClock())
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, relay.stop)  # finish the round under way, then leave
    print(f"{name}: relay delivering to {', '.join(s.name for s in settings.subscribers) or 'nobody'}", flush=True)
    try:
        # No commit of the service wakes a relay in another process, so it polls: a query that finds nothing
        # pending costs next to nothing. (PostgreSQL's NOTIFY would wake it at once, but every notifying
        # commit holds a database-wide lock until its WAL is flushed: submissions would commit one at a time.)
        await relay.run_forever(settings.relay_interval_seconds)
    finally:
        await http.aclose()
        await database.dispose()


def cmd_relay(args: argparse.Namespace) -> int:
    """Deliver a service's outbox from a process of its own (run the service with *_RELAY_ENABLED=false)."""
    settings = service_settings(args.service)
    try:
        settings.refuse_development_secrets(listening=False)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    asyncio.run(_relay(args.service, settings))
    return 0


def cmd_users_create(args: argparse.Namespace) -> int:
    """Make an account of any role."""
    from services.common.errors import ProblemError
    from services.intake.identity.service import NewAccount, create_accounts
    from services.intake.settings import IntakeSettings

    new = NewAccount(
        username=args.username,
        password=args.password,
        role=args.role,
        name=args.name or "",
        grid_company=args.grid_company,
        regions=[r.strip() for r in (args.regions or "").split(",") if r.strip()],
    )
    settings = IntakeSettings()
    try:
        (account,) = asyncio.run(
            create_accounts(
                settings.resolved_database_url(), [new], now=datetime.now(UTC), subscribers=settings.subscribers
            )
        )
    except (ValueError, ProblemError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"created {account.role} {account.username} ({account.id})")
    return 0


def cmd_users_set_active(args: argparse.Namespace) -> int:
    """Deactivate or reactivate an account; a staff member's change reaches workflow's directory."""
    from services.common.errors import ProblemError
    from services.intake.identity import directory
    from services.intake.settings import IntakeSettings

    settings = IntakeSettings()
    active = args.users_command == "reactivate"

    async def change(session: AsyncSession) -> tuple[Account, bool]:
        return await directory.set_active(
            session, username=args.username, active=active, subscribers=settings.subscribers, now=datetime.now(UTC)
        )

    try:
        account, changed = asyncio.run(directory.in_database(settings.resolved_database_url(), change))
    except ProblemError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    state = "active" if active else "deactivated"
    print(f"{account.username} {'is now' if changed else 'was already'} {state}")
    return 0


def cmd_users_publish_directory(_args: argparse.Namespace) -> int:
    """Announce every staff and manager account to workflow's directory (accounts made before it existed)."""
    from services.intake.identity import directory
    from services.intake.settings import IntakeSettings

    settings = IntakeSettings()

    async def announce(session: AsyncSession) -> int:
        return await directory.publish_directory(session, subscribers=settings.subscribers, now=datetime.now(UTC))

    count = asyncio.run(directory.in_database(settings.resolved_database_url(), announce))
    print(f"announced {count} staff and manager accounts; intake's relay delivers them to workflow")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = argparse.ArgumentParser(prog="zerovisit", description="Zero-visit electricity connection platform")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="start the services (all three by default)")
    run.add_argument("--service", choices=SERVICES)
    run.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (with --service)")
    run.set_defaults(handler=cmd_run)

    relay = commands.add_parser("relay", help="deliver one service's events from a process of its own")
    relay.add_argument("--service", choices=PUBLISHERS, required=True)
    relay.set_defaults(handler=cmd_relay)

    migrate = commands.add_parser("migrate", help="apply database migrations")
    migrate.add_argument("--service", choices=SERVICES)
    migrate.add_argument("--revision", default="head")
    migrate.set_defaults(handler=cmd_migrate)

    users = commands.add_parser("users", help="manage accounts").add_subparsers(dest="users_command", required=True)
    create = users.add_parser("create", help="make an account")
    create.add_argument("--username", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--role", required=True, choices=["applicant", "staff", "manager", "regulator", "admin"])
    create.add_argument("--name")
    create.add_argument("--grid-company")
    create.add_argument("--regions", help="region-code prefixes, comma-separated, or *")
    create.set_defaults(handler=cmd_users_create)
    for verb, purpose in (
        ("deactivate", "stop an account signing in; a staff member's open jobs go back to the unassigned queue"),
        ("reactivate", "let a deactivated account sign in again"),
    ):
        change = users.add_parser(verb, help=purpose)
        change.add_argument("username")
        change.set_defaults(handler=cmd_users_set_active)
    publish = users.add_parser("publish-directory", help="announce every staff and manager account to workflow")
    publish.set_defaults(handler=cmd_users_publish_directory)

    from services.common.outbox_commands import add_commands as add_outbox_commands
    from services.intake.cli import add_commands as add_intake_commands
    from services.metrics.cli import add_commands as add_metrics_commands
    from services.workflow.cli import add_commands as add_workflow_commands

    add_outbox_commands(commands, publishers=PUBLISHERS, settings_of=service_settings, tables_of=_event_tables)
    add_intake_commands(commands)
    add_workflow_commands(commands)
    add_metrics_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the zerovisit command."""
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
