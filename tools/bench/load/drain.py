"""Waiting for the events of a phase to be delivered, so the next phase does not pay for them."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import asyncpg

from tools.bench.load.stack import Stack


@dataclass
class Backlog:
    """What was still on its way when a phase ended, and how long it took to clear."""

    pending_intake: int
    pending_workflow: int
    applications: int
    jobs: int
    seconds_to_drain: float


async def _counts(stack: Stack) -> tuple[int, int, int, int]:
    intake = await asyncpg.connect(stack.database_dsn("intake"))
    workflow = await asyncpg.connect(stack.database_dsn("workflow"))
    try:
        pending_intake = await intake.fetchval("SELECT count(*) FROM outbox_message WHERE status = 'pending'")
        applications = await intake.fetchval("SELECT count(*) FROM application")
        pending_workflow = await workflow.fetchval("SELECT count(*) FROM outbox_message WHERE status = 'pending'")
        jobs = await workflow.fetchval("SELECT count(*) FROM job")
    finally:
        await intake.close()
        await workflow.close()
    return pending_intake, pending_workflow, applications, jobs


def _counts_or_none(stack: Stack) -> tuple[int, int, int, int] | None:
    try:
        return asyncio.run(_counts(stack))
    except (OSError, asyncpg.PostgresError):
        return None  # the server is restarting: ask again


def drain(stack: Stack, *, timeout: float = 900) -> Backlog:
    """Wait until both outboxes are empty and every application has its job; raise after `timeout`."""
    started = time.monotonic()
    first = _counts_or_none(stack)
    counts = first
    while counts is None or counts[0] or counts[1] or counts[2] != counts[3]:
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"events not delivered within {timeout:.0f} s: {counts}")
        stack.check_alive()
        time.sleep(0.5)
        counts = _counts_or_none(stack)
        first = first or counts
    assert first is not None
    return Backlog(first[0], first[1], first[2], first[3], time.monotonic() - started)
