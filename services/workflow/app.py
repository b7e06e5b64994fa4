"""The workflow service: jobs, steps, deadlines, pauses, fees, visits, the audit chain and the calendar."""

from __future__ import annotations

from typing import Unpack

from fastapi import FastAPI

from services.common.app import Overrides, ServiceParts, create_service_app, prune_task, relay_task
from services.common.events import make_events_router
from services.common.limits import MULTIPART_OVERHEAD
from services.workflow import events
from services.workflow.calendar.router import router as calendar_router
from services.workflow.contractors.router import router as contractors_router
from services.workflow.db import calendar_tables, event_tables, idempotency_table
from services.workflow.evidence.router import router as evidence_router
from services.workflow.glossary import GLOSSARY
from services.workflow.jobs.audit_router import router as audit_router
from services.workflow.jobs.handlers import make_handlers
from services.workflow.jobs.router import router as jobs_router
from services.workflow.settings import WorkflowSettings
from services.workflow.staff.router import router as staff_router

EVIDENCE_PATH = "/api/v1/jobs/{job_id}/evidence"
TAGS = [
    {"name": "jobs", "description": "A grid company's work on each application, step by step, against deadlines."},
    {"name": "staff", "description": "The grid companies' staff directory, as intake announces its accounts."},
    {"name": "audit", "description": "The hash chain of every change to a job."},
    {"name": "calendar", "description": "Working days on the State Council holiday calendar."},
]


def create_app(settings: WorkflowSettings | None = None, **overrides: Unpack[Overrides]) -> FastAPI:
    """Build the workflow app; the calendar is read from the database at startup unless one is given."""
    settings = settings or WorkflowSettings()
    parts = ServiceParts(
        title="zerovisit workflow",
        description="Jobs for field staff and managers: steps with working-day deadlines, pauses, fees, "
        "visits and an audit chain. Every time is set by the server.",
        routers=[
            jobs_router,
            staff_router,
            audit_router,
            calendar_router,
            contractors_router,
            evidence_router,
            make_events_router(event_tables.inbox, make_handlers()),
        ],
        openapi_tags=TAGS,
        event_tables=event_tables,
        calendar_tables=calendar_tables,
        idempotency_table=idempotency_table,
        background=[relay_task(event_tables)] if settings.relay_enabled else [],
        housekeeping=[prune_task(outbox=event_tables.outbox, inbox=event_tables.inbox)],
        published=events.PUBLISHED,
        body_limits={("POST", EVIDENCE_PATH): settings.evidence_max_bytes + MULTIPART_OVERHEAD},
        glossary=GLOSSARY,
    )
    return create_service_app(settings, parts, **overrides)
