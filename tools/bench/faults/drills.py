"""The faults: metrics SIGKILLed and restarted, workflow SIGKILLed mid-batch, PostgreSQL restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg
import httpx

from tools.bench.faults.cluster import SERVICES, Cluster, dsn
from tools.bench.faults.postgres import PgCluster, accepting
from tools.bench.faults.traffic import Traffic
from tools.bench.faults.verify import drained

LEASED = "SELECT subscriber, event_id FROM outbox_message WHERE status = 'pending' AND claim_token IS NOT NULL"
STILL_LEASED = "SELECT count(*) FROM outbox_message WHERE status = 'pending' AND locked_until > $1"


@dataclass
class Fault:
    """What was done, when (monotonic seconds), and how long each part of the recovery took."""

    started: float = 0.0
    ended: float = 0.0  # the end of the fault window: every service answers again
    timings: dict[str, float] = field(default_factory=dict)  # what -> seconds
    notes: list[str] = field(default_factory=list)


Inject = Callable[[Cluster, Traffic, Fault], Awaitable[None]]


async def kill_metrics(cluster: Cluster, traffic: Traffic, fault: Fault, *, down: float) -> None:
    """SIGKILL metrics a third of the way in, leave it dead for `down` seconds, start it again."""
    await traffic.submitted(traffic.plan.cases // 3)
    fault.started = time.monotonic()
    cluster.kill("metrics")
    await asyncio.sleep(down)
    restarted, restarted_wall = time.monotonic(), datetime.now(UTC)
    cluster.start("metrics")
    fault.timings["metrics restart to /readyz 200"] = await cluster.wait_ready("metrics")
    fault.ended = time.monotonic()
    await drained(cluster, within=300, created_before=restarted_wall, subscriber="metrics")
    fault.timings["metrics restart to every event queued for it before the restart delivered"] = (
        time.monotonic() - restarted
    )
    fault.notes.append(f"metrics was dead for {restarted - fault.started:.1f} s")


async def _applied(connections: dict[str, asyncpg.Connection], rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The (subscriber, event id) rows among these that their subscriber has already applied."""
    applied = []
    for subscriber in sorted({subscriber for subscriber, _ in rows}):
        ids = [event_id for s, event_id in rows if s == subscriber]
        query = "SELECT event_id FROM inbox_event WHERE event_id = ANY($1)"
        applied += [(subscriber, row["event_id"]) for row in await connections[subscriber].fetch(query, ids)]
    return applied


async def _resent_and_found_applied(cluster: Cluster, rows: list[tuple[str, str]], killed: datetime) -> int:
    """Rows delivered (recorded) after the kill whose event the receiver holds once, from before the kill."""
    connection = await asyncpg.connect(dsn(cluster.server_url, cluster.database("workflow")))
    try:
        query = (
            "SELECT delivered_at FROM outbox_message WHERE subscriber = $1 AND event_id = $2 AND status = 'delivered'"
        )
        recorded = {row: await connection.fetchval(query, *row) for row in rows}
    finally:
        await connection.close()
    found = 0
    for subscriber, event_id in rows:
        receiver = await asyncpg.connect(dsn(cluster.server_url, cluster.database(subscriber)))
        try:
            received = await receiver.fetch("SELECT received_at FROM inbox_event WHERE event_id = $1", event_id)
        finally:
            await receiver.close()
        delivered_at = recorded[(subscriber, event_id)]
        if len(received) == 1 and delivered_at is not None and received[0]["received_at"] < killed < delivered_at:
            found += 1
    return found


async def kill_workflow_mid_batch(cluster: Cluster, traffic: Traffic, fault: Fault, *, down: float) -> None:
    """SIGKILL workflow while its relay holds a claimed batch it has not recorded, then start it again.

    The process is frozen (SIGSTOP) to look at its outbox and its receivers' inboxes. It is killed when a
    claimed batch has rows a receiver already applied (their resend must come back duplicate), or, after
    20 s of looking, any claimed batch; otherwise it is let go (SIGCONT) and looked at again.
    """
    await traffic.submitted(traffic.plan.cases // 3)
    process = cluster.processes["workflow"]
    connections = {
        name: await asyncpg.connect(dsn(cluster.server_url, cluster.database(name)))
        for name in ("workflow", "intake", "metrics")
    }
    looks, looking_since = 0, time.monotonic()
    try:
        while True:
            looks += 1
            fault.started = time.monotonic()
            os.kill(process.pid, signal.SIGSTOP)
            caught = False
            try:
                in_flight = [
                    (row["subscriber"], row["event_id"]) for row in await connections["workflow"].fetch(LEASED)
                ]
                applied = await _applied(connections, in_flight)
                looked = time.monotonic() - looking_since
                caught = bool(applied) or (bool(in_flight) and looked > 20) or looked > 60
            finally:
                if not caught:
                    os.kill(process.pid, signal.SIGCONT)
            if caught:
                break
            await asyncio.sleep(0.005)
    finally:
        for connection in connections.values():
            await connection.close()
    cluster.kill("workflow")
    killed_wall = datetime.now(UTC)
    fault.notes.append(
        f"killed after {looks} look(s) with {len(in_flight)} outbox row(s) claimed and unrecorded; "
        f"{len(applied)} of them already applied by their receiver (their resend must be answered duplicate)"
    )
    await asyncio.sleep(down)
    restarted = time.monotonic()
    cluster.start("workflow")
    fault.timings["workflow restart to /readyz 200"] = await cluster.wait_ready("workflow")
    fault.ended = time.monotonic()
    await drained(cluster, within=300, created_before=killed_wall)
    fault.timings["workflow restart to every event queued before the kill delivered (lease 30 s)"] = (
        time.monotonic() - restarted
    )
    found = await _resent_and_found_applied(cluster, applied, killed_wall)
    fault.notes.append(
        f"rows applied before the kill that were sent again after the restart, recorded delivered, and are still "
        f"one inbox row each received before the kill (the receiver answered duplicate): {found} of {len(applied)}"
    )


async def restart_postgres(cluster: Cluster, traffic: Traffic, fault: Fault, *, pg: PgCluster) -> None:
    """`pg_ctlcluster restart` under traffic; the services keep running and must recover on their own."""
    await traffic.submitted(traffic.plan.cases // 3)
    pids = {name: cluster.processes[name].pid for name in SERVICES}
    others = await _other_sessions(cluster)
    fault.notes.append(f"client sessions of other databases on the server, cut by the restart too: {others}")
    fault.started = time.monotonic()
    fault.timings["pg_ctlcluster restart"] = await asyncio.to_thread(pg.restart)
    back = time.monotonic()
    fault.timings["PostgreSQL accepting connections after the restart command"] = await accepting(cluster.server_url)
    back_wall = datetime.now(UTC)
    stranded = await _leased(cluster, back_wall)
    fault.notes.append(
        f"outbox rows left claimed by relay rounds the restart cut short: {stranded} "
        "(sent again once their 30 s lease runs out)"
    )
    async with httpx.AsyncClient(timeout=2) as client:
        for name in SERVICES:
            fault.timings[f"{name} /readyz 200 after PostgreSQL was back"] = await _ready(client, cluster, name) - back
    fault.ended = time.monotonic()
    await drained(cluster, within=300, created_before=back_wall)
    fault.timings["relays: every event queued before PostgreSQL was back delivered"] = time.monotonic() - back
    alive = [
        name
        for name in SERVICES
        if cluster.processes[name].poll() is None and cluster.processes[name].pid == pids[name]
    ]
    fault.notes.append(f"service processes alive with their original pids after the restart: {', '.join(alive)}")
    if len(alive) != len(SERVICES):
        raise RuntimeError("a service did not survive the PostgreSQL restart")


async def _other_sessions(cluster: Cluster) -> int:
    """Client sessions on the server that belong to no database of this drill."""
    connection = await asyncpg.connect(dsn(cluster.server_url))
    try:
        query = (
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname IS NOT NULL AND NOT datname = ANY($1) AND pid <> pg_backend_pid()"
        )
        return int(await connection.fetchval(query, [cluster.database(name) for name in SERVICES]))
    finally:
        await connection.close()


async def _leased(cluster: Cluster, now: datetime) -> int:
    """Pending rows of both publishers under a lease that has not run out."""
    total = 0
    for publisher in ("intake", "workflow"):
        connection = await asyncpg.connect(dsn(cluster.server_url, cluster.database(publisher)))
        try:
            total += int(await connection.fetchval(STILL_LEASED, now))
        finally:
            await connection.close()
    return total


async def _ready(client: httpx.AsyncClient, cluster: Cluster, service: str) -> float:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if (await client.get(f"{cluster.base_url(service)}/readyz")).status_code == 200:
                return time.monotonic()
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{service} did not become ready again")
