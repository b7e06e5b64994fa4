"""Waiting for the relays: what one service did must have reached the others before anyone acts on it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tools.demo.http import Api, Login
from tools.demo.records import CaseRecord
from tools.demo.staff import Team
from tools.demo.timeline import WAIT_STEP, Timeline

POLL_SECONDS = 0.03


class DeliveryTimeout(Exception):
    """Events were not delivered in time; the services' logs say why."""


@dataclass(frozen=True)
class Agreement:
    """How many of the demonstration's cases each service counts as connected."""

    expected: int
    intake: int
    workflow: int
    metrics: int

    @property
    def agree(self) -> bool:
        """Whether all three services count what the demonstration did."""
        return self.expected == self.intake == self.workflow == self.metrics


class Deliveries:
    """Polls the receiving services until the effects of events show; simulated time moves on meanwhile."""

    def __init__(self, api: Api, timeline: Timeline, teams: list[Team], *, timeout_seconds: float = 60) -> None:
        self.api = api
        self.timeline = timeline
        self.teams = {team.grid_company: team for team in teams}
        self.timeout = timeout_seconds

    def until(self, what: str, pending: Iterable[CaseRecord], arrived: Callable[[CaseRecord], bool]) -> None:
        """Look again at the cases not there yet, until every one is."""
        waiting = list(pending)
        deadline = time.monotonic() + self.timeout
        while waiting:
            waiting = [record for record in waiting if not arrived(record)]
            if not waiting:
                return
            if time.monotonic() > deadline:
                keys = ", ".join(r.key for r in waiting[:5])
                raise DeliveryTimeout(f"{what}: not delivered within {self.timeout:.0f} s (cases {keys})")
            self.timeline.tick(WAIT_STEP)
            time.sleep(POLL_SECONDS)

    def job(self, record: CaseRecord) -> dict[str, Any] | None:
        """The workflow job of an application, as its grid company's staff see it."""
        team = self.teams[record.grid_company]
        path = f"/api/v1/jobs?application_id={record.application_id}&limit=1"
        items: list[dict[str, Any]] = self.api.workflow("GET", path, team.staff[0]).json()["items"]
        return items[0] if items else None

    def jobs_created(self, records: Iterable[CaseRecord]) -> None:
        """Every new application has its job."""

        def arrived(record: CaseRecord) -> bool:
            job = self.job(record)
            if job is not None:
                record.job_id = job["id"]
            return job is not None

        self.until("application.submitted to workflow", records, arrived)

    def jobs_withdrawn(self, records: Iterable[CaseRecord]) -> None:
        """Every withdrawn application's job is closed."""
        self.until(
            "application.withdrawn to workflow", records, lambda r: (self.job(r) or {}).get("status") == "withdrawn"
        )

    def intake_connected(self, records: Iterable[CaseRecord]) -> None:
        """Intake shows every newly connected case as connected, so that its applicant can rate it."""
        self.until("job.connected to intake", records, lambda r: self._application(r)["status"] == "connected")

    def _application(self, record: CaseRecord) -> dict[str, Any]:
        path = f"/api/v1/applications/{record.application_id}"
        body: dict[str, Any] = self.api.intake("GET", path, record.login).json()
        return body

    def agreement(self, records: list[CaseRecord], regulator: Login, logins: Iterable[Login]) -> Agreement:
        """Count the connected cases in each service, waiting until metrics has caught up."""
        connected = [r for r in records if r.status == "connected"]

        def in_metrics(record: CaseRecord) -> bool:
            response = self.api.metrics(
                "GET", f"/api/v1/metrics/cases/{record.application_id}", regulator, expect=(200, 404)
            )
            return response.status_code == 200 and response.json().get("connected_at") is not None

        try:
            self.until("events to metrics", connected, in_metrics)
        except DeliveryTimeout:
            pass  # counted below as they are
        intake = sum(
            self.api.intake("GET", "/api/v1/applications?status=connected&limit=1", login).json()["total"]
            for login in logins
        )
        workflow = sum((self.job(r) or {}).get("status") == "connected" for r in records)
        metrics = sum(in_metrics(r) for r in connected)
        return Agreement(expected=len(connected), intake=intake, workflow=workflow, metrics=metrics)

    def settled(self, read: Callable[[], Any], *, quiet_seconds: float = 1.0) -> Any:
        """Read something until two reads a moment apart agree (or the timeout passes); the last read."""
        deadline = time.monotonic() + self.timeout
        last = read()
        while time.monotonic() < deadline:
            time.sleep(quiet_seconds)
            self.timeline.tick(WAIT_STEP)
            current = read()
            if current == last:
                return current
            last = current
        return last
