"""Who may read a case in intake: its applicant, or the staff and managers of the grid company handling it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.common.auth import Principal, require_roles
from services.common.errors import Forbidden


@dataclass(frozen=True)
class Reach:
    """The cases a caller may read: those it owns (an applicant) or those of its grid company (staff, managers)."""

    owner_id: str | None = None
    grid_company: str | None = None


def _reach(reader: Annotated[Principal, Depends(require_roles("applicant", "staff", "manager"))]) -> Reach:
    if reader.role == "applicant":
        return Reach(owner_id=reader.subject)
    if not reader.grid_company:
        raise Forbidden("Your token names no grid company.")
    return Reach(grid_company=reader.grid_company)


CaseReach = Annotated[Reach, Depends(_reach)]
