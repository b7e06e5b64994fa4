"""An application loaded for who may act on it: its applicant, or anyone who may read the case."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from services.common.db import DbSession
from services.intake.access import Applicant, CaseReach
from services.intake.applications import service as application_service
from services.intake.applications.models import Application


async def _owned(application_id: str, session: DbSession, applicant: Applicant) -> Application:
    return await application_service.get_for_owner(session, owner_id=applicant.subject, application_id=application_id)


async def _readable(application_id: str, session: DbSession, reach: CaseReach) -> Application:
    return await application_service.get_readable(session, reach=reach, application_id=application_id)


# The applicant's own application; anyone else's is 404.
OwnedApplication = Annotated[Application, Depends(_owned)]
# The applicant's own application, or one of the caller's company (staff, managers: read only); else 404.
ReadableApplication = Annotated[Application, Depends(_readable)]
