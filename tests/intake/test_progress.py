"""Progress back to the applicant from workflow's job events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.common.clock import FixedClock
from services.workflow import events as job_events
from tests.intake.helpers import application_body, sign_in, upload_all
from tests.metrics.support import deliver
from tests.support.services import Service


def _connected(application_id: str, clock: FixedClock) -> dict[str, Any]:
    """job.connected as workflow declares it."""
    steps = [
        job_events.JobStep(code=code, name=name, limit_working_days=limit, completed_at=clock.now())
        for code, name, limit in (("accept", "受理签约", 3), ("connect", "装表接电", 12))
    ]
    event = job_events.JobConnected(
        job_id="job-1",
        application_id=application_id,
        grid_company="SGCC-BJ",
        region="110105",
        at=clock.now(),
        current_step=None,
        steps=steps,
        category="sme_lv",
        connected_at=clock.now(),
        working_days=4,
        paused_working_days=0,
        customer_cost_yuan=Decimal(0),
        visits=0,
        within_limit=True,
    )
    return event.model_dump(mode="json")


async def _apply(intake: Service) -> tuple[dict[str, str], str]:
    headers = await sign_in(intake.client, "alice")
    created = await intake.client.post(
        "/api/v1/applications", headers=headers, json=application_body(await upload_all(intake.client, headers))
    )
    return headers, created.json()["id"]


async def test_a_connection_reaches_the_applicant(intake: Service, clock: FixedClock) -> None:
    headers, application_id = await _apply(intake)
    connected = _connected(application_id, clock)
    assert (await deliver(intake.client, clock, "job.connected", connected, source="workflow")).status_code == 200
    read = (await intake.client.get(f"/api/v1/applications/{application_id}", headers=headers)).json()
    assert read["status"] == "connected"
    assert read["progress"]["timeline"][-1]["event"] == "job.connected"


async def test_a_connection_wins_over_a_withdrawal_that_crossed_it(intake: Service, clock: FixedClock) -> None:
    headers, application_id = await _apply(intake)
    assert (await intake.client.post(f"/api/v1/applications/{application_id}/withdraw", headers=headers)).is_success
    connected = _connected(application_id, clock)
    await deliver(intake.client, clock, "job.connected", connected, source="workflow")
    read = (await intake.client.get(f"/api/v1/applications/{application_id}", headers=headers)).json()
    assert read["status"] == "connected"
