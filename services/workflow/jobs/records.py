"""Fees charged and office visits made: what the zero-investment and zero-visit promises are checked by."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.clock import local_date
from services.workflow import events
from services.workflow.jobs import audit, concurrency
from services.workflow.jobs.context import Context
from services.workflow.jobs.exceptions import VisitBeforeApplication, VisitInFuture
from services.workflow.jobs.models import Job, JobFee, JobVisit
from services.workflow.jobs.publishing import job_fields, publish_job_event
from services.workflow.jobs.schemas import FeeCreate, VisitCreate

CENT = Decimal("0.01")


async def record_fee(session: AsyncSession, job: Job, *, fee: FeeCreate, expected: int | None, ctx: Context) -> JobFee:
    """Record a fee; a customer-paid one in a zero-investment category is kept, and flagged."""
    await concurrency.take_open(session, job, expected=expected)
    category = ctx.category(job.rule_set, job.category)
    amount = fee.amount_yuan.quantize(CENT)
    flagged = fee.payer == "customer" and amount > 0 and category.zero_investment
    row = JobFee(
        id=str(uuid.uuid4()),
        job_id=job.id,
        audit_seq=job.audit_seq + 1,
        code=fee.code,
        amount_yuan=amount,
        payer=fee.payer,
        note=fee.note,
        flagged=flagged,
        recorded_at=ctx.now,
        recorded_by=ctx.actor,
    )
    job.fees.append(row)
    audit.append(
        session,
        job,
        at=ctx.now,
        actor=ctx.actor,
        action="fee_recorded",
        details={
            "fee_id": row.id,
            "code": fee.code,
            "amount_yuan": str(amount),
            "payer": fee.payer,
            "flagged": flagged,
            "note": fee.note,
        },
    )
    await publish_job_event(
        session,
        ctx,
        job,
        events.JobFeeRecorded(
            **job_fields(job, ctx),
            fee_id=row.id,
            code=fee.code,
            amount_yuan=amount,
            payer=fee.payer,
            flagged=flagged,
        ),
    )
    return row


async def record_visit(
    session: AsyncSession, job: Job, *, visit: VisitCreate, expected: int | None, ctx: Context
) -> JobVisit:
    """Record a customer's trip to an office; past the category's allowance it is over_allowance."""
    if visit.visited_on > ctx.today:
        raise VisitInFuture(f"{visit.visited_on} is after today ({ctx.today}).")
    submitted_on = local_date(job.submitted_at)
    if visit.visited_on < submitted_on:
        raise VisitBeforeApplication(f"{visit.visited_on} is before the application was submitted ({submitted_on}).")
    await concurrency.take_open(session, job, expected=expected)
    category = ctx.category(job.rule_set, job.category)
    over = len(job.visits) + 1 > category.allowed_visits
    row = JobVisit(
        id=str(uuid.uuid4()),
        job_id=job.id,
        audit_seq=job.audit_seq + 1,
        visited_on=visit.visited_on,
        purpose=visit.purpose,
        over_allowance=over,
        recorded_at=ctx.now,
        recorded_by=ctx.actor,
    )
    job.visits.append(row)
    audit.append(
        session,
        job,
        at=ctx.now,
        actor=ctx.actor,
        action="visit_recorded",
        details={
            "visit_id": row.id,
            "visited_on": visit.visited_on.isoformat(),
            "purpose": visit.purpose,
            "over_allowance": over,
            "visits": len(job.visits),
            "allowed_visits": category.allowed_visits,
        },
    )
    await publish_job_event(
        session,
        ctx,
        job,
        events.JobVisitRecorded(
            **job_fields(job, ctx),
            visit_id=row.id,
            visited_on=visit.visited_on,
            purpose=visit.purpose,
            over_allowance=over,
        ),
    )
    return row
