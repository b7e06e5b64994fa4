"""A whole demonstration: services up (or attached to), accounts made, the days played, the report printed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
from rich.console import Console

from tools.demo import simulation
from tools.demo.accounts import AccountError, create_accounts, plan_accounts
from tools.demo.applicants import Applicants
from tools.demo.guide import Guide
from tools.demo.http import Api, UnexpectedAnswer, Urls
from tools.demo.people import arrival_days, population
from tools.demo.platform import (
    LocalServices,
    PlatformError,
    demo_environment,
    interrupt_on_termination,
    prepare_var_dir,
)
from tools.demo.records import Book
from tools.demo.report import print_report, print_summary, read_report, read_violations, summarise
from tools.demo.staff import GridCompanies
from tools.demo.timeline import RealTime, SimulatedTime, Timeline, WorkingDays
from tools.demo.waiting import Deliveries, DeliveryTimeout
from tools.stack import SERVICES, free_ports, migrate

# Columns of the report when the output is not a terminal.
WIDE = 150


@dataclass(frozen=True)
class Options:
    """What the demonstration was asked to do."""

    applicants: int
    days: int
    start: date
    seed: int
    var_dir: Path
    database_urls: dict[str, str | None]
    ports: dict[str, int]  # 0: any free port
    attach: bool
    urls: Urls
    period: str | None
    summary_json: Path | None
    keep_running: bool


def half_year(day: date) -> str:
    """The half-year a day falls in, as metrics name periods."""
    return f"{day.year}H{1 if day.month <= 6 else 2}"


def run(options: Options) -> int:
    """Run a demonstration; 0 when the three services agree on what was connected."""
    err = _console(stderr=True)
    try:
        return _run(options, err)
    except KeyboardInterrupt:
        err.print("[yellow]Interrupted[/]; the demonstration's services are stopped.")
        return 130
    except (PlatformError, AccountError) as exc:
        err.print(f"[red]error[/]: {exc}")
        return 2
    except (DeliveryTimeout, UnexpectedAnswer, httpx.HTTPError, RuntimeError) as exc:
        err.print(f"[red]error[/]: {exc}")
        if not options.attach:
            err.print(f"The services' logs are in {options.var_dir / 'logs'}.")
        return 1


@dataclass
class Stage:
    """Where the demonstration plays: its services' addresses, its time, its days, its account names."""

    urls: Urls
    timeline: Timeline
    days: list[date]
    prefix: str
    environment: dict[str, str] | None  # the services' settings; None when attached to running ones
    services: LocalServices | None


def _own_stage(options: Options, stack: contextlib.ExitStack, err: Console) -> Stage:
    """Fresh databases, a clock file at the first day, and the three services starting (not yet ready)."""
    prepare_var_dir(options.var_dir)
    ports = free_ports(SERVICES) | {name: port for name, port in options.ports.items() if port}
    clock_file = options.var_dir / "clock"
    timeline = SimulatedTime(clock_file, options.start)
    env = demo_environment(options.var_dir, ports, options.database_urls)
    err.print(f"Migrating the databases of {options.var_dir} …")
    try:
        asyncio.run(migrate(env))
    except Exception as exc:
        raise PlatformError(f"the databases could not be migrated: {exc}") from exc
    err.print("Starting intake, workflow and metrics …")
    services = stack.enter_context(LocalServices(env, ports, options.var_dir / "logs", clock_file=clock_file))
    services.start_all()
    days = [options.start + timedelta(days=n) for n in range(options.days)]
    return Stage(services.urls, timeline, days, "demo-", env, services)


def _attached_stage(options: Options) -> Stage:
    """Services that already run: real time, today only, account names that earlier runs did not take."""
    timeline = RealTime()
    prefix = f"demo-{time.strftime('%m%d%H%M%S')}-"
    return Stage(options.urls, timeline, [timeline.today()], prefix, None, None)


def _console(stderr: bool = False) -> Console:
    """A console as wide as the terminal, or wide enough for the report when writing to a file or pipe."""
    stream = sys.stderr if stderr else sys.stdout
    return Console(stderr=stderr, width=None if stream.isatty() else WIDE)


def _run(options: Options, err: Console) -> int:
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        stack.enter_context(interrupt_on_termination())
        stage = _attached_stage(options) if options.attach else _own_stage(options, stack, err)
        teams, regulator = plan_accounts(stage.prefix)
        create_accounts(teams, regulator, stage.environment)  # while the services start
        if stage.services is not None:
            stage.services.wait_all_ready()
        urls = stage.urls
        err.print(f"intake {urls.intake} · workflow {urls.workflow} · metrics {urls.metrics}")

        api = Api(urls, pace=stage.timeline.tick)
        stack.callback(api.close)
        calendar, guide, book = WorkingDays(api), Guide(api), Book()
        guide.refresh(stage.timeline.today())
        arrivals = arrival_days(options.seed, options.applicants, stage.days, calendar.is_working)
        people = population(
            options.seed, arrivals, days=len(stage.days), prefix=stage.prefix, secret=secrets.token_urlsafe(12)
        )
        applicants = Applicants(api, guide, book, seed=options.seed, real_time=not stage.timeline.controlled)
        deliveries = Deliveries(api, stage.timeline, teams)
        cast = simulation.Cast(
            applicants=applicants,
            companies=GridCompanies(api, guide, book, calendar, teams, seed=options.seed),
            deliveries=deliveries,
            guide=guide,
            calendar=calendar,
            timeline=stage.timeline,
            book=book,
            seed=options.seed,
        )
        simulation.run(cast, people, stage.days, err)

        err.print("Waiting for metrics to catch up …")
        agreement = deliveries.agreement(book.records(), regulator, applicants.logins.values())
        period = options.period or half_year(stage.days[0])
        report = deliveries.settled(lambda: read_report(api, regulator, period))
        out = _console()
        print_report(out, report)
        summary = summarise(
            report,
            tally=book.tally,
            agreement=agreement,
            violations=read_violations(api, regulator, period),
            requests=api.requests,
            seconds=time.monotonic() - started,
        )
        print_summary(out, summary)
        if options.summary_json is not None:
            options.summary_json.write_text(json.dumps(summary.as_dict(), indent=2) + "\n", encoding="utf-8")
        if options.keep_running and stage.services is not None:
            err.print(
                f"The services keep running, their clock standing at the last simulated day; sign in as "
                f"{regulator.username} / {regulator.password} (regulator) or {teams[0].manager.username} / "
                f"{teams[0].manager.password} (manager). Ctrl-C stops them."
            )
            with contextlib.suppress(KeyboardInterrupt):
                while stage.services.alive():
                    time.sleep(0.5)
        return 0 if agreement.agree else 1
