"""The applications dispute routes act on, and the key that makes raising a dispute safe to send again."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path

from services.common.db import DbSession
from services.intake.access import CaseReach
from services.intake.applications import service as application_service
from services.intake.applications.models import Application

ApplicationId = Annotated[str, Path(min_length=1, max_length=36)]


async def _readable_application(application_id: ApplicationId, session: DbSession, reach: CaseReach) -> Application:
    return await application_service.get_readable(session, reach=reach, application_id=application_id)


# The applicant, or staff and managers of the grid company that must answer the dispute; anyone else: 404.
ReadableApplication = Annotated[Application, Depends(_readable_application)]
