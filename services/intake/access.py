"""Who may act in intake: applicants, and the readers of a case (its applicant, its grid company's staff)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.common.auth import Principal, require_roles
from services.common.db import DbSession
from services.common.errors import Forbidden, Unauthorized
from services.intake.identity import service as identity_service

# What a route for signed-in callers of some roles answers without a valid token, or to a caller of another role.
AUTH_ERRORS = (Unauthorized, Forbidden)
Applicant = Annotated[Principal, Depends(require_roles("applicant"))]


@dataclass(frozen=True)
class Reach:
    """The cases a caller may read: those it owns (an applicant) or those of its grid company (staff, managers)."""

    owner_id: str | None = None
    grid_company: str | None = None


async def _reach(
    reader: Annotated[Principal, Depends(require_roles("applicant", "staff", "manager"))], session: DbSession
) -> Reach:
    if reader.role == "applicant":
        return Reach(owner_id=reader.subject)
    if not reader.grid_company:
        raise Forbidden("Your token names no grid company.")
    # A token outlives a deactivation by up to its lifetime: the company's cases are not read with it.
    await identity_service.refuse_if_deactivated(session, reader.subject)
    return Reach(grid_company=reader.grid_company)


CaseReach = Annotated[Reach, Depends(_reach)]
