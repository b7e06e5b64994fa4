"""The workflow app: health, readiness and the OpenAPI document it publishes."""

from __future__ import annotations

from services.workflow.app import create_app
from services.workflow.settings import WorkflowSettings
from tests.support.services import Service


async def test_a_migrated_workflow_is_ready(workflow: Service) -> None:
    assert (await workflow.client.get("/healthz")).json() == {"status": "ok", "service": "workflow"}
    assert (await workflow.client.get("/readyz")).json() == {"status": "ready", "service": "workflow"}


def test_the_default_subscribers_are_intake_and_metrics_for_job_and_calendar_events() -> None:
    subscribers = WorkflowSettings().subscribers

    assert [(s.name, s.url, s.topics) for s in subscribers] == [
        ("intake", "http://127.0.0.1:8001/internal/events", ("job.*", "calendar.*")),
        ("metrics", "http://127.0.0.1:8003/internal/events", ("job.*", "calendar.*")),
    ]


def test_the_openapi_document_lists_job_events_as_webhooks_and_the_if_match_header() -> None:
    spec = create_app(WorkflowSettings()).openapi()

    assert set(spec["webhooks"]) == {
        "job.created",
        "job.step_completed",
        "job.paused",
        "job.resumed",
        "job.fee_recorded",
        "job.visit_recorded",
        "job.connected",
        "job.due_date_recounted",
        "job.contractor_recorded",
        "job.assigned",
        "calendar.year_published",
    }
    complete = spec["paths"]["/api/v1/jobs/{job_id}/steps/{code}/complete"]["post"]
    assert {"If-Match"} <= {p["name"] for p in complete["parameters"] if p["in"] == "header"}
    assert {"404", "409", "428"} <= set(complete["responses"])
    assert "/internal/events" not in spec["paths"]


def test_the_openapi_document_tells_how_to_assign_and_read_a_queue() -> None:
    spec = create_app(WorkflowSettings()).openapi()

    listing = spec["paths"]["/api/v1/jobs"]["get"]
    (assignee,) = [p for p in listing["parameters"] if p["name"] == "assignee"]
    assert "`me`" in assignee["description"]
    assert "`none`" in assignee["description"]
    assign = spec["paths"]["/api/v1/jobs/{job_id}/assign"]["post"]
    assert "Not an active staff member of the job's company" in assign["responses"]["422"]["description"]
    staff = spec["paths"]["/api/v1/staff"]["get"]
    assert {p["name"] for p in staff["parameters"]} == {"active"}
    assert staff["responses"]["200"]["content"]["application/json"]["schema"]["type"] == "array"
