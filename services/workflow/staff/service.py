"""Keeping the staff directory from intake's announcements, and asking it who may be given a job."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import BindParameter, ScalarSelect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.events import StaffChanged
from services.workflow.staff.exceptions import AccountDeactivated, AssigneeInvalid
from services.workflow.staff.models import StaffMember

# The one role a job is given to: managers hand jobs out, field staff work them.
ASSIGNABLE_ROLE = "staff"


def assignable(member: StaffMember) -> bool:
    """Whether a directory entry may hold jobs: an active field engineer."""
    return member.active and member.role == ASSIGNABLE_ROLE


async def record(session: AsyncSession, *, change: StaffChanged, now: datetime) -> StaffMember | None:
    """Keep an announcement unless the directory already holds this revision or a later one (then None)."""
    member = await session.get(StaffMember, change.account_id, with_for_update=True)
    if member is None:
        member = StaffMember(id=change.account_id, revision=-1)
        try:
            async with session.begin_nested():
                _update(member, change, now)
                session.add(member)
                await session.flush()
            return member
        except IntegrityError:
            # Announced twice at once (a directory published again beside a change): take the stored one.
            member = await session.get(StaffMember, change.account_id, with_for_update=True, populate_existing=True)
            assert member is not None
    if change.revision <= member.revision:
        return None  # stale or already kept: an older change must not undo a newer one
    _update(member, change, now)
    await session.flush()
    return member


def _update(member: StaffMember, change: StaffChanged, now: datetime) -> None:
    member.username, member.name, member.role = change.username, change.name, change.role
    member.grid_company, member.active, member.revision = change.grid_company, change.active, change.revision
    member.updated_at = now


async def listing(session: AsyncSession, *, grid_company: str | None, active: bool | None) -> Sequence[StaffMember]:
    """A company's directory (every company's when grid_company is None), by company and username."""
    query = select(StaffMember)
    if grid_company is not None:
        query = query.where(StaffMember.grid_company == grid_company)
    if active is not None:
        query = query.where(StaffMember.active.is_(active))
    return (await session.scalars(query.order_by(StaffMember.grid_company, StaffMember.username))).all()


async def require_assignable(session: AsyncSession, *, assignee: str, grid_company: str) -> StaffMember:
    """The directory entry of an active field engineer of the company; 422 assignee-invalid otherwise.

    The entry is read with a share lock (PostgreSQL): a deactivation committing meanwhile waits for this
    assignment, then finds the job assigned and unassigns it, or this waits for it and refuses.
    """
    member = await session.scalar(select(StaffMember).where(StaffMember.id == assignee).with_for_update(read=True))
    if member is None or member.grid_company != grid_company or not assignable(member):
        # Another company's staff are not told apart from unknown ids: the directory is read per company.
        ours = member is not None and member.grid_company == grid_company
        reason = "deactivated" if ours and member is not None and not member.active else "not_staff_of_company"
        raise AssigneeInvalid(
            f"{assignee!r} is not an active staff member of {grid_company}; pick one from GET /api/v1/staff.",
            assignee=assignee,
            reason=reason,
        )
    return member


def listed_active(subject: str | BindParameter[str]) -> ScalarSelect[bool | None]:
    """Whether the directory lists the account as active (NULL when not listed), to read beside something else."""
    return select(StaffMember.active).where(StaffMember.id == subject).scalar_subquery()


def refuse_deactivated(active: bool | None) -> None:
    """401 when the directory lists the account of a token as deactivated (a subject not listed passes)."""
    if active is False:
        raise AccountDeactivated("The account of this token is deactivated.")


async def refuse_if_deactivated(session: AsyncSession, subject: str) -> None:
    """401 for a token of an account the directory lists as deactivated (a subject not listed passes)."""
    refuse_deactivated(await session.scalar(select(listed_active(subject))))
