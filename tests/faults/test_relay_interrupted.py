"""A delivery cut short after the receiver applied it: the resend is found duplicate, nothing is lost."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections import Counter
from datetime import timedelta
from pathlib import Path

from services.common.clock import FixedClock
from services.common.events import Relay
from services.intake.identity.keys import SigningKey
from tests.faults.conftest import FaultyNetwork, start
from tests.faults.support import (
    assert_every_event_received_once,
    backing_off_rows,
    connected_count,
    connected_facts,
    jobs_per_application,
    leased,
    quiet,
    run_to_connection,
    sent_ids,
    submit_cases,
)
from tests.flows.conftest import Platform, eventually
from tests.support.services import run_service, subscriber
from tests.support.tokens import bearer, mint

CASES = 4
# One event a case to each receiver (application.submitted), so that the batch is cut at a known row; the
# case's details that workflow also receives are another event, left out of this drill.
ONE_EVENT_A_CASE = [subscriber(name, ("application.submitted",)) for name in ("workflow", "metrics")]
# How long a row claimed by a relay that died stays out of reach of every other relay.
LEASE = timedelta(seconds=inspect.signature(Relay.__init__).parameters["lease_seconds"].default)


async def test_answers_lost_after_metrics_applied_are_resent_and_found_duplicate(
    platform: Platform, network: FaultyNetwork, signing_key: SigningKey
) -> None:
    staff = bearer(mint(signing_key, sub="bj-staff", role="staff", grid_company="SGCC-BJ"))
    regulator = bearer(mint(signing_key, sub="nea-north", role="regulator", regions=["11"]))
    network.lose_first_answer.add("metrics")

    ids = await submit_cases(platform, CASES)
    await run_to_connection(platform, staff, ids)
    await quiet(platform)

    answers = network.answers["metrics"]
    assert len(answers) == 4 * CASES  # submitted, created, step completed, connected
    for event_id, seen in answers.items():
        assert seen.count("applied") == 1, (event_id, seen)
        assert (seen[0], seen[-1]) == ("applied", "duplicate"), (event_id, seen)
    await assert_every_event_received_once(platform)
    assert await connected_facts(platform) == dict.fromkeys(ids, True)
    assert await connected_count(platform, regulator) == CASES


async def test_a_relay_killed_mid_batch_is_taken_over_after_its_lease_and_each_event_applies_once(
    urls: dict[str, str], var_dir: Path, network: FaultyNetwork, clock: FixedClock
) -> None:
    async with contextlib.AsyncExitStack() as receivers:
        workflow = await receivers.enter_async_context(start("workflow", urls, var_dir, network, clock))
        metrics = await receivers.enter_async_context(start("metrics", urls, var_dir, network, clock))

        # One delivery at a time, so that the batch is cut at a known row: two answered, one applied
        # unanswered, the rest never sent.
        serial = run_service(
            "intake", database_url=urls["intake"], var_dir=var_dir, network=network, clock=clock, relay=True,
            relay_concurrency=1, relay_events_per_request=1, subscribers=ONE_EVENT_A_CASE,
        )  # fmt: skip
        async with serial as intake:
            platform = Platform(intake, workflow, metrics, network, clock)
            network.down.update({"workflow", "metrics"})
            ids = await submit_cases(platform, CASES)

            async def backing_off() -> bool | None:
                return True if await backing_off_rows(intake) == 2 * CASES else None

            await eventually(backing_off)
            # Both return: the next round claims all eight rows as one batch. Workflow answers two, applies
            # the third and the relay never hears back; metrics answers all four.
            network.hold_after["workflow"] = 2
            network.down.clear()
            clock.advance(timedelta(minutes=10))
            await asyncio.wait_for(network.holding.wait(), timeout=10)

            async def metrics_answered() -> bool | None:
                answered = set(network.answers["metrics"]) & set(await sent_ids(intake, "metrics"))
                return True if len(answered) == CASES else None

            await eventually(metrics_answered)
        # intake has stopped: its relay was cancelled before it could record anything of the batch.

        ids_sent = await sent_ids(intake, "workflow")
        assert ids_sent == await sent_ids(intake, "metrics")  # one event, one row per subscriber
        assert sorted(await leased(intake)) == sorted((host, i) for host in ("workflow", "metrics") for i in ids_sent)
        assert network.answers_to("workflow", ids_sent) == [["applied"]] * 3 + [[]] * (CASES - 3)
        assert network.answers_to("metrics", ids_sent) == [["applied"]] * CASES
        del network.hold_after["workflow"]

        again = run_service(
            "intake", database_url=urls["intake"], var_dir=var_dir, network=network, clock=clock, relay=True,
            subscribers=ONE_EVENT_A_CASE,
        )  # fmt: skip
        async with again as intake:
            platform = Platform(intake, workflow, metrics, network, clock)
            # Within the lease nothing is sent again: for all the new relay knows, the old one is alive.
            before = [network.answers_to(host, ids_sent) for host in ("workflow", "metrics")]
            await asyncio.sleep(0.3)
            assert [network.answers_to(host, ids_sent) for host in ("workflow", "metrics")] == before
            clock.advance(LEASE + timedelta(seconds=1))
            await quiet(platform)

            assert network.answers_to("workflow", ids_sent) == [["applied", "duplicate"]] * 3 + [["applied"]] * (
                CASES - 3
            )
            assert network.answers_to("metrics", ids_sent) == [["applied", "duplicate"]] * CASES
            await assert_every_event_received_once(platform)
            assert await jobs_per_application(platform) == Counter(dict.fromkeys(ids, 1))
