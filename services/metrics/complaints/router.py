"""POST /complaints (regulators, admins) and GET /complaints (scoped like every figure)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse
from sqlalchemy import func, select

from services.common.auth import Principal, require_roles
from services.common.clock import CurrentClock, local_date
from services.common.db import DbSession
from services.common.errors import Conflict, Forbidden, NotFound, Unauthorized, Unprocessable, problem_responses
from services.common.idempotency import IdempotencyKeyReused, IdempotentRequestInFlight
from services.common.state import CurrentRules
from services.common.work import IdempotencyKey, Work
from services.metrics.access import ReadScope
from services.metrics.complaints.dependencies import HandledComplaint, Handler
from services.metrics.complaints.models import COMPLAINT, Complaint
from services.metrics.complaints.schemas import (
    STATUS_ORDER,
    ComplaintCreate,
    ComplaintPage,
    ComplaintRead,
    ComplaintUpdate,
)
from services.metrics.figures.dependencies import Limit, Offset
from services.metrics.periods import BadPeriod, resolve

router = APIRouter(prefix="/api/v1/complaints", tags=["complaints"])
Recorder = Annotated[Principal, Depends(require_roles("regulator", "admin"))]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ComplaintRead,
    responses=problem_responses(
        Unauthorized, Forbidden, Unprocessable, IdempotencyKeyReused, IdempotentRequestInFlight
    ),
)
async def record_complaint(
    rules: CurrentRules,
    body: ComplaintCreate,
    work: Work,
    recorder: Recorder,
    idempotency_key: IdempotencyKey = None,
) -> ComplaintRead | JSONResponse:
    """Record a 12398 hotline complaint in one of the caller's regions.

    Honours `Idempotency-Key`: a complaint sent again after a lost answer is recorded once.
    """
    if recorder.role == "regulator" and not recorder.covers_region(body.region):
        raise Forbidden(f"Region {body.region} is outside your regions.")
    received_on = local_date(body.received_at)
    served = rules.in_force_on(received_on).grid_company_for(body.region)
    if served != body.grid_company:
        who = served or "no grid company"
        raise Unprocessable(f"Region {body.region} is served by {who}, not {body.grid_company}.")

    async def record() -> ComplaintRead:
        complaint = Complaint(
            id=str(uuid.uuid4()),
            received_on=received_on,
            recorded_by=recorder.subject,
            created_at=work.now,
            status="received",
            resolution=None,
            handled_by=None,
            handled_at=None,
            **body.model_dump(),
        )
        work.session.add(complaint)
        await work.session.flush()
        return ComplaintRead.model_validate(complaint)

    return await work.idempotent(
        owner_id=recorder.subject, key=idempotency_key, body=body, status_code=status.HTTP_201_CREATED, action=record
    )


@router.get("", response_model=ComplaintPage, responses=problem_responses(Unauthorized, Forbidden, BadPeriod))
async def list_complaints(
    session: DbSession,
    scope: ReadScope,
    period: Annotated[str | None, Query(max_length=32)] = None,
    start: Annotated[date | None, Query(alias="from")] = None,
    end: Annotated[date | None, Query(alias="to")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ComplaintPage:
    """Complaints in the caller's scope, newest first, optionally within a period (by date received)."""
    where = [scope.fact_filter(COMPLAINT)]
    if period is not None or start is not None or end is not None:
        within = resolve(period, start, end)
        where.append(COMPLAINT.c.received_on.between(within.start, within.end))
    total = int((await session.execute(select(func.count()).select_from(COMPLAINT).where(*where))).scalar_one())
    statement = select(Complaint).where(*where).order_by(Complaint.received_at.desc(), Complaint.id)
    complaints = (await session.scalars(statement.limit(limit).offset(offset))).all()
    return ComplaintPage(
        items=[ComplaintRead.model_validate(c) for c in complaints], total=total, limit=limit, offset=offset
    )


@router.patch(
    "/{complaint_id}",
    response_model=ComplaintRead,
    responses=problem_responses(Unauthorized, Forbidden, NotFound, Conflict, Unprocessable),
)
async def handle_complaint(
    body: ComplaintUpdate, complaint: HandledComplaint, session: DbSession, handler: Handler, clock: CurrentClock
) -> ComplaintRead:
    """Assign a complaint to its grid company or resolve it (with a resolution); a status never goes back."""
    status_now = complaint.status
    if body.status is not None:
        if STATUS_ORDER.index(body.status) <= STATUS_ORDER.index(status_now):
            raise Conflict(f"The complaint is already {status_now}.")
        status_now = body.status
    resolution = body.resolution if body.resolution is not None else complaint.resolution
    if status_now == "resolved" and resolution is None:
        raise Unprocessable("Resolving a complaint needs a resolution.")
    complaint.status, complaint.resolution = status_now, resolution
    complaint.handled_by, complaint.handled_at = handler.subject, clock.now()
    await session.flush()
    return ComplaintRead.model_validate(complaint)
