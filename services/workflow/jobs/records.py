"""Fees charged and office visits made: what the zero-investment and zero-visit promises are checked by."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.clock import local_date
from services.intake import events as intake_events
from services.workflow import events
from services.workflow.jobs.change import Change, apply
from services.workflow.jobs.context import Context
from services.workflow.jobs.exceptions import VisitBeforeApplication, VisitInFuture
from services.workflow.jobs.models import Job, JobFee, JobVisit
from services.workflow.jobs.schemas import FeeCreate, VisitCreate

CENT = Decimal("0.01")


async def record_fee(session: AsyncSession, job: Job, *, fee: FeeCreate, expected: int | None, ctx: Context) -> JobFee:
    """Record a fee; a customer-paid one in a zero-investment category is kept, and flagged."""
    category = ctx.category(job.rule_set, job.category)
    amount = fee.amount_yuan.quantize(CENT)
    flagged = fee.payer == "customer" and amount > 0 and category.zero_investment
    row = JobFee(
        id=str(uuid.uuid4()),
        job_id=job.id,
        code=fee.code,
        amount_yuan=amount,
        payer=fee.payer,
        note=fee.note,
        flagged=flagged,
        recorded_at=ctx.now,
        recorded_by=ctx.actor,
    )

    def record() -> Change:
        row.audit_seq = job.audit_seq + 1
        job.fees.append(row)
        figures = {"fee_id": row.id, "code": fee.code, "payer": fee.payer, "flagged": flagged}
        return Change(
            "fee_recorded",
            {**figures, "amount_yuan": str(amount), "note": fee.note},
            events.JobFeeRecorded,
            {**figures, "amount_yuan": amount},
        )

    await apply(session, job, record, ctx=ctx, expected=expected)
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
    category = ctx.category(job.rule_set, job.category)
    row = JobVisit(
        id=str(uuid.uuid4()),
        job_id=job.id,
        visited_on=visit.visited_on,
        purpose=visit.purpose,
        recorded_at=ctx.now,
        recorded_by=ctx.actor,
    )

    def record() -> Change:
        row.audit_seq, row.over_allowance = job.audit_seq + 1, len(job.visits) + 1 > category.allowed_visits
        job.visits.append(row)
        figures = {"visit_id": row.id, "purpose": visit.purpose, "over_allowance": row.over_allowance}
        return Change(
            "visit_recorded",
            {
                **figures,
                "visited_on": visit.visited_on.isoformat(),
                "visits": len(job.visits),
                "allowed_visits": category.allowed_visits,
            },
            events.JobVisitRecorded,
            {**figures, "visited_on": visit.visited_on},
        )

    await apply(session, job, record, ctx=ctx, expected=expected)
    return row


async def note_dispute(
    session: AsyncSession, job: Job, *, dispute: intake_events.ApplicationDisputed, ctx: Context
) -> None:
    """The applicant disputed a visit or fee of the job: written into its audit chain for staff and managers to see.

    Open or closed, the job's history takes it (a dispute may come after connection); the reason stays in intake.
    """

    def note() -> Change:
        details = {
            "dispute_id": dispute.dispute_id,
            "record": dispute.record,
            "record_id": dispute.record_id,
            "record_on": dispute.record_on.isoformat(),
            "disputed_at": dispute.disputed_at.isoformat(),
        }
        return Change("disputed", details)

    await apply(session, job, note, ctx=ctx, expected=None, open_only=False)
