"""A receiver taken off the network while cases run: everything it missed arrives once it is back, once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from services.intake.identity.keys import SigningKey
from tests.faults.support import (
    assert_every_event_received_once,
    connected_count,
    connected_facts,
    jobs_per_application,
    quiet,
    received,
    run_to_connection,
    sent,
    submit_cases,
    timelines,
    waiting,
)
from tests.flows.conftest import Platform, eventually
from tests.support.tokens import bearer, mint

CASES = 4
JOB_EVENTS = ["job.created", "job.step_completed", "job.connected"]


def _callers(signing_key: SigningKey) -> tuple[dict[str, str], dict[str, str]]:
    staff = bearer(mint(signing_key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))
    regulator = bearer(mint(signing_key, sub="nea-north", role="regulator", regions=["11"]))
    return staff, regulator


async def test_metrics_down_while_cases_are_connected_receives_every_event_once_when_back(
    platform: Platform, signing_key: SigningKey
) -> None:
    staff, regulator = _callers(signing_key)
    platform.network.down.add("metrics")

    ids = await submit_cases(platform, CASES)
    await run_to_connection(platform, staff, ids)

    assert await received(platform.metrics) == Counter()
    for_metrics = await sent(platform.intake, "metrics") + await sent(platform.workflow, "metrics")
    assert for_metrics == Counter(
        {("intake", "application.submitted"): CASES, **{("workflow", event): CASES for event in JOB_EVENTS}}
    )
    assert await waiting(platform.intake, "metrics") + await waiting(platform.workflow, "metrics") == 4 * CASES

    platform.network.down.discard("metrics")
    platform.clock.advance(timedelta(minutes=10))  # past every backoff
    await quiet(platform)

    await assert_every_event_received_once(platform)
    assert await received(platform.metrics) == for_metrics
    assert await connected_facts(platform) == dict.fromkeys(ids, True)
    assert await connected_count(platform, regulator) == CASES
    assert await timelines(platform) == {i: ["submitted", *JOB_EVENTS] for i in ids}


async def test_workflow_down_gets_the_piled_up_submissions_and_makes_one_job_each(
    platform: Platform, signing_key: SigningKey
) -> None:
    staff, regulator = _callers(signing_key)
    platform.network.down.add("workflow")

    ids = await submit_cases(platform, CASES)

    async def piled_up() -> bool | None:
        # Two events a case wait for workflow: the submission and the case's details (application.case_shared).
        return True if await waiting(platform.intake, "workflow") == 2 * CASES else None

    await eventually(piled_up)
    assert await jobs_per_application(platform) == Counter()
    assert await timelines(platform) == {i: ["submitted"] for i in ids}

    platform.network.down.discard("workflow")
    platform.clock.advance(timedelta(minutes=10))
    await run_to_connection(platform, staff, ids)
    await quiet(platform)

    assert await jobs_per_application(platform) == Counter(dict.fromkeys(ids, 1))
    await assert_every_event_received_once(platform)
    assert await received(platform.intake) == Counter({("workflow", event): CASES for event in JOB_EVENTS})
    assert await connected_facts(platform) == dict.fromkeys(ids, True)
    assert await connected_count(platform, regulator) == CASES
    assert await timelines(platform) == {i: ["submitted", *JOB_EVENTS] for i in ids}
