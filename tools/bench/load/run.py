"""Load test of submission and step completion beside a bare one-insert endpoint, on real processes.

    python -m tools.bench.load.run --clients 64 --seconds 30

Creates its own PostgreSQL databases, migrates them, starts intake, workflow and metrics with
`python -m services.cli run --service NAME` (relays on, each delivering to the others) and the bare app,
makes staff with `zerovisit users create` and applicants with every document on file, then measures, one
after another with the same generator and the same number of clients:

1. the bare endpoint (one validated insert per request);
2. submission (POST /api/v1/applications, documents reused from file, no Idempotency-Key);
3. step completion (POST /api/v1/jobs/{id}/steps/{code}/complete with If-Match) on the jobs workflow
   made from the submissions.

After each service phase it waits for the relays to deliver the phase's events, and reports the backlog.
Everything is stopped and dropped at the end, also on failure; RESULTS.md is written beside this file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.bench.load import seed
from tools.bench.load.drain import Backlog, drain
from tools.bench.load.measure import PhaseResult, run_phase
from tools.bench.load.report import write_results
from tools.bench.load.stack import (
    DEFAULT_POSTGRES,
    Stack,
    analyzing,
    autovacuum_on,
    postgres_started,
    postgres_version,
    running_stack,
)

RESULTS = Path(__file__).with_name("RESULTS.md")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The runner's options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64, help="concurrent clients (locust users)")
    parser.add_argument("--seconds", type=float, default=30, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=3, help="seconds after all clients started, not measured")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers per server, bare app included")
    parser.add_argument("--applicants", type=int, default=64, help="applicant accounts the clients share")
    parser.add_argument("--staff", type=int, default=4, help="staff accounts the clients share")
    parser.add_argument("--generator-cpus", help="taskset CPU list for locust, e.g. 0 (default: not pinned)")
    parser.add_argument("--server-cpus", help="taskset CPU list for the servers, e.g. 1 (default: not pinned)")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a SQLAlchemy URL of the PostgreSQL server")
    parser.add_argument("--only", choices=["bare", "submission", "steps"], action="append", help="phases to run")
    parser.add_argument(
        "--analyze-every",
        type=float,
        default=30,
        help="when the server's autovacuum is off, ANALYZE the service databases this often (0: never)",
    )
    parser.add_argument(
        "--relays",
        choices=["after", "separate", "inside"],
        default="after",
        help="relay processes (as docker-compose.yml deploys them) started after each measured phase to "
        "deliver its events, or running throughout; or relays inside the services",
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--logs", type=Path, help="keep the servers' and locust's logs in this directory")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Set up, measure every phase, tear down, write the results."""
    args = parse_args(argv)
    phases = args.only or ["bare", "submission", "steps"]
    results: list[PhaseResult] = []
    backlogs: dict[str, Backlog] = {}
    postgres = asyncio.run(postgres_version(args.postgres))
    args.analyzed = args.analyze_every > 0 and not asyncio.run(autovacuum_on(args.postgres))
    with running_stack(
        kind="load", server_url=args.postgres, workers=args.workers, cpus=args.server_cpus, bare=True,
        keep_logs=args.logs, separate_relays=args.relays != "inside", relays_running=args.relays != "after",
    ) as stack, contextlib.ExitStack() as stack_context:  # fmt: skip
        print(f"run {stack.run_id}: servers up at {', '.join(f'{k} :{stack.ports[k]}' for k in stack.ports)}")
        accounts = seed.make_accounts(stack, applicants=args.applicants, staff=args.staff)
        print(f"{len(accounts.applicants)} applicants with documents on file, {len(accounts.staff)} staff")
        statistics = analyzing(stack, args.analyze_every) if args.analyzed else contextlib.nullcontext()
        stack_context.enter_context(statistics)
        common = {
            "clients": args.clients,
            "seconds": args.seconds,
            "warmup": args.warmup,
            "generator_cpus": args.generator_cpus,
        }
        if "bare" in phases:
            bare = functools.partial(
                run_phase, stack, name="bare insert", user_class="BareUser", host=stack.url("bare"), plan={}, **common
            )
            results.append(measured(stack, args.postgres, bare))
            print(_line(results[-1]))
        if "submission" in phases or "steps" in phases:
            plan: dict[str, Any] = {"submission": {"tokens": accounts.applicants, "body": seed.CASE}}
            submit = functools.partial(
                run_phase, stack, name="submission", user_class="SubmitUser", host=stack.url("intake"), plan=plan,
                **common,
            )  # fmt: skip
            result = measured(stack, args.postgres, submit)
            backlogs["submission"] = delivered(stack, args.relays)
            if "submission" in phases:
                results.append(result)
                print(_line(result), _backlog(backlogs["submission"]))
        if "steps" in phases:
            jobs = asyncio.run(seed.open_jobs(stack))
            uploads = {"evidence": {"tokens": accounts.staff, "jobs": jobs}}
            evidence = functools.partial(
                run_phase, stack, name="evidence upload", user_class="EvidenceUser", host=stack.url("workflow"),
                plan=uploads, **common,
            )  # fmt: skip
            result = measured(stack, args.postgres, evidence)
            result.notes.append("the photos the open jobs' remaining steps need (connecting: a meter photo)")
            results.append(result)
            print(_line(result))
            # What the measured window left over, so that every completion below has its evidence.
            rest = asyncio.run(seed.upload_missing_evidence(stack, accounts.staff))
            jobs = asyncio.run(seed.open_jobs(stack))
            plan = {"steps": {"tokens": accounts.staff, "jobs": jobs}}

            def steps() -> PhaseResult:
                # A repetition starts from the jobs as the interrupted attempt left them.
                plan["steps"]["jobs"] = asyncio.run(seed.open_jobs(stack))
                return run_phase(
                    stack, name="step completion", user_class="StepUser", host=stack.url("workflow"), plan=plan,
                    **common,
                )  # fmt: skip

            result = measured(stack, args.postgres, steps)
            result.notes.append(f"{len(jobs)} open jobs with {sum(len(j[2]) for j in jobs)} steps to complete")
            result.notes.append(
                "each step's evidence was on the job before the phase (uploaded in the evidence phase, and "
                f"{rest} files the runner uploaded after it, not measured): completions alone"
            )
            backlogs["steps"] = delivered(stack, args.relays)
            results.append(result)
            print(_line(result), _backlog(backlogs["steps"]))
    text = write_results(args.output, args=args, postgres=postgres, results=results, backlogs=backlogs)
    print(text)
    return 0 if all(r.errors == 0 and r.exhausted_users == 0 for r in results) else 1


def delivered(stack: Stack, relays: str) -> Backlog:
    """Wait for a phase's events to be delivered, with the relays started for it when they wait for the phase."""
    if relays == "after":
        stack.start_relays()
    try:
        return drain(stack)
    finally:
        if relays == "after":
            stack.stop_relays()


def measured(stack: Stack, server_url: str, phase: Callable[[], PhaseResult], *, attempts: int = 3) -> PhaseResult:
    """Run a phase; run it again (up to `attempts` times) when PostgreSQL restarted meanwhile.

    Something else on the machine may restart the shared PostgreSQL server; a phase it interrupted measures
    that, not the endpoint, so it is repeated and the repetition is noted.
    """
    for attempt in range(1, attempts + 1):
        before = asyncio.run(postgres_started(server_url))
        result = phase()
        after = asyncio.run(postgres_started(server_url))
        if before == after:
            if attempt > 1:
                result.notes.append(f"measured at attempt {attempt}: PostgreSQL was restarted during the earlier one")
            return result
        print(f"{result.name}: PostgreSQL restarted during the phase ({after}); measuring it again")
        drain(stack)
    raise RuntimeError(f"PostgreSQL restarted during each of {attempts} attempts")


def _line(result: PhaseResult) -> str:
    return (
        f"{result.name}: {result.throughput:.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms, "
        f"{result.errors} errors; CPU: generator {result.generator_cpu:.2f}, servers {result.servers_cpu:.2f}, "
        f"machine {result.machine_cpu:.2f}"
    )


def _backlog(backlog: Backlog) -> str:
    return (
        f"(backlog at the end: {backlog.pending_intake} intake + {backlog.pending_workflow} workflow outbox rows, "
        f"{backlog.applications - backlog.jobs} jobs to make; drained in {backlog.seconds_to_drain:.1f} s)"
    )


if __name__ == "__main__":
    sys.exit(main())
