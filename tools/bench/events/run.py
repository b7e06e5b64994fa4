"""Latency of events from a submission to its job existing in workflow, under a steady load, on real processes.

    python -m tools.bench.events.run --rate 20 --seconds 30

Creates its own PostgreSQL databases, starts intake, workflow and metrics with
`python -m services.cli run --service NAME` (relays on, each delivering to the others), registers
applicants with every document on file, then submits applications at a fixed rate (open loop: a request
is sent on schedule whether or not the earlier ones were answered) while polling workflow's database for
the jobs. Two latencies per application:

- server: from the application's `submitted_at` (intake's clock, inside the request) to the `at` of the
  job's `created` audit entry (workflow's clock, in the transaction that creates the job);
- client: from the moment the client sent the request to the moment a poll of workflow's database first
  saw the job committed (polled every `--poll-ms`, so this one is up to that much late).

Everything is stopped and dropped at the end, also on failure; RESULTS.md is written beside this file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tools.bench.events.report import write_results
from tools.bench.load import seed
from tools.bench.load.stack import (
    DEFAULT_POSTGRES,
    RELAY_PROCESS_INTERVAL,
    Stack,
    analyzing,
    autovacuum_on,
    postgres_version,
    running_stack,
)

RESULTS = Path(__file__).with_name("RESULTS.md")


@dataclass
class Sample:
    """One submission and when its job appeared."""

    sent: float  # time.time() when the request was sent
    answered: float = 0.0
    status: int = 0
    application_id: str = ""
    submitted_at: datetime | None = None
    seen: float | None = None  # time.time() when a poll first saw the job
    received_at: datetime | None = None  # workflow's inbox row for the submission's event
    created_at: datetime | None = None  # the job's `created` audit entry


@dataclass
class Outcome:
    """Everything a run measured."""

    samples: list[Sample] = field(default_factory=list)
    send_seconds: float = 0.0
    late_sends: int = 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The runner's options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=20, help="submissions per second")
    parser.add_argument("--seconds", type=float, default=30, help="how long to submit")
    parser.add_argument("--applicants", type=int, default=20)
    parser.add_argument("--poll-ms", type=float, default=10, help="how often workflow's database is polled")
    parser.add_argument("--settle", type=float, default=60, help="longest wait for the last jobs after sending")
    parser.add_argument("--relay-interval", type=float, help="*_RELAY_INTERVAL_SECONDS for every service")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a SQLAlchemy URL of the PostgreSQL server")
    parser.add_argument(
        "--relays",
        choices=["separate", "inside"],
        default="separate",
        help="relays as processes of their own, as docker-compose.yml deploys them, or inside the services",
    )
    parser.add_argument(
        "--analyze-every",
        type=float,
        default=30,
        help="when the server's autovacuum is off, ANALYZE the service databases this often (0: never)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--logs", type=Path, help="keep the servers' logs in this directory")
    return parser.parse_args(argv)


async def _submit(client: httpx.AsyncClient, token: str, sample: Sample) -> None:
    try:
        response = await client.post(
            "/api/v1/applications", json=seed.CASE, headers={"Authorization": f"Bearer {token}"}
        )
    except httpx.HTTPError:
        sample.answered, sample.status = time.time(), -1
        return
    sample.answered, sample.status = time.time(), response.status_code
    if response.status_code == 201:
        body = response.json()
        sample.application_id = body["id"]
        sample.submitted_at = datetime.fromisoformat(body["submitted_at"])


async def _poll(stack: Stack, samples: list[Sample], done: asyncio.Event, *, every: float, settle: float) -> None:
    """Note when each application's job is first visible in workflow's database."""
    connection = await asyncpg.connect(stack.database_dsn("workflow"))
    try:
        deadline: float | None = None
        while True:
            waiting = {s.application_id: s for s in samples if s.application_id and s.seen is None}
            if waiting:
                rows = await connection.fetch(
                    "SELECT application_id FROM job WHERE application_id = ANY($1::varchar[])", list(waiting)
                )
                now = time.time()
                for row in rows:
                    waiting[row["application_id"]].seen = now
            if done.is_set():
                deadline = deadline or time.monotonic() + settle
                answered = all(s.answered for s in samples)
                if answered and all(s.seen is not None for s in samples if s.application_id):
                    return
                if time.monotonic() > deadline:
                    return
            await asyncio.sleep(every)
    finally:
        await connection.close()


async def _timestamps(stack: Stack, samples: list[Sample]) -> None:
    """When workflow received each submission's event and when it made the job, from both databases."""
    intake = await asyncpg.connect(stack.database_dsn("intake"))
    workflow = await asyncpg.connect(stack.database_dsn("workflow"))
    try:
        events = await intake.fetch(
            "SELECT case_key, event_id FROM outbox_message "
            "WHERE subscriber = 'workflow' AND event_type = 'application.submitted'"
        )
        received = await workflow.fetch("SELECT event_id, received_at FROM inbox_event")
        created = await workflow.fetch(
            "SELECT j.application_id, a.at FROM job j JOIN audit_entry a ON a.job_id = j.id AND a.seq = 1 "
            "WHERE a.action = 'created'"
        )
    finally:
        await intake.close()
        await workflow.close()
    event_of = {row["case_key"]: row["event_id"] for row in events}
    received_at = {row["event_id"]: row["received_at"] for row in received}
    created_at = {row["application_id"]: row["at"] for row in created}
    for sample in samples:
        sample.received_at = received_at.get(event_of.get(sample.application_id, ""))
        sample.created_at = created_at.get(sample.application_id)


async def measure(stack: Stack, tokens: list[str], args: argparse.Namespace) -> Outcome:
    """Submit at a fixed rate for a fixed time; poll for the jobs meanwhile and until they are all there."""
    outcome = Outcome()
    total = int(args.rate * args.seconds)
    done = asyncio.Event()
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=stack.url("intake"), timeout=30, limits=limits) as client:
        poller = asyncio.create_task(_poll(stack, outcome.samples, done, every=args.poll_ms / 1000, settle=args.settle))
        requests = []
        started = time.monotonic()
        for i in range(total):
            due = started + i / args.rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.01:
                outcome.late_sends += 1
            sample = Sample(sent=time.time())
            outcome.samples.append(sample)
            requests.append(asyncio.create_task(_submit(client, tokens[i % len(tokens)], sample)))
        outcome.send_seconds = time.monotonic() - started
        await asyncio.gather(*requests)
        done.set()
        await poller
    await _timestamps(stack, outcome.samples)
    return outcome


def main(argv: list[str] | None = None) -> int:
    """Set up, submit at the rate, wait for the jobs, tear down, write the results."""
    args = parse_args(argv)
    postgres = asyncio.run(postgres_version(args.postgres))
    overrides: dict[str, Any] = {}
    if args.relay_interval is None and args.relays == "separate":
        args.relay_interval = float(RELAY_PROCESS_INTERVAL)
    if args.relay_interval is not None:
        for service in ("INTAKE", "WORKFLOW", "METRICS"):
            overrides[f"{service}_RELAY_INTERVAL_SECONDS"] = str(args.relay_interval)
    args.analyzed = args.analyze_every > 0 and not asyncio.run(autovacuum_on(args.postgres))
    with running_stack(
        kind="events", server_url=args.postgres, keep_logs=args.logs, overrides=overrides,
        separate_relays=args.relays == "separate",
    ) as stack:  # fmt: skip
        print(f"run {stack.run_id}: servers up at {', '.join(f'{k} :{stack.ports[k]}' for k in stack.ports)}")
        accounts = seed.make_accounts(stack, applicants=args.applicants, staff=0)
        with analyzing(stack, args.analyze_every) if args.analyzed else contextlib.nullcontext():
            outcome = asyncio.run(measure(stack, accounts.applicants, args))
    text = write_results(args.output, args=args, postgres=postgres, outcome=outcome)
    print(text)
    complete = all(s.status == 201 and s.seen is not None for s in outcome.samples)
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
