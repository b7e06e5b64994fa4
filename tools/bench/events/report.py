"""RESULTS.md of an events run: the machine, the load, and the latency from submission to job."""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from tools.bench.load.measure import percentile
from tools.bench.load.report import machine_lines, source_state, versions

if TYPE_CHECKING:
    from tools.bench.events.run import Outcome


def _row(name: str, values: list[float]) -> str:
    if not values:
        return f"| {name} | 0 | | | | | |"
    return (
        f"| {name} | {len(values)} | {percentile(values, 0.5):.1f} | {percentile(values, 0.9):.1f} "
        f"| {percentile(values, 0.99):.1f} | {max(values):.1f} | {sum(values) / len(values):.1f} |"
    )


def write_results(path: Path, *, args: argparse.Namespace, postgres: str, outcome: Outcome) -> str:
    """Write the results file and return its text."""
    samples = outcome.samples
    ok = [s for s in samples if s.status == 201]
    server = [
        (s.created_at - s.submitted_at).total_seconds() * 1000
        for s in ok
        if s.created_at is not None and s.submitted_at is not None
    ]
    client = [(s.seen - s.sent) * 1000 for s in ok if s.seen is not None]
    to_inbox = [
        (s.received_at - s.submitted_at).total_seconds() * 1000
        for s in ok
        if s.received_at is not None and s.submitted_at is not None
    ]
    handling = [
        (s.created_at - s.received_at).total_seconds() * 1000
        for s in ok
        if s.created_at is not None and s.received_at is not None
    ]
    answer = [(s.answered - s.sent) * 1000 for s in ok]
    missing = sum(1 for s in ok if s.seen is None)
    interval = f"{args.relay_interval:g} s" if args.relay_interval is not None else "the default (0.2 s)"
    command = "python -m tools.bench.events.run " + shlex.join(sys.argv[1:])
    lines = [
        "# Events: from submission to the job in workflow",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}` on {source_state()}.",
        "",
        *machine_lines(postgres),
        "",
        "## How it was measured",
        "- Real processes: intake, workflow and metrics started with `python -m services.cli run --service NAME` "
        "(uvicorn[standard], one worker each) on their own PostgreSQL databases; intake's relay delivers "
        "`application.*` to workflow and metrics, workflow's delivers `job.*` to intake and metrics. "
        + (
            "As `docker-compose.yml` deploys them, each relay is a process of its own (`python -m services.cli "
            "relay --service NAME`), which nothing wakes: it polls"
            if args.relays == "separate"
            else "Each relay runs inside its service's process, woken when the service's own transaction commits; "
            "it also polls"
        )
        + f" every {interval}.",
        f"- Load: {len(samples)} submissions at {args.rate:g}/s for {args.seconds:g} s, open loop (each request is "
        "sent on schedule, whatever the earlier ones are doing), from the runner process itself "
        f"({versions('httpx')}, asyncio) over keep-alive connections to 127.0.0.1, {args.applicants} applicants "
        "with every document on file (a small/micro enterprise in Beijing, documents reused). "
        f"Sending took {outcome.send_seconds:.1f} s; {outcome.late_sends} requests went out more than 10 ms "
        "behind schedule.",
        "- Server latency: the application's `submitted_at` (intake's clock, in the request) to the `at` of the "
        "job's `created` audit entry (workflow's clock, in the transaction that makes the job, just before it "
        "commits). Same machine, same clock.",
        (
            f"- The server runs with autovacuum off, so the runner ran `ANALYZE` on the service databases every "
            f"{args.analyze_every:g} s, as autovacuum would."
            if args.analyzed
            else "- The planner's statistics were left to the server."
        ),
        f"- Client latency: the client's send time to the first poll of workflow's database (every "
        f"{args.poll_ms:g} ms, asyncpg) that saw the job committed; it includes the submission's own response "
        f"time and is up to {args.poll_ms:g} ms late.",
        "",
        "## Results (milliseconds)",
        "",
        "| latency | n | p50 | p90 | p99 | max | mean |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        _row("submitted_at → job created (server clocks)", server),
        _row("client send → job visible (poll)", client),
        _row("submission response time (for reference)", answer),
        _row("of which: submitted_at → workflow received the event (inbox)", to_inbox),
        _row("of which: received → job created (workflow's handler)", handling),
        "",
        f"- {len(ok)} of {len(samples)} submissions answered 201; {len(samples) - len(ok)} failed; "
        f"{missing} accepted applications had no job when the runner stopped waiting ({args.settle:g} s after "
        "the last answer).",
        "",
    ]
    text = "\n".join(lines)
    path.write_text(text)
    return text
