"""Completing steps: If-Match required and checked, one winner among concurrent completions, connection."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from services.common.clock import FixedClock
from tests.support.services import Service
from tests.workflow.support import Callers, add_evidence, complete, connect, problem, published, submit


async def test_completing_without_if_match_is_428(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    response = await workflow.client.post(f"/api/v1/jobs/{job['id']}/steps/accept/complete", headers=callers.staff())

    assert (response.status_code, problem(response)) == (428, "version-required")
    assert response.headers["content-type"] == "application/problem+json"


async def test_completing_with_a_stale_version_is_409(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)
    await workflow.client.post(f"/api/v1/jobs/{job['id']}/assign", json={"assignee": None}, headers=callers.manager())

    response = await complete(workflow, job, "accept", callers.staff(), version=1)

    assert (response.status_code, problem(response), response.json()["version"]) == (409, "stale-version", 2)


@pytest.mark.parametrize("if_match", ["*", '"1', '1"', "W/1", "1,2", "1234567890"])
async def test_a_malformed_if_match_is_400(
    workflow: Service, clock: FixedClock, callers: Callers, if_match: str
) -> None:
    job = await submit(workflow, clock, callers)

    response = await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/steps/accept/complete", headers={**callers.staff(), "If-Match": if_match}
    )

    assert (response.status_code, problem(response)) == (400, "malformed-if-match")


async def test_completing_a_step_out_of_order_is_409(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)

    response = await complete(workflow, job, "connect", callers.staff())

    assert (response.status_code, problem(response), response.json()["current_step"]) == (
        409,
        "step-out-of-order",
        "accept",
    )
    unchanged = await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())
    assert unchanged.json()["version"] == 1


async def test_concurrent_completions_of_one_step_have_exactly_one_winner(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)

    answers = await asyncio.gather(
        complete(workflow, job, "accept", callers.staff(sub="staff-1")),
        complete(workflow, job, "accept", callers.staff(sub="staff-2")),
    )

    assert sorted(a.status_code for a in answers) == [200, 409]
    read = (await workflow.client.get(f"/api/v1/jobs/{job['id']}", headers=callers.staff())).json()
    assert (read["version"], read["current_step"]) == (2, "connect")
    history = (await workflow.client.get(f"/api/v1/jobs/{job['id']}/history", headers=callers.staff())).json()
    assert [entry["action"] for entry in history] == ["created", "step_completed"]
    # The loser wrote nothing: one event of the completion, and the steps as the winner left them.
    assert [e["type"] for e in await published(workflow)] == ["job.created", "job.step_completed"]
    winner = next(a for a in answers if a.status_code == 200).json()
    assert read["steps"] == winner["steps"]


async def test_completing_a_step_starts_the_next_at_the_servers_time(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    clock.advance(timedelta(days=4, hours=1))  # Monday 2026-11-30, 11:00 in Beijing

    response = await complete(workflow, job, "accept", callers.staff())

    body = response.json()
    accept, connect = body["steps"]
    assert (response.status_code, response.headers["etag"], body["version"]) == (200, '"2"', 2)
    assert (accept["completed_at"], accept["elapsed_working_days"], accept["overdue"]) == (
        "2026-11-30T03:00:00Z",
        2,
        False,
    )
    # Monday 2026-11-30 plus 12 working days.
    assert (connect["started_at"], connect["due_on"], body["current_step"], body["due_on"]) == (
        "2026-11-30T03:00:00Z",
        "2026-12-16",
        "connect",
        "2026-12-16",
    )


async def test_a_step_completed_after_its_limit_is_overdue(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    clock.advance(timedelta(days=6))  # Wednesday 2026-12-02: four working days for a three-day step

    accept = (await complete(workflow, job, "accept", callers.staff())).json()["steps"][0]

    assert (accept["elapsed_working_days"], accept["overdue"]) == (4, True)


async def test_completing_the_last_step_connects_the_job(
    workflow: Service, clock: FixedClock, callers: Callers
) -> None:
    job = await submit(workflow, clock, callers)
    clock.advance(timedelta(days=1))
    job = (await complete(workflow, job, "accept", callers.staff())).json()
    clock.advance(timedelta(days=4))

    response = await connect(workflow, job, callers.staff())

    body = response.json()
    # Version 3 is the meter photo's upload.
    assert (body["status"], body["connected_at"], body["current_step"], body["due_on"], body["version"]) == (
        "connected",
        "2026-12-01T02:00:00Z",
        None,
        None,
        4,
    )
    assert [s["elapsed_working_days"] for s in body["steps"]] == [1, 2]
    again = await complete(workflow, body, "connect", callers.staff())
    assert (again.status_code, problem(again)) == (409, "job-closed")


async def test_a_paused_job_cannot_complete_a_step(workflow: Service, clock: FixedClock, callers: Callers) -> None:
    job = await submit(workflow, clock, callers)
    paused = await workflow.client.post(
        f"/api/v1/jobs/{job['id']}/pause", json={"reason": "customer_not_ready"}, headers=callers.staff()
    )

    response = await complete(workflow, paused.json(), "accept", callers.staff())

    assert (response.status_code, problem(response)) == (409, "job-paused")


async def test_a_completion_reads_the_job_once_and_writes_it_once(
    workflow: Service, clock: FixedClock, callers: Callers, backend: str
) -> None:
    job = await submit(workflow, clock, callers)
    job = (await complete(workflow, job, "accept", callers.staff())).json()
    photo = await add_evidence(workflow, job, callers.staff())
    version = int(photo.headers["etag"].strip('"'))
    statements: list[str] = []
    transactional: list[str] = []
    database = workflow.app.state.service.database
    if database.autocommit is None:  # SQLite: one engine, its transaction
        engines = {database.engine.sync_engine: statements}
    else:
        engines = {database.engine.sync_engine: transactional, database.autocommit.sync_engine: statements}

    def listener(into: list[str]) -> Any:
        def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            into.append(" ".join(statement.split()).lower())

        return seen

    listeners = {engine: listener(into) for engine, into in engines.items()}
    for engine, seen in listeners.items():
        event.listen(engine, "before_cursor_execute", seen)
    try:
        response = await complete(
            workflow, job, "connect", callers.staff(), version=version, body={"meter_number": "3300123456"}
        )
    finally:
        for engine, seen in listeners.items():
            event.remove(engine, "before_cursor_execute", seen)

    assert response.status_code == 200, response.text
    # On PostgreSQL the request needs no transaction (no BEGIN, no COMMIT): its one write is guarded by If-Match.
    assert transactional == []
    # The job, its steps, pauses, fees, visits and evidence in one SELECT; the version guard in the UPDATE.
    reads = [s for s in statements if s.startswith("select") and " from job " in f"{s} "]
    assert len(reads) == 1 and "job_evidence" in reads[0] and "job_visit" in reads[0], statements
    if backend == "postgres":
        # Everything the change writes is one statement, gated on the job's UPDATE at the version read.
        (write,) = [s for s in statements if not s.startswith("select")]
        claim = write.split("),")[0]
        assert claim.startswith("with claimed as (update job set") and "job.version =" in claim, write
        for written in ("insert into audit_entry", "update job_step set", "insert into outbox_message"):
            assert written in write, write
        return
    job_updates = [s for s in statements if s.startswith("update job ")]
    assert len(job_updates) == 1 and "version" in job_updates[0].split(" where ")[1], statements
