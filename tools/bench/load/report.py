"""RESULTS.md of a load run: the machine, how the load was made, the numbers, the target."""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tools.bench.load.drain import Backlog
from tools.bench.load.measure import PhaseResult
from tools.bench.load.stack import REPO
from tools.bench.metrics.results import machine


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603, S607


def source_state() -> str:
    """The commit measured, and whether the work tree differed from it (read-only git queries)."""
    try:
        commit = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}{' with uncommitted changes' if dirty else ''}"


def versions(*packages: str) -> str:
    """`name version` of installed packages."""
    return ", ".join(f"{p} {importlib.metadata.version(p)}" for p in packages)


def machine_lines(postgres: str) -> list[str]:
    """The machine section shared by the load and event results."""
    info = machine()
    load1, load5, _ = os.getloadavg()
    return [
        "## Machine",
        f"- nproc: {info['nproc']}; memory: {info['memory']}; CPU: {info['cpu']}",
        f"- {postgres} on 127.0.0.1 (server settings as installed); Python {info['python']}",
        f"- {versions('uvicorn', 'uvloop', 'httptools', 'fastapi', 'sqlalchemy', 'asyncpg')}",
        f"- load average when the results were written: {load1:.2f} (1 min), {load5:.2f} (5 min)",
    ]


def write_results(
    path: Path,
    *,
    args: argparse.Namespace,
    postgres: str,
    results: list[PhaseResult],
    backlogs: dict[str, Backlog],
) -> str:
    """Write the results file and return its text."""
    command = "python -m tools.bench.load.run " + shlex.join(sys.argv[1:])
    pinning = (
        f"locust pinned with `taskset -c {args.generator_cpus}`"
        if args.generator_cpus
        else "locust not pinned (the scheduler places it)"
    ) + (f", every server process with `taskset -c {args.server_cpus}`" if args.server_cpus else ", servers not pinned")
    lines = [
        "# Load test: submission and step completion beside a bare insert",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{command}` on {source_state()}.",
        "",
        *machine_lines(postgres),
        "",
        "## How the load was made",
        f"- {versions('locust')}, one process (no `--processes`), `FastHttpUser`, {args.clients} users started "
        f"within the first second, no wait between requests (closed loop: each user sends its next request when "
        f"the last one is answered); {args.warmup:g} s of warm-up after the last user started, then "
        f"{args.seconds:g} s measured. Latency is the client's, exact percentiles over every request of the window.",
        f"- {pinning}. PostgreSQL is the machine's own server and is never pinned.",
        (
            f"- The server runs with autovacuum off, so the runner ran `ANALYZE` on the three service databases "
            f"every {args.analyze_every:g} s, as autovacuum would (without statistics the relays' claim query "
            "slows down with the square of the outbox backlog)."
            if args.analyzed
            else "- The runner left the planner's statistics to the server (autovacuum or nothing)."
        ),
        "- The phases run one after another against the same running processes: the bare app, intake, "
        "workflow and metrics are all up in every phase; after each service phase the runner waits until both "
        "outboxes are empty and every application has its job before the next phase starts.",
        f"- Servers: `python -m services.cli run --service NAME` (uvicorn[standard]: uvloop, httptools), "
        f"{args.workers} worker(s) each; the bare app (`tools/bench/load/bare.py`) with the same uvicorn call, workers "
        "and engine settings (`services.common.db.make_engine`) and the same garbage-collector freeze at start-up, "
        "on its own database on the same server.",
        "- Relays: intake delivers `application.*` to workflow and metrics, workflow delivers "
        "`job.*` to intake and metrics, every delivery signed and applied through the inbox. "
        + {
            "after": "As `docker-compose.yml` deploys them, each relay is a process of its own (`python -m "
            "services.cli relay --service NAME`) and the services run with `*_RELAY_ENABLED=false`; here the "
            "relays are started only once a phase's measurement is over, to deliver its events: the endpoints "
            "are measured on their own, as the bare insert is (which has no events to deliver), as if the relays "
            "and the services they deliver to ran on other machines.",
            "separate": "As `docker-compose.yml` deploys them, each relay is a process of its own (`python -m "
            "services.cli relay --service NAME`, polling every 50 ms while idle) and the services run with "
            "`*_RELAY_ENABLED=false`; the relays deliver during the measurement, so the whole pipeline "
            "(relays, workflow making jobs, metrics, intake following progress) shares the machine with the "
            "endpoint measured.",
            "inside": "Each relay runs inside its service's process (`*_RELAY_ENABLED=true`) and delivers during "
            "the measurement.",
        }[args.relays],
        "- Bare insert: POST /items, a pydantic body, one INSERT in its own transaction, 201 with the row.",
        f"- Submission: POST /api/v1/applications by {args.applicants} applicants (tokens shared round-robin by "
        "the users), a small/micro enterprise at low voltage in Beijing (sme_lv: 2 steps, 3 documents), every "
        "document on file and reused, `document_ids: []`, no Idempotency-Key; 201 expected.",
        f"- Evidence upload: POST /api/v1/jobs/{{id}}/evidence (multipart, a small JPEG) by {args.staff} SGCC-BJ "
        "staff accounts: the photos the open jobs' remaining steps need, each user through its own share of the "
        "jobs; 201 expected. What the window leaves over the runner uploads before the next phase (not measured).",
        f"- Step completion: POST /api/v1/jobs/{{id}}/steps/{{code}}/complete with `If-Match: <version>` by "
        f"{args.staff} SGCC-BJ staff accounts over the jobs made from the submissions, each step's evidence "
        "already on the job; each user works through its own share of the jobs (so no 409 is expected), taking "
        "the next version from the ETag; 200 expected.",
        "",
        "## Results",
        "CPU columns are cores busy on average over the locust run (1.00 = one whole core, the machine has "
        f"{os.cpu_count()}); 'others' is the rest of the machine: the kernel and any other program running on it.",
        "",
        "| endpoint | requests | errors | req/s | p50 ms | p99 ms | mean ms | max ms "
        "| CPU locust | CPU servers | CPU PostgreSQL | CPU others |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.requests} | {r.errors} | {r.throughput:.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} "
            f"| {r.mean_ms:.1f} | {r.max_ms:.0f} | {r.generator_cpu:.2f} | {r.servers_cpu:.2f} "
            f"| {r.postgres_cpu:.2f} | {r.others_cpu:.2f} |"
        )
    servers = sorted({name for r in results for name in r.cpu_by_server})
    lines += [
        "",
        "CPU per request, in milliseconds: what each party used over the whole locust run (warm-up included) "
        "divided by every request of that run. "
        + (
            "No relay runs while a phase is measured: its events are delivered after it (see the backlog below). "
            if args.relays == "after"
            else "Relays keep delivering in the background, so a phase also pays for some events of the one before, "
            "and leaves some of its own for later (see the backlog below). "
        )
        + "PostgreSQL counts every backend of the server, whoever's.",
        "",
        "| endpoint | " + " | ".join(servers) + " | PostgreSQL | locust |",
        "| --- | " + " | ".join("---:" for _ in servers) + " | ---: | ---: |",
    ]
    for r in results:
        cells = [f"{r.cpu_ms_per_request(r.cpu_by_server.get(name, 0.0)):.2f}" for name in servers]
        lines.append(
            f"| {r.name} | " + " | ".join(cells) + f" | {r.cpu_ms_per_request(r.postgres_cpu):.2f} "
            f"| {r.cpu_ms_per_request(r.generator_cpu):.2f} |"
        )
    lines.append("")
    for r in results:
        for kind, n in r.error_kinds.items():
            lines.append(f"- {r.name} error: {n} x `{kind}`")
        if r.exhausted_users:
            lines.append(f"- {r.name}: {r.exhausted_users} users ran out of jobs before the end")
        lines += [f"- {r.name}: {note}" for note in r.notes]
    for name, b in backlogs.items():
        lines.append(
            f"- after {name}: {b.pending_intake} intake and {b.pending_workflow} workflow outbox rows pending and "
            f"{b.applications - b.jobs} jobs still to be made when the phase ended; delivered in "
            f"{b.seconds_to_drain:.1f} s"
        )
    by_name = {r.name: r for r in results}
    bare = by_name.get("bare insert")
    # At least this share of the bare insert's throughput, p99 under 250 ms and no errors: the endpoints
    # measured alone (relays after), and with the whole pipeline busy on the same machine.
    shares = (
        {"submission": 0.7, "step completion": 0.5}
        if args.relays == "after"
        else {"submission": 0.5, "step completion": 0.3}
    )
    for name, share in shares.items():
        measured_endpoint = by_name.get(name)
        if bare is None or measured_endpoint is None:
            continue
        ratio = measured_endpoint.throughput / bare.throughput
        met = ratio >= share and measured_endpoint.p99_ms < 250 and measured_endpoint.errors == 0
        lines += [
            "",
            f"{name.capitalize()} throughput is {ratio:.2f} of the bare insert's; p99 {measured_endpoint.p99_ms:.0f} "
            f"ms; {measured_endpoint.errors} errors. Target (at least {share} of bare, p99 under 250 ms, no "
            f"errors): {'met' if met else 'NOT met'}.",
        ]
    if args.relays == "after":
        lines += [
            "",
            "The same endpoints with every relay and the services they deliver to busy on the same two cores "
            "during the measurement: `tools/bench/load/RESULTS-pipeline.md` (`--relays separate`).",
        ]
    lines.append("")
    text = "\n".join(lines)
    path.write_text(text)
    return text
