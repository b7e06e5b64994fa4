"""CPU and SQL statements per event in the receivers: workflow making jobs, metrics keeping facts and rollups,
intake following jobs for the applicant.

Each receiver runs in this process (its app, its lifespan, its own PostgreSQL database) and is sent signed
batches of events as a relay sends them (`POST /internal/events/batch`, 50 events each); nothing else runs
meanwhile, so the CPU this process uses during a batch is the receiver's (with the in-process HTTP client's
small share). Workflow gets `application.submitted`; metrics gets `application.submitted` and then
`job.created` for the same cases; intake gets `job.created` and then `job.step_completed` of the accept step
(which also makes the supply contract ready) for applications submitted to it beforehand through its API, so
each event updates the applicant's progress and owes them a notification and its SMS (and, for the accept
step, a second one: the contract to sign). Statements are counted as the receiver's engine sends them (BEGIN
and COMMIT not included; one statement sent for many rows at once, as an executemany, counts once): a count
that does not depend on how busy the machine is.

    python -m tools.bench.receivers.run --batches 40
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import event

from services.common.events import EventPayload, sign
from services.common.events.outbox import queue
from services.common.rules.loader import load_rule_book
from services.common.settings import DEV_EVENTS_SECRET
from services.intake.events import ApplicationSubmitted, StepLimit
from services.workflow.events import JobCreated, JobStep, JobStepCompleted
from tools.bench.load import seed
from tools.bench.load.report import machine_lines, source_state
from tools.bench.load.stack import postgres_version
from tools.stack import (
    SERVICES,
    create_databases,
    drop_databases,
    environment,
    free_ports,
    migrate,
    service_environment,
    settings_of,
    sqlalchemy_url,
)

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
BATCH = 50
RULE_SET, CATEGORY, REGION, GRID = "2025-ndrc-nea", "sme_lv", "110105", "SGCC-BJ"


@dataclass
class Measured:
    """One kind of event applied by one receiver: CPU and statements per event, over the measured batches."""

    receiver: str
    event_type: str
    events: int
    cpu_ms: list[float]  # per event, one value a batch
    statements: float


class Case:
    """One case's events, as intake and workflow publish them for a small business at low voltage."""

    def __init__(self, submitted_at: datetime) -> None:
        rules = load_rule_book().by_id(RULE_SET).category(CATEGORY)
        self.application_id, self.job_id, self.submitted_at = str(uuid.uuid4()), str(uuid.uuid4()), submitted_at
        self.steps, self.total = rules.steps, rules.total_limit_working_days

    def submitted(self) -> ApplicationSubmitted:
        """application.submitted, as intake publishes it."""
        return ApplicationSubmitted(
            application_id=self.application_id,
            number="ZV20261202BENCH001",
            category=CATEGORY,
            report_category=CATEGORY,
            business_type="new_install",
            customer_type="enterprise",
            small_micro=True,
            capacity_kva="120",
            dual_supply=False,
            access_voltage="low",
            zero_investment=True,
            grid_company=GRID,
            region=REGION,
            channel="app",
            rule_set=RULE_SET,
            steps=[StepLimit(code=s.code, name=s.name, limit_working_days=s.limit_working_days) for s in self.steps],
            total_limit_working_days=self.total,
            allowed_visits=1,
            submitted_at=self.submitted_at,
            due_on=(self.submitted_at + timedelta(days=40)).date(),
            documents_required=3,
            documents_supplied=3,
            documents_reused=3,
        )

    def _steps(self, accepted_at: datetime | None = None) -> list[JobStep]:
        """The job's steps at submission, or once the first (accept) was completed at `accepted_at`."""
        first, second, *rest = self.steps
        accept = JobStep(
            code=first.code,
            name=first.name,
            limit_working_days=first.limit_working_days,
            started_at=self.submitted_at,
            due_on=(self.submitted_at + timedelta(days=5)).date(),
            completed_at=accepted_at,
            elapsed_working_days=None if accepted_at is None else 1,
        )
        connect = JobStep(
            code=second.code,
            name=second.name,
            limit_working_days=second.limit_working_days,
            started_at=accepted_at,
            due_on=None if accepted_at is None else (accepted_at + timedelta(days=30)).date(),
        )
        later = (JobStep(code=s.code, name=s.name, limit_working_days=s.limit_working_days) for s in rest)
        return [accept, connect, *later]

    def created(self) -> JobCreated:
        """job.created, as workflow publishes it."""
        return JobCreated(
            job_id=self.job_id,
            application_id=self.application_id,
            grid_company=GRID,
            region=REGION,
            at=self.submitted_at,
            current_step=self.steps[0].code,
            steps=self._steps(),
            category=CATEGORY,
            due_on=(self.submitted_at + timedelta(days=40)).date(),
            rule_set=RULE_SET,
            total_limit_working_days=self.total,
            submitted_at=self.submitted_at,
        )

    def accepted(self) -> JobStepCompleted:
        """job.step_completed of the first step (accept), as workflow publishes it a day after submission."""
        at = self.submitted_at + timedelta(days=1)
        return JobStepCompleted(
            job_id=self.job_id,
            application_id=self.application_id,
            grid_company=GRID,
            region=REGION,
            at=at,
            current_step=self.steps[1].code,
            steps=self._steps(accepted_at=at),
            step=self.steps[0].code,
            elapsed_working_days=1,
            overdue=False,
        )


async def submitted_to_intake(client: httpx.AsyncClient, cases: list[Case]) -> None:
    """Submit each case to intake through its API (one applicant, documents on file); the case takes its id."""
    required = await seed._required_documents(client)
    token = await seed._applicant(client, "bench-receivers", required)
    headers = {"Authorization": f"Bearer {token}"}
    for case in cases:
        body = await seed._post(client, "/api/v1/applications", json=seed.CASE, headers=headers)
        case.application_id = str(body["id"])


def signed_batch(
    source: str, payloads: list[EventPayload], case_keys: list[str], now: datetime
) -> tuple[bytes, dict[str, str]]:
    """A batch as a relay sends it: the envelopes, signed once with the publisher's secret."""
    # Each envelope made as the publisher makes it (its outbox's queue), here for no subscriber.
    envelopes = [
        queue(p, case_key=key, source=source, subscribers=[], now=now).envelope
        for p, key in zip(payloads, case_keys, strict=True)
    ]
    body = json.dumps({"events": [json.loads(e.model_dump_json()) for e in envelopes]}).encode()
    headers = sign(DEV_EVENTS_SECRET, str(uuid.uuid4()), body, now=now, source=source)
    return body, {**headers, "content-type": "application/json"}


@asynccontextmanager
async def running(name: str, env: dict[str, str]) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A service's app with its lifespan, in this process, and a client that reaches it without a socket."""
    with service_environment(env):
        settings = settings_of(name)
    app: FastAPI = import_module(f"services.{name}.app").create_app(settings)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}") as client:
            yield app, client


async def measure(
    app: FastAPI, client: httpx.AsyncClient, receiver: str, batches: list[tuple[bytes, dict[str, str]]], event_type: str
) -> Measured:
    """Send the batches one after another; the first warms up and is not counted."""
    engine = app.state.service.database.engine.sync_engine
    seen = [0]

    def count(*_: Any) -> None:
        seen[0] += 1

    per_event: list[float] = []
    statements = 0
    for index, (body, headers) in enumerate(batches):
        seen[0] = 0
        event.listen(engine, "before_cursor_execute", count)
        started = time.process_time()
        response = await client.post("/internal/events/batch", content=body, headers=headers)
        used = time.process_time() - started
        event.remove(engine, "before_cursor_execute", count)
        statuses = {result["status"] for result in response.json()["results"]}
        if response.status_code != 200 or statuses != {"applied"}:
            raise RuntimeError(f"{receiver} answered {response.status_code}: {response.text[:300]}")
        if index:
            per_event.append(1000 * used / BATCH)
            statements += seen[0]
    counted = BATCH * (len(batches) - 1)
    return Measured(receiver, event_type, counted, per_event, statements / counted)


def _batches(
    source: str, cases: list[Case], build: Callable[[Case], EventPayload], now: datetime
) -> list[tuple[bytes, dict[str, str]]]:
    return [
        signed_batch(
            source, [build(c) for c in cases[i : i + BATCH]], [c.application_id for c in cases[i : i + BATCH]], now
        )
        for i in range(0, len(cases), BATCH)
    ]


async def run(args: argparse.Namespace) -> list[Measured]:
    """Fresh databases, the two receivers, the batches; the databases are dropped afterwards."""
    tag = uuid.uuid4().hex[:8]
    databases = {name: f"zv_bench_recv_{tag}_{name}" for name in SERVICES}
    await create_databases(args.postgres, list(databases.values()))
    try:
        with tempfile.TemporaryDirectory(prefix="zv-bench-recv-") as var_dir:
            urls = {name: sqlalchemy_url(args.postgres, db) for name, db in databases.items()}
            secrets = dict.fromkeys(SERVICES, DEV_EVENTS_SECRET)
            env = environment(free_ports(SERVICES), var_dir=Path(var_dir), secrets=secrets, database_urls=urls)
            env |= {
                "WORKFLOW_RELAY_ENABLED": "false",
                "INTAKE_RELAY_ENABLED": "false",
                # The receiver's work is measured; sending the messages it owes is another process's job.
                "INTAKE_MESSAGES_ENABLED": "false",
                "INTAKE_REMINDERS_ENABLED": "false",
                "METRICS_CALENDAR_RELOAD_SECONDS": "60",
            }
            await migrate(env)
            now = datetime.now(UTC)
            cases = [Case(now - timedelta(hours=1)) for _ in range(BATCH * (args.batches + 1))]
            results = []
            async with running("workflow", env) as (app, client):
                batches = _batches("intake", cases, Case.submitted, now)
                results.append(await measure(app, client, "workflow", batches, "application.submitted"))
            async with running("metrics", env) as (app, client):
                batches = _batches("intake", cases, Case.submitted, now)
                results.append(await measure(app, client, "metrics", batches, "application.submitted"))
                batches = _batches("workflow", cases, Case.created, now)
                results.append(await measure(app, client, "metrics", batches, "job.created"))
            async with running("intake", env) as (app, client):
                await submitted_to_intake(client, cases)
                batches = _batches("workflow", cases, Case.created, now)
                results.append(await measure(app, client, "intake", batches, "job.created"))
                batches = _batches("workflow", cases, Case.accepted, now)
                results.append(await measure(app, client, "intake", batches, "job.step_completed"))
            return results
    finally:
        await drop_databases(args.postgres, list(databases.values()))


def report(results: list[Measured], args: argparse.Namespace, postgres: str) -> str:
    """The results as markdown, with the machine they ran on."""
    command = f"python -m tools.bench.receivers.run --batches {args.batches}"
    lines = [
        "# Receivers: CPU and SQL statements per event",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}` on {source_state()}.",
        "",
        *machine_lines(postgres),
        "",
        "## How",
        " ".join((__doc__ or "").split("\n\n")[1].split()),
        "",
        f"Batches of {BATCH} events; {args.batches} measured after one of warm-up. CPU per event: the median and the "
        "lowest over the batches (the lowest is the least disturbed by anything else on the machine).",
        "",
        "| receiver | event | events | CPU ms/event (median) | CPU ms/event (lowest) | SQL statements/event |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.receiver} | {r.event_type} | {r.events} | {statistics.median(r.cpu_ms):.2f} | {min(r.cpu_ms):.2f} "
            f"| {r.statements:.2f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Measure the receivers and write the results file."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=40, help="measured batches per receiver and event type")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a SQLAlchemy URL of the PostgreSQL server")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results = asyncio.run(run(args))
    postgres = asyncio.run(postgres_version(args.postgres))
    text = report(results, args, postgres)
    args.output.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
