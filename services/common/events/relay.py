"""The relay: delivers outbox rows to subscribers over signed HTTP, with leases, retries and backoff."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Sequence
from datetime import timedelta
from uuid import uuid4

import httpx
from pydantic import ValidationError

from services.common.clock import Clock
from services.common.db import Database
from services.common.events import store
from services.common.events.batch import BatchResults
from services.common.events.signing import sign
from services.common.events.store import ClaimedRow, Outcome
from services.common.events.tables import DELIVERED, PARKED, PENDING, EventTables
from services.common.settings import Subscriber

logger = logging.getLogger("zerovisit.events.relay")

# Statuses that say the subscriber as a whole is unreachable, not that this one event was refused.
_UNREACHABLE_STATUSES = frozenset({502, 503, 504})
_MAX_ERROR_LENGTH = 500


class Relay:
    """Delivers pending outbox rows; several relays may share one PostgreSQL database."""

    def __init__(
        self,
        database: Database,
        tables: EventTables,
        subscribers: Sequence[Subscriber],
        client: httpx.AsyncClient,
        *,
        clock: Clock,
        batch_size: int,
        max_attempts: int,
        backoff_base_seconds: float,
        backoff_max_seconds: float,
        lease_seconds: float = 30,
        concurrency: int = 8,
        name: str,
        source: str,
        secret: str,
        request_timeout_seconds: float = 5,
        events_per_request: int = 1,
        bytes_per_request: int = 512 * 1024,
    ) -> None:
        self.name = name
        # The publishing service: each delivery names it and is signed with its secret.
        self._source = source
        self._secret = secret
        self._database = database
        self._tables = tables
        self._subscribers = {subscriber.name: subscriber for subscriber in subscribers}
        self._client = client
        self._clock = clock
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base_seconds
        self._backoff_max = backoff_max_seconds
        self._lease = timedelta(seconds=lease_seconds)
        self._timeout = request_timeout_seconds
        self._concurrency = concurrency
        # Above one, a subscriber gets its events in batches (one signed request for several), see batch.py.
        self._events_per_request = events_per_request
        self._bytes_per_request = bytes_per_request
        self._skip_locked = database.engine.dialect.name != "sqlite"
        self._wakeup = asyncio.Event()
        self._stopping = False

    def stop(self) -> None:
        """Finish the round under way, then return from run_forever: nothing leased is left to wait out its lease."""
        self._stopping = True
        self._wakeup.set()

    def wake(self) -> None:
        """Start the next round now rather than at the end of the poll interval; polling goes on regardless."""
        self._wakeup.set()

    async def run_once(self) -> int:
        """Claim one batch, send it, record the results; returns how many rows were delivered."""
        if not self._subscribers:
            return 0
        now = self._clock.now()
        token = str(uuid4())
        async with self._database.engine.begin() as conn:
            lease = store.Lease(now, now + self._lease, token, self._batch_size, self._skip_locked)
            claimed = await store.claim(conn, self._tables, subscribers=tuple(self._subscribers), lease=lease)
        if not claimed:
            return 0
        by_subscriber: dict[str, list[ClaimedRow]] = {}
        for row in claimed:
            by_subscriber.setdefault(row.subscriber, []).append(row)
        results = await asyncio.gather(*(self._deliver(name, rows) for name, rows in by_subscriber.items()))
        outcomes = [outcome for done, _ in results for outcome in done]
        unsent = [seq for _, skipped in results for seq in skipped]
        async with self._database.engine.begin() as conn:
            await store.record(conn, self._tables, outcomes, token)
            await store.release(conn, self._tables, unsent, token)
        return sum(outcome.status == DELIVERED for outcome in outcomes)

    async def run_forever(self, interval_seconds: float) -> None:
        """Run rounds until cancelled; a failing round (the database down, say) is logged and retried."""
        failures = 0
        while not self._stopping:
            # Cleared before the round, so a wake-up that comes while it runs brings the next one forward.
            self._wakeup.clear()
            try:
                delivered = await self.run_once()
                failures = 0
            except Exception:
                failures += 1
                logger.exception("relay %s: round failed (%d in a row)", self.name, failures)
                delivered = 0
            if delivered:
                # Delivering an event may have unblocked the next one of its case: go again at once.
                continue
            if failures:
                # Back off while rounds keep failing, so an outage is not answered with a log line every tick
                # (nor with a round for every commit: a wake-up does not cut this wait short).
                await asyncio.sleep(min(interval_seconds * 2 ** min(failures, 16), max(interval_seconds, 30)))
            else:
                await self._idle(interval_seconds)

    async def _idle(self, seconds: float) -> None:
        """Wait one poll interval, or less if woken."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._wakeup.wait()

    async def pending_count(self) -> int:
        """Rows still to be delivered."""
        async with self._database.engine.connect() as conn:
            return await store.count_status(conn, self._tables, PENDING)

    async def parked_count(self) -> int:
        """Rows given up on after the last attempt; each needs an operator."""
        async with self._database.engine.connect() as conn:
            return await store.count_status(conn, self._tables, PARKED)

    async def requeue_parked(self, subscriber: str | None = None) -> int:
        """Put parked rows back in line, e.g. once a long outage is over; returns how many."""
        now = self._clock.now()
        async with self._database.engine.begin() as conn:
            return await store.requeue_parked(conn, self._tables, now=now, subscriber=subscriber)

    async def _deliver(self, name: str, rows: list[ClaimedRow]) -> tuple[list[Outcome], list[int]]:
        """Send one subscriber's rows, cases side by side and each case in order; the outcomes and rows unsent."""
        subscriber = self._subscribers[name]
        outcomes: list[Outcome] = []
        unsent: list[int] = []
        unreachable: Outcome | None = None
        started = time.monotonic()
        # Half the lease is the budget (plus one request timeout, so keep the lease above twice that): a row must
        # be recorded before its lease runs out and another relay may claim it again.
        budget = self._lease.total_seconds() / 2
        gate = asyncio.Semaphore(self._concurrency)
        cases: dict[str, list[ClaimedRow]] = {}
        for row in rows:
            # The claim admits one row per case, but should a batch ever hold more, order still holds.
            cases.setdefault(row.case_key, []).append(row)

        async def send_case(case_rows: list[ClaimedRow]) -> None:
            nonlocal unreachable
            for position, row in enumerate(case_rows):
                async with gate:
                    if time.monotonic() - started > budget:
                        unsent.extend(r.seq for r in case_rows[position:])
                        return
                    if unreachable is not None:
                        # Not sent, so no attempt is spent; it waits as long as the row that found the door shut.
                        note = f"not sent: {unreachable.last_error}"
                        outcomes.append(Outcome(row.seq, PENDING, row.attempts, unreachable.next_attempt_at, note))
                        continue
                    error, down = await self._send(subscriber, row)
                if error is None:
                    now = self._clock.now()
                    outcomes.append(Outcome(row.seq, DELIVERED, row.attempts + 1, now, delivered_at=now))
                    continue
                outcome = self._failed(row, error, down=down)
                outcomes.append(outcome)
                if down and unreachable is None:
                    unreachable = outcome
                unsent.extend(r.seq for r in case_rows[position + 1 :])  # the case waits for this row
                return

        if self._events_per_request > 1:
            return await self._deliver_batches(subscriber, list(cases.values()))
        first, *others = cases.values()
        # The first case alone, as a probe: a subscriber that is down then costs one request a round, not one
        # per case in flight.
        await send_case(first)
        await asyncio.gather(*(send_case(case_rows) for case_rows in others))
        return outcomes, unsent

    async def _deliver_batches(
        self, subscriber: Subscriber, cases: list[list[ClaimedRow]]
    ) -> tuple[list[Outcome], list[int]]:
        """Send one subscriber's rows in batches of whole cases; the outcomes and the rows unsent."""
        batches: list[list[ClaimedRow]] = [[]]
        size = 0
        for case_rows in cases:
            case_size = sum(len(row.body) for row in case_rows)
            full = len(batches[-1]) + len(case_rows) > self._events_per_request
            if batches[-1] and (full or size + case_size > self._bytes_per_request):
                batches.append([])
                size = 0
            batches[-1].extend(case_rows)
            size += case_size
        outcomes: list[Outcome] = []
        unsent: list[int] = []
        gate = asyncio.Semaphore(self._concurrency)

        async def send(batch: list[ClaimedRow]) -> bool:
            async with gate:
                done, skipped, down = await self._send_batch(subscriber, batch)
            outcomes.extend(done)
            unsent.extend(skipped)
            return down

        first, *others = batches
        # The first batch alone, as a probe: a subscriber that is down costs one request a round.
        if await send(first):
            unsent.extend(row.seq for batch in others for row in batch)
            return outcomes, unsent
        await asyncio.gather(*(send(batch) for batch in others))
        return outcomes, unsent

    async def _send_batch(
        self, subscriber: Subscriber, rows: list[ClaimedRow]
    ) -> tuple[list[Outcome], list[int], bool]:
        """POST rows as one batch; their outcomes, the rows deferred, and whether the subscriber looks down."""
        # The bodies are the envelopes' JSON as stored: joined, not parsed and encoded again.
        body = ('{"events":[' + ",".join(row.body for row in rows) + "]}").encode("utf-8")
        headers = sign(self._secret, str(uuid4()), body, now=self._clock.now(), source=self._source)
        headers["content-type"] = "application/json"
        url = subscriber.url.rstrip("/") + "/batch"
        error, down = None, False
        try:
            response = await self._client.post(url, content=body, headers=headers, timeout=self._timeout)
        except httpx.TransportError as exc:
            error, down = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_LENGTH], True
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_LENGTH]
        else:
            if not response.is_success:
                error = f"HTTP {response.status_code}: {response.text}"[:_MAX_ERROR_LENGTH]
                down = response.status_code in _UNREACHABLE_STATUSES
        if error is not None:
            if down:
                # Not this batch's fault: one attempt is spent on its first row, the rest wait as long, unsent.
                first = self._failed(rows[0], error, down=True)
                waiting = [
                    Outcome(row.seq, PENDING, row.attempts, first.next_attempt_at, f"not sent: {error}")
                    for row in rows[1:]
                ]
                return [first, *waiting], [], True
            return [self._failed(row, error, down=False) for row in rows], [], False
        return (*self._batch_outcomes(rows, response), False)

    def _batch_outcomes(self, rows: list[ClaimedRow], response: httpx.Response) -> tuple[list[Outcome], list[int]]:
        """The outcome of each row from the receiver's results; a row it does not account for is retried."""
        try:
            results = {result.id: result for result in BatchResults.model_validate_json(response.content).results}
        except ValidationError:
            results = {}
        outcomes: list[Outcome] = []
        deferred: list[int] = []
        now = self._clock.now()
        for row in rows:
            result = results.get(row.event_id)
            if result is None:
                outcomes.append(self._failed(row, "HTTP 200: no result for this event", down=False))
            elif result.status in ("applied", "ignored", "duplicate"):
                outcomes.append(Outcome(row.seq, DELIVERED, row.attempts + 1, now, delivered_at=now))
            elif result.status == "deferred":
                deferred.append(row.seq)
            else:
                error = f"HTTP {result.problem_status}: {result.detail}"[:_MAX_ERROR_LENGTH]
                outcomes.append(self._failed(row, error, down=result.problem_status in _UNREACHABLE_STATUSES))
        return outcomes, deferred

    async def _send(self, subscriber: Subscriber, row: ClaimedRow) -> tuple[str | None, bool]:
        """POST one row; returns the error (None on success) and whether the subscriber looks down."""
        body = row.body.encode("utf-8")
        headers = sign(self._secret, row.event_id, body, now=self._clock.now(), source=self._source)
        headers["content-type"] = "application/json"
        try:
            response = await self._client.post(subscriber.url, content=body, headers=headers, timeout=self._timeout)
        except httpx.TransportError as exc:
            return f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_LENGTH], True
        except Exception as exc:
            # Whatever else goes wrong (a malformed URL, say) is a failed attempt, never a lost round.
            return f"{type(exc).__name__}: {exc}"[:_MAX_ERROR_LENGTH], False
        if response.is_success:
            return None, False
        error = f"HTTP {response.status_code}: {response.text}"[:_MAX_ERROR_LENGTH]
        return error, response.status_code in _UNREACHABLE_STATUSES

    def _failed(self, row: ClaimedRow, error: str, *, down: bool) -> Outcome:
        """The outcome of a failed attempt: back off, or park after the last one that the receiver refused."""
        attempts = row.attempts + 1
        now = self._clock.now()
        what = f"event {row.event_id} ({row.event_type}, case {row.case_key}) for {row.subscriber}"
        # A receiver that is down is waited for however long it takes; only one that keeps refusing the
        # event (a poison message) gets it parked, so an outage never needs an operator to requeue.
        if attempts >= self._max_attempts and not down:
            logger.error("relay %s: parked %s after %d attempts: %s", self.name, what, attempts, error)
            return Outcome(row.seq, PARKED, attempts, now, error)
        delay = min(self._backoff_max, self._backoff_base * 2 ** min(attempts - 1, 32))
        # Up to 10% less, so rows that failed together do not all come back in the same instant.
        delay *= 1 - 0.1 * random.random()  # noqa: S311 - jitter, not a secret
        logger.warning("relay %s: %s failed, attempt %d: %s", self.name, what, attempts, error)
        return Outcome(row.seq, PENDING, attempts, now + timedelta(seconds=delay), error)
