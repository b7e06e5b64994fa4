"""The application a contract belongs to, loaded for who may read or sign it, and where a signature came from."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from services.common.auth import Principal, require_roles
from services.common.db import DbSession
from services.intake.access import CaseReach
from services.intake.applications import service as application_service
from services.intake.applications.models import Application
from services.intake.identity.router import client_address

Applicant = Annotated[Principal, Depends(require_roles("applicant"))]


async def _readable(application_id: str, session: DbSession, reach: CaseReach) -> Application:
    return await application_service.get_readable(session, reach=reach, application_id=application_id)


async def _owned(application_id: str, session: DbSession, applicant: Applicant) -> Application:
    return await application_service.get_for_owner(session, owner_id=applicant.subject, application_id=application_id)


# The applicant's own application, or one of the caller's company (staff, managers: read only); else 404.
ReadableApplication = Annotated[Application, Depends(_readable)]
# The applicant's own application; anyone else's is 404.
OwnedApplication = Annotated[Application, Depends(_owned)]


async def _client(request: Request) -> str:
    # The same address the sign-in and registration throttles count: the proxy's word only from trusted proxies.
    return client_address(request)


ClientAddress = Annotated[str, Depends(_client)]
# Kept as evidence of the signature; an over-long value is cut, not refused, as clients choose it freely.
UserAgent = Annotated[str | None, Header(alias="User-Agent", include_in_schema=False)]
