"""Fault drills with real processes on PostgreSQL: kill a service or restart the database under traffic.

    python -m tools.bench.faults.run [--server-url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Each drill makes its own databases and service processes on free ports of 127.0.0.1, drives applicants
and staff over HTTP, injects its fault, waits for the relays to settle and checks that every event was
applied once. Processes and databases are removed however the run ends, and PostgreSQL is started
again if a drill left it down. Restarting PostgreSQL needs the rights to run pg_ctlcluster (root).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, NoReturn

from tools.bench.faults import drills
from tools.bench.faults.cluster import SERVICES, Cluster
from tools.bench.faults.postgres import PgCluster, accepting, server_version
from tools.bench.faults.report import DrillResult, write
from tools.bench.faults.traffic import Plan, Traffic
from tools.bench.faults.verify import drained, verify

DEFAULT_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
RESULTS = Path(__file__).with_name("RESULTS.md")
ACTIVE: list[Cluster] = []  # whatever is still running or still has databases, for the last-resort cleanup


async def run_drill(
    name: str, title: str, inject: drills.Inject, *, server_url: str, plan: Plan, keep_logs: bool = False
) -> DrillResult:
    """Set up, drive traffic with the fault injected, settle, verify, tear down."""
    started = time.monotonic()
    cluster = Cluster(server_url, run_id=uuid.uuid4().hex[:8], workdir=Path(tempfile.mkdtemp(prefix="zv-faults-")))
    ACTIVE.append(cluster)
    result = DrillResult(name, title, drills.Fault())
    traffic = Traffic(cluster, plan)
    try:
        await cluster.create_databases()
        for service in SERVICES:
            cluster.start(service)
            await cluster.wait_ready(service)
        await traffic.prepare()
        driving = asyncio.create_task(traffic.run(within=300))
        try:
            await inject(cluster, traffic, result.fault)
        except BaseException:
            driving.cancel()
            await asyncio.gather(driving, return_exceptions=True)
            raise
        result.traffic_done = await driving
        await drained(cluster, within=300)
        result.requests = Counter(answer.service for answer in traffic.answers)
        result.failed_in_window = traffic.outcomes(result.fault.started, result.fault.ended)
        result.failing_spans = traffic.failing(result.fault.started, result.fault.ended)
        every_failure = traffic.outcomes(0, float("inf"))
        outside = {s: counts - result.failed_in_window.get(s, Counter()) for s, counts in every_failure.items()}
        result.failed_outside_window = {s: counts for s, counts in outside.items() if counts}
        result.conflicts_resolved = traffic.conflicts_resolved
        result.verdict = await verify(cluster, summary_connected=await traffic.summary_connected())
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    finally:
        await traffic.close()
        cluster.stop_all()
        result.unhandled_in_logs = _unhandled(cluster)
        await cluster.drop_databases()
        if result.passed and not keep_logs:
            shutil.rmtree(cluster.workdir, ignore_errors=True)
        else:
            print(f"{name}: service logs kept in {cluster.workdir / 'logs'}", file=sys.stderr)
        ACTIVE.remove(cluster)
    result.seconds = time.monotonic() - started
    return result


def _unhandled(cluster: Cluster) -> Counter[str]:
    """'unhandled error' log lines per service: every one is a request answered 500."""
    counts: Counter[str] = Counter()
    for service in SERVICES:
        log = cluster.workdir / "logs" / f"{service}.log"
        if log.exists():
            counts[service] = log.read_text(errors="replace").count("unhandled error")
    return +counts


async def run_all(args: argparse.Namespace, pg: PgCluster) -> list[DrillResult]:
    """The chosen drills, one after the other."""
    plan = Plan(args.applicants, args.cases_per_applicant, args.submit_interval, args.staff)
    catalogue: dict[str, tuple[str, drills.Inject]] = {
        "metrics-kill": (
            f"metrics SIGKILLed mid-traffic, restarted after {args.down:.0f} s",
            functools.partial(drills.kill_metrics, down=args.down),
        ),
        "workflow-kill": (
            f"workflow SIGKILLed mid-batch, restarted after {args.down:.0f} s",
            functools.partial(drills.kill_workflow_mid_batch, down=args.down),
        ),
        "postgres-restart": (
            "PostgreSQL restarted (pg_ctlcluster restart) under traffic; services not restarted",
            functools.partial(drills.restart_postgres, pg=pg),
        ),
    }
    results = []
    for name in args.drills:
        title, inject = catalogue[name]
        print(f"drill {name}: {title}", file=sys.stderr)
        result = await run_drill(name, title, inject, server_url=args.server_url, plan=plan, keep_logs=args.keep_logs)
        print(f"drill {name}: {'passed' if result.passed else 'FAILED'} in {result.seconds:.1f} s", file=sys.stderr)
        results.append(result)
    return results


async def _main(args: argparse.Namespace, pg: PgCluster) -> int:
    await accepting(args.server_url, within=10)
    version = await server_version(args.server_url)
    load_before = os.getloadavg()
    async with asyncio.timeout(args.timeout):
        results = await run_all(args, pg)
    command = "python -m tools.bench.faults.run" + (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else "")
    write(args.output, results, plan=Plan(args.applicants, args.cases_per_applicant, args.submit_interval, args.staff),
          pg_version=version, load_before=load_before, command=command, down=args.down)  # fmt: skip
    print(f"wrote {args.output}", file=sys.stderr)
    return 0 if all(result.passed for result in results) else 1


def _last_resort(pg: PgCluster, server_url: str) -> None:
    """However the run ended: no service left running, PostgreSQL up, no drill database left behind."""
    # Not to be cut short by a second Ctrl-C or SIGTERM.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    for cluster in ACTIVE:
        cluster.stop_all()
    pg.ensure_running()
    leftovers = [cluster for cluster in ACTIVE if cluster.created]

    async def drop() -> None:
        await accepting(server_url, within=60)
        for cluster in leftovers:
            await cluster.drop_databases()

    if leftovers:
        try:
            asyncio.run(drop())
        except Exception as exc:
            names = ", ".join(name for cluster in leftovers for name in cluster.created)
            print(f"could not drop {names}: {exc}", file=sys.stderr)


def _terminate(signum: int, frame: Any) -> NoReturn:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """Run the drills and write RESULTS.md; the exit status says whether every drill passed."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench.faults.run", description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", default=DEFAULT_SERVER, help="a database on the local server (127.0.0.1)")
    parser.add_argument("--drills", nargs="+", default=["metrics-kill", "workflow-kill", "postgres-restart"],
                        choices=["metrics-kill", "workflow-kill", "postgres-restart"])  # fmt: skip
    parser.add_argument("--applicants", type=int, default=6)
    parser.add_argument("--cases-per-applicant", type=int, default=15)
    parser.add_argument("--submit-interval", type=float, default=1.5, help="seconds between one applicant's cases")
    parser.add_argument("--staff", type=int, default=4)
    parser.add_argument("--down", type=float, default=8.0, help="seconds a killed service stays dead")
    parser.add_argument("--timeout", type=float, default=900.0, help="the whole run stops after this many seconds")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--keep-logs", action="store_true", help="keep the service logs of drills that passed too")
    args = parser.parse_args(argv)
    pg = PgCluster.serving(args.server_url)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return asyncio.run(_main(args, pg))
    except TimeoutError:
        print(f"stopped: the run took longer than {args.timeout:.0f} s", file=sys.stderr)
        return 2
    finally:
        _last_resort(pg, args.server_url)
        print(f"PostgreSQL {pg.version}/{pg.name} online: {pg.online()}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
