"""Load-or-404 for a complaint its caller may handle."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.common.auth import Principal, require_roles
from services.common.db import DbSession
from services.common.errors import NotFound
from services.metrics.access import scope_for
from services.metrics.complaints.models import Complaint

Handler = Annotated[Principal, Depends(require_roles("regulator", "manager", "admin"))]


async def get_complaint_to_handle(complaint_id: str, session: DbSession, handler: Handler) -> Complaint:
    """The complaint, if it lies in the caller's regions (regulator) or company (manager); else 404."""
    complaint = await session.get(Complaint, complaint_id, with_for_update=True)
    if complaint is None or not scope_for(handler).covers(complaint.region, complaint.grid_company):
        raise NotFound(f"No complaint {complaint_id} in your scope.")
    return complaint


HandledComplaint = Annotated[Complaint, Depends(get_complaint_to_handle)]
