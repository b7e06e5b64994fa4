"""Public status lookup, no account (Open311 style), throttled per client address."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from services.common.db import DbSession
from services.common.errors import Unprocessable, problem_responses
from services.intake.identity.router import client_address
from services.intake.lookup import service as lookup_service
from services.intake.lookup.exceptions import CaseNotFound, TooManyLookups
from services.intake.lookup.schemas import CaseNumber, PhoneLast4, PublicStatusRead
from services.intake.state import LookupThrottle

router = APIRouter(prefix="/api/v1/public/applications", tags=["public"])

# Every lookup counts under one name: only the per-client counter of the throttle limits it.
LOOKUP = "public-status-lookup"


@router.get(
    "/{number}",
    response_model=PublicStatusRead,
    responses=problem_responses(CaseNotFound, TooManyLookups, Unprocessable),
)
async def lookup_application(
    request: Request,
    number: CaseNumber,
    phone_last4: Annotated[PhoneLast4, Query()],
    session: DbSession,
    throttle: LookupThrottle,
) -> PublicStatusRead:
    """A case's status, current step, due date and steps; unknown number and wrong phone are the same 404."""
    # Counted when it starts, so lookups sent at once cannot all pass the check; a hit takes its count back.
    attempt = throttle.admit(
        LOOKUP, client_address(request), refused=TooManyLookups, detail="Too many failed lookups; try again later."
    )
    application = await lookup_service.find(session, number=number, phone_last4=phone_last4)
    throttle.succeeded(attempt)
    return lookup_service.public_status(application)
