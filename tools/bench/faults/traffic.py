"""Applicants applying, staff completing steps and a regulator reading figures, over HTTP, every answer noted."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from services.common.clock import local_date
from tools import fieldwork
from tools.bench.faults.cluster import Cluster

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
DOCUMENTS = ("business_license", "id_card", "property_certificate")
PASSWORD = "faults-drill-password"  # noqa: S105 - an account in a throwaway database
RETRY_SECONDS = 0.25


@dataclass(frozen=True)
class Answer:
    """One request: when it was sent and answered (monotonic), to which service, for what, and how it ended."""

    at: float
    ended: float
    service: str
    action: str
    status: int | None
    error: str | None = None

    @property
    def failed(self) -> bool:
        """No answer, or a server error."""
        return self.status is None or self.status >= 500

    @property
    def outcome(self) -> str:
        """The status code, or the transport error's class name."""
        return str(self.status) if self.status is not None else str(self.error)


@dataclass
class Plan:
    """How much traffic a drill drives."""

    applicants: int = 6
    cases_per_applicant: int = 15
    submit_interval: float = 1.5
    staff: int = 4

    @property
    def cases(self) -> int:
        """Applications the drill submits in all."""
        return self.applicants * self.cases_per_applicant


@dataclass
class Traffic:
    """The users of one drill and what happened to each of their requests."""

    cluster: Cluster
    plan: Plan
    answers: list[Answer] = field(default_factory=list)
    application_ids: list[str] = field(default_factory=list)
    connected: set[str] = field(default_factory=set)
    conflicts_resolved: int = 0
    _queue: asyncio.Queue[str] = field(default_factory=asyncio.Queue)
    _progress: asyncio.Condition = field(default_factory=asyncio.Condition)
    _tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    _documents: dict[str, list[str]] = field(default_factory=dict)
    _client: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=10))

    async def call(self, service: str, action: str, method: str, path: str, **kwargs: Any) -> httpx.Response | None:
        """Send one request to a service and note how it ended; None when no answer came."""
        at = time.monotonic()
        try:
            response = await self._client.request(method, self.cluster.base_url(service) + path, **kwargs)
        except httpx.TransportError as exc:
            self.answers.append(Answer(at, time.monotonic(), service, action, None, type(exc).__name__))
            return None
        self.answers.append(Answer(at, time.monotonic(), service, action, response.status_code))
        return response

    async def prepare(self) -> None:
        """Accounts (staff and regulator by the command line), sign-ins, and each applicant's documents."""
        self.cluster.cli("users", "create", "--username", "bj-staff", "--password", PASSWORD, "--role", "staff",
                         "--grid-company", "SGCC-BJ")  # fmt: skip
        self.cluster.cli("users", "create", "--username", "nea", "--password", PASSWORD, "--role", "regulator",
                         "--regions", "*")  # fmt: skip
        for n in range(self.plan.applicants):
            name = f"applicant-{n}"
            registered = await self._client.post(
                f"{self.cluster.base_url('intake')}/api/v1/auth/register",
                json={"username": name, "password": PASSWORD, "name": f"Applicant {n}"},
            )
            registered.raise_for_status()
        for name in ["bj-staff", "nea", *(f"applicant-{n}" for n in range(self.plan.applicants))]:
            token = await self._client.post(
                f"{self.cluster.base_url('intake')}/api/v1/auth/token", data={"username": name, "password": PASSWORD}
            )
            token.raise_for_status()
            self._tokens[name] = {"Authorization": f"Bearer {token.json()['access_token']}"}
        for n in range(self.plan.applicants):
            headers, ids = self._tokens[f"applicant-{n}"], []
            for doc_type in DOCUMENTS:
                uploaded = await self._client.post(
                    f"{self.cluster.base_url('intake')}/api/v1/documents",
                    headers=headers,
                    files={"file": ("scan.pdf", PDF, "application/pdf")},
                    data={"type": doc_type, "number": f"DOC-{n}", "valid_until": "2031-12-31"},
                )
                uploaded.raise_for_status()
                ids.append(uploaded.json()["id"])
            self._documents[f"applicant-{n}"] = ids

    async def run(self, *, within: float) -> bool:
        """Drive every case to connection; False if that did not happen within the time given."""
        done = asyncio.Event()
        failures: list[Exception] = []

        async def guarded(job: Coroutine[Any, Any, None]) -> None:
            try:
                await job
            except Exception as exc:  # a user that cannot go on ends the traffic, and says why
                failures.append(exc)
                done.set()

        jobs = [self._applicant(n) for n in range(self.plan.applicants)]
        jobs += [self._staff(done) for _ in range(self.plan.staff)]
        workers = [asyncio.create_task(guarded(job)) for job in [*jobs, self._regulator(done)]]
        try:
            async with asyncio.timeout(within):
                await done.wait()
            if failures:
                raise RuntimeError("the traffic stopped early") from failures[0]
            return True
        except TimeoutError:
            return False
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._client.aclose()

    async def submitted(self, count: int) -> None:
        """Wait until at least `count` applications have been accepted."""
        async with self._progress:
            await self._progress.wait_for(lambda: len(self.application_ids) >= count)

    async def _applicant(self, n: int) -> None:
        name = f"applicant-{n}"
        for k in range(self.plan.cases_per_applicant):
            body = {
                "customer_type": "enterprise", "small_micro": True, "business_type": "new_install",
                "capacity_kva": 100, "dual_supply": False, "region": "110105",
                "address": f"{k + 1} Drill Road, Beijing", "contact_name": f"Applicant {n}",
                "contact_phone": "13800138000", "channel": "app", "document_ids": self._documents[name],
            }  # fmt: skip
            # The same key on every retry: an application whose answer was lost is replayed, not made twice.
            headers = {**self._tokens[name], "Idempotency-Key": f"{name}-{k}"}
            while True:
                response = await self.call(
                    "intake", "submit", "POST", "/api/v1/applications", json=body, headers=headers
                )
                if response is not None and response.status_code in (200, 201):
                    break
                if response is not None and response.status_code < 500 and response.status_code not in (409, 429):
                    raise RuntimeError(f"submission refused: {response.status_code} {response.text}")
                await asyncio.sleep(RETRY_SECONDS)
            application_id = str(response.json()["id"])
            self.application_ids.append(application_id)
            self._queue.put_nowait(application_id)
            async with self._progress:
                self._progress.notify_all()
            await asyncio.sleep(self.plan.submit_interval)

    async def _staff(self, done: asyncio.Event) -> None:
        while True:
            application_id = await self._queue.get()
            await self._work(application_id)
            self.connected.add(application_id)
            if len(self.connected) == self.plan.cases:
                done.set()

    async def _work(self, application_id: str) -> None:
        """Find the case's job (it comes by event) and complete each step until it is connected."""
        staff = self._tokens["bj-staff"]
        while True:
            found = await self.call(
                "workflow", "find job", "GET", "/api/v1/jobs", params={"application_id": application_id}, headers=staff
            )
            items = found.json()["items"] if found is not None and found.status_code == 200 else []
            if not items:
                await asyncio.sleep(RETRY_SECONDS)
                continue
            job = items[0]
            if job["status"] == "connected":
                return
            step = job["current_step"]
            version = await self._evidence(job, step, staff)
            if version is None:
                await asyncio.sleep(RETRY_SECONDS)
                continue
            completed = await self.call(
                "workflow",
                "complete step",
                "POST",
                f"/api/v1/jobs/{job['id']}/steps/{step}/complete",
                headers={**staff, "If-Match": str(version)},
                json=fieldwork.completion(job["rule_set"], step, job_id=job["id"]),
            )
            if completed is not None and completed.status_code == 409:
                # The job moved on since it was read (an earlier attempt did commit): read it again.
                self.conflicts_resolved += 1
            elif completed is None or completed.status_code != 200:
                await asyncio.sleep(RETRY_SECONDS)

    async def _evidence(self, job: dict[str, Any], step: str, staff: dict[str, str]) -> int | None:
        """Upload what the step needs from the site; the job's version after it, or None when an upload failed."""
        version = int(job["version"])
        for upload in fieldwork.uploads(job["rule_set"], step, job_id=job["id"]):
            sent = await self.call(
                "workflow", "upload evidence", "POST", f"/api/v1/jobs/{job['id']}/evidence", headers=staff, **upload
            )
            if sent is None or sent.status_code != 201:
                return None
            version = int(sent.headers["etag"].strip('"'))
        return version

    async def _regulator(self, done: asyncio.Event) -> None:
        while not done.is_set():
            await self.call(
                "metrics",
                "summary",
                "GET",
                "/api/v1/metrics/summary",
                params={"period": _half_year()},
                headers=self._tokens["nea"],
            )
            await asyncio.sleep(0.5)

    async def summary_connected(self) -> int:
        """Connected cases in the regulator's summary of this half-year, all categories (not noted as traffic)."""
        response = await self._client.get(
            f"{self.cluster.base_url('metrics')}/api/v1/metrics/summary",
            params={"period": _half_year()},
            headers=self._tokens["nea"],
        )
        response.raise_for_status()
        return sum(int(row["connected_count"]) for row in response.json()["rows"])

    def outcomes(self, start: float, end: float) -> dict[str, Counter[str]]:
        """service -> failed requests under way at some time in [start, end), by status or error."""
        counts: dict[str, Counter[str]] = {}
        for answer in self.answers:
            if answer.failed and answer.ended >= start and answer.at < end:
                counts.setdefault(answer.service, Counter())[f"{answer.action}: {answer.outcome}"] += 1
        return counts

    def failing(self, start: float, end: float) -> dict[str, tuple[float, float]]:
        """service -> (first sent, last answered) of its failed requests under way in [start, end), from start."""
        spans: dict[str, tuple[float, float]] = {}
        for answer in self.answers:
            if answer.failed and answer.ended >= start and answer.at < end:
                first, last = spans.get(answer.service, (answer.at - start, answer.ended - start))
                spans[answer.service] = (min(first, answer.at - start), max(last, answer.ended - start))
        return spans


def _half_year() -> str:
    today = local_date(datetime.now(UTC))
    return f"{today.year}H{1 if today.month <= 6 else 2}"
