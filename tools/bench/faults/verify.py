"""After a drill: every event queued was applied once, and every case reads the same in all three services."""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from tools.bench.faults.cluster import PAIRS, SERVICES, Cluster, dsn

# The applicant's timeline of a case run to connection, one entry per event applied by intake.
TIMELINE = ["submitted", "job.created", "job.step_completed", "job.connected"]


@dataclass
class Delivery:
    """One publisher's events for one subscriber."""

    publisher: str
    subscriber: str
    sent: int  # outbox rows
    delivered: int  # rows the relay recorded as delivered
    received: int  # of the events sent, how many the subscriber's inbox holds
    retried: int  # rows that took more than one attempt
    extra: int  # inbox rows from this publisher that match no outbox row for this subscriber

    @property
    def lost(self) -> int:
        """Events queued that the subscriber never applied."""
        return self.sent - self.received


@dataclass
class Verdict:
    """What the databases say once everything has settled."""

    deliveries: list[Delivery]
    applications: int
    checks: dict[str, int] = field(default_factory=dict)  # name -> cases breaking the rule (0 is good)
    connected_in_summary: int = 0

    @property
    def duplicated(self) -> int:
        """Effects applied more than once, and inbox rows without a matching event."""
        return sum(d.extra for d in self.deliveries) + sum(
            n for name, n in self.checks.items() if name.startswith("duplicated")
        )

    @property
    def passed(self) -> bool:
        """Nothing lost, nothing doubled, every case consistent."""
        return all(d.lost == 0 and d.delivered == d.sent for d in self.deliveries) and not any(self.checks.values())


async def _fetch(cluster: Cluster, service: str, query: str, *args: Any) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn(cluster.server_url, cluster.database(service)))
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def undelivered(
    cluster: Cluster, *, created_before: datetime | None = None, subscriber: str | None = None
) -> int:
    """Outbox rows of both publishers not yet delivered, optionally only those created up to an instant."""
    total = 0
    for publisher in ("intake", "workflow"):
        rows = await _fetch(
            cluster,
            publisher,
            "SELECT count(*) FROM outbox_message WHERE status <> 'delivered'"
            " AND ($1::timestamptz IS NULL OR created_at <= $1) AND ($2::text IS NULL OR subscriber = $2)",
            created_before,
            subscriber,
        )
        total += int(rows[0][0])
    return total


async def drained(cluster: Cluster, *, within: float, **which: Any) -> float:
    """Wait until `undelivered(**which)` is 0 (a database outage is ridden out); returns the seconds it took."""
    started = time.monotonic()
    while True:
        try:
            if await undelivered(cluster, **which) == 0:
                return time.monotonic() - started
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            pass
        if time.monotonic() - started > within:
            raise TimeoutError(f"outbox rows still undelivered after {within:.0f} s")
        await asyncio.sleep(0.1)


async def verify(cluster: Cluster, *, summary_connected: int) -> Verdict:
    """Compare every outbox with every inbox, and each case across the three services."""
    outbox = {
        s: await _fetch(cluster, s, "SELECT subscriber, event_id, status, attempts FROM outbox_message")
        for s in SERVICES
    }
    inbox = {s: await _fetch(cluster, s, "SELECT event_id, source FROM inbox_event") for s in SERVICES}
    deliveries = []
    for publisher, subscriber in PAIRS:
        rows = [row for row in outbox[publisher] if row["subscriber"] == subscriber]
        sent_ids = {row["event_id"] for row in rows}
        received_ids = {row["event_id"] for row in inbox[subscriber] if row["source"] == publisher}
        deliveries.append(
            Delivery(
                publisher,
                subscriber,
                sent=len(rows),
                delivered=sum(row["status"] == "delivered" for row in rows),
                received=len(sent_ids & received_ids),
                retried=sum(row["attempts"] > 1 for row in rows),
                extra=len(received_ids - sent_ids),
            )
        )
    applications = await _fetch(cluster, "intake", "SELECT id, status, progress FROM application")
    jobs = await _fetch(cluster, "workflow", "SELECT application_id, id, status FROM job")
    audit = await _fetch(cluster, "workflow", "SELECT job_id, action, count(*) AS n FROM audit_entry GROUP BY 1, 2")
    facts = await _fetch(cluster, "metrics", "SELECT id, connected_at FROM case_fact")

    ids = {row["id"] for row in applications}
    jobs_per = Counter(row["application_id"] for row in jobs)
    job_status = {row["application_id"]: row["status"] for row in jobs}
    created = Counter({row["job_id"]: row["n"] for row in audit if row["action"] == "created"})
    fact_connected = {row["id"]: row["connected_at"] is not None for row in facts}
    timelines = {row["id"]: [entry["event"] for entry in _json(row["progress"])["timeline"]] for row in applications}
    checks = {
        "applications without exactly one job": sum(jobs_per[i] != 1 for i in ids) + len(set(jobs_per) - ids),
        "duplicated: jobs created more than once (audit)": sum(n > 1 for n in created.values()),
        "duplicated: events applied twice to a timeline": sum(len(t) > len(TIMELINE) for t in timelines.values()),
        "timelines missing an event": sum(t != TIMELINE and len(t) <= len(TIMELINE) for t in timelines.values()),
        "facts missing or not connected": sum(not fact_connected.get(i, False) for i in ids),
        "facts of no application": len(set(fact_connected) - ids),
        "status differs between services": sum(
            not (row["status"] == job_status.get(row["id"]) == "connected" and fact_connected.get(row["id"]))
            for row in applications
        ),
        "summary connected count differs from cases": abs(summary_connected - len(ids)),
    }
    return Verdict(deliveries, len(ids), checks, summary_connected)


def _json(value: Any) -> dict[str, Any]:
    # asyncpg returns json columns as text.
    return dict(json.loads(value) if isinstance(value, str) else value)
