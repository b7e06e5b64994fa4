"""Importing licences, recording a job's contractor, and checking the licence before completion inspection."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Unprocessable, ValidationProblem
from services.workflow import events
from services.workflow.contractors.models import ContractorLicence
from services.workflow.contractors.schemas import LicenceCreate
from services.workflow.jobs.change import Change, apply
from services.workflow.jobs.context import Context
from services.workflow.jobs.models import Job

REQUIRED_SCOPE = "install"


class LicenceInvalidProblem(ValidationProblem):
    """Completion inspection refused for the contractor's licence."""

    reason: str = Field(description="What is wrong: `missing`, `expired`, `class_too_low` or `scope`.",
                        examples=["expired"])  # fmt: skip
    licence_number: str | None = Field(description="The licence recorded on the job, if any.",
                                       examples=["1-1-00123-2020"])  # fmt: skip
    required_class: int = Field(description="The lowest class (1 highest, 5 lowest) the category allows.",
                                examples=[3])  # fmt: skip


class LicenceInvalid(
    Unprocessable,
    slug="licence-invalid",
    title="Contractor licence missing, expired or of too low a class",
    schema=LicenceInvalidProblem,
): ...


class ContractorNotApplicable(
    Unprocessable, slug="contractor-not-applicable", title="No contractor licence is checked for this job"
): ...


async def import_licences(
    session: AsyncSession, licences: Sequence[LicenceCreate], *, now: datetime
) -> tuple[int, int]:
    """Add or replace licences by number; how many were new and how many replaced."""
    numbers = [licence.number for licence in licences]
    found = {
        row.number: row
        for row in await session.scalars(select(ContractorLicence).where(ContractorLicence.number.in_(numbers)))
    }
    imported = updated = 0
    for licence in licences:
        row = found.get(licence.number)
        if row is None:
            row = ContractorLicence(number=licence.number)
            session.add(row)
            found[licence.number] = row
            imported += 1
        else:
            updated += 1
        row.holder, row.licence_class, row.scopes = licence.holder, licence.licence_class, list(licence.scopes)
        row.valid_until, row.imported_at = licence.valid_until, now
    await session.flush()
    return imported, updated


async def record_contractor(
    session: AsyncSession, job: Job, *, licence_number: str, expected: int | None, ctx: Context
) -> Job:
    """Record the customer's contractor on a job whose category checks contractor licences, and say if it is valid."""
    max_class = ctx.category(job.rule_set, job.category).contractor_max_class
    if max_class is None:
        raise ContractorNotApplicable(f"A {job.category} job has no contractor licence to check.")
    problem = await licence_problem(session, licence_number, max_class=max_class, ctx=ctx)
    reason = problem and problem[0]

    def record() -> Change:
        previous, job.contractor_licence_number = job.contractor_licence_number, licence_number
        return Change(
            "contractor_recorded",
            {"licence_number": licence_number, "previous": previous, "licence_problem": reason},
            events.JobContractorRecorded,
            {"licence_number": licence_number, "licence_valid": problem is None, "licence_problem": reason},
        )

    await apply(session, job, record, ctx=ctx, expected=expected)
    return job


async def licence_problem(
    session: AsyncSession, number: str | None, *, max_class: int, ctx: Context
) -> tuple[str, str] | None:
    """Why a licence may not build the works (a reason code and a sentence), or None if it may."""
    licence = await session.get(ContractorLicence, number) if number else None
    if licence is None:
        return (
            "missing",
            "No contractor is recorded on the job." if not number else f"Licence {number} is not registered.",
        )
    if not licence.is_valid_on(ctx.today):
        return "expired", f"Licence {number} ended on {licence.valid_until}."
    if licence.licence_class > max_class:
        return (
            "class_too_low",
            f"Licence {number} is class {licence.licence_class}; class {max_class} or higher is needed.",
        )
    if REQUIRED_SCOPE not in licence.scopes:
        return "scope", f"Licence {number} does not cover installation."
    return None


async def check_before_completion_inspection(session: AsyncSession, job: Job, *, ctx: Context) -> None:
    """Refuse completion inspection unless the contractor holds a valid licence of a high enough class."""
    max_class = ctx.category(job.rule_set, job.category).contractor_max_class
    if max_class is None:
        return
    number = job.contractor_licence_number
    problem = await licence_problem(session, number, max_class=max_class, ctx=ctx)
    if problem is not None:
        reason, detail = problem
        raise LicenceInvalid(detail, reason=reason, licence_number=number, required_class=max_class)
