"""Each publisher signs as itself with its own secret and may send only its own event types."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from services.common.clock import FixedClock
from tests.metrics.live import LiveCase
from tests.metrics.support import deliver
from tests.support.services import EVENTS_SECRETS, Service

SUBMITTED = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


async def _inbox_count(metrics: Service) -> int:
    async with metrics.app.state.database.engine.connect() as connection:
        return int(
            (await connection.execute(select(func.count()).select_from(metrics.app.state.service.inbox))).scalar_one()
        )


def _evaluated(case: LiveCase) -> dict[str, object]:
    return {"application_id": case.application_id, "score": 1, "evaluated_at": SUBMITTED.isoformat()}


async def test_workflow_signing_as_itself_cannot_send_an_application_event(metrics: Service, clock: FixedClock) -> None:
    case = LiveCase(SUBMITTED)
    await deliver(metrics.client, clock, "application.submitted", case.submitted(), source="intake")

    response = await deliver(metrics.client, clock, "application.evaluated", _evaluated(case), source="workflow")

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"].endswith("/event-not-allowed")
    assert (problem["source"], problem["event_type"]) == ("workflow", "application.evaluated")
    assert await _inbox_count(metrics) == 1  # the submission only


async def test_an_event_signed_with_another_publishers_secret_is_401(metrics: Service, clock: FixedClock) -> None:
    case = LiveCase(SUBMITTED)
    response = await deliver(
        metrics.client, clock, "application.submitted", case.submitted(), source="intake",
        secret=EVENTS_SECRETS["workflow"],
    )  # fmt: skip

    assert response.status_code == 401
    assert await _inbox_count(metrics) == 0


async def test_an_envelope_claiming_another_source_than_its_signer_is_422(metrics: Service, clock: FixedClock) -> None:
    case = LiveCase(SUBMITTED)
    response = await deliver(
        metrics.client, clock, "application.submitted", case.submitted(), source="intake", signer="workflow"
    )

    assert response.status_code == 422
    assert "signed" in response.json()["detail"]
    assert await _inbox_count(metrics) == 0


async def test_a_delivery_from_an_unknown_source_is_401(metrics: Service, clock: FixedClock) -> None:
    case = LiveCase(SUBMITTED)
    response = await deliver(
        metrics.client, clock, "application.submitted", case.submitted(), source="intake", signer="stranger",
        secret="x" * 40,
    )  # fmt: skip

    assert response.status_code == 401
    assert "stranger" in response.json()["detail"]
    assert await _inbox_count(metrics) == 0


async def test_each_publisher_is_accepted_for_its_own_events(metrics: Service, clock: FixedClock) -> None:
    case = LiveCase(SUBMITTED)
    submitted = await deliver(metrics.client, clock, "application.submitted", case.submitted(), source="intake")
    evaluated = await deliver(metrics.client, clock, "application.evaluated", _evaluated(case), source="intake")

    assert (submitted.json(), evaluated.json()) == ({"status": "applied"}, {"status": "applied"})
