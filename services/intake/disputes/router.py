"""Disputes of a case's visits and fees: raised by its applicant, read by the applicant and the grid company."""

from __future__ import annotations

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse

from services.common.db import DbSession
from services.common.errors import Unprocessable, problem_responses
from services.common.idempotency import IdempotencyKeyReused, IdempotentRequestInFlight
from services.common.work import IdempotencyKey, Work
from services.intake.access import AUTH_ERRORS, Applicant
from services.intake.applications import service as application_service
from services.intake.applications.exceptions import ApplicationNotFound
from services.intake.disputes import service as dispute_service
from services.intake.disputes.dependencies import ApplicationId, ReadableApplication
from services.intake.disputes.exceptions import DisputeExists, RecordNotOnCase
from services.intake.disputes.schemas import DisputeCreate, DisputeList, DisputeRead, DisputeRequest

router = APIRouter(prefix="/api/v1/applications", tags=["disputes"])


@router.post(
    "/{application_id}/disputes",
    status_code=status.HTTP_201_CREATED,
    response_model=DisputeRead,
    responses=problem_responses(
        *AUTH_ERRORS,
        ApplicationNotFound,
        RecordNotOnCase,
        DisputeExists,
        Unprocessable,
        IdempotencyKeyReused,
        IdempotentRequestInFlight,
    ),
)
async def raise_dispute(
    application_id: ApplicationId,
    draft: DisputeCreate,
    applicant: Applicant,
    work: Work,
    idempotency_key: IdempotencyKey = None,
) -> DisputeRead | JSONResponse:
    """Dispute a visit or fee the grid company recorded on the case (its id as the progress lists it).

    Only the application's applicant may; a record that is not on the case is 422 `record-not-on-case`, a
    record with an open dispute already is 409 `dispute-exists`. The reason stays in intake: metrics count
    the dispute against the grid company and list it among violations, knowing only which record and when.
    Honours `Idempotency-Key`.
    """

    async def dispute() -> DisputeRead:
        # Loaded here, not in a dependency: on SQLite the key's claim must come before the request's transaction.
        application = await application_service.get_for_owner(
            work.session, owner_id=applicant.subject, application_id=application_id
        )
        raised = await dispute_service.raise_dispute(work, application, owner_id=applicant.subject, draft=draft)
        return DisputeRead.model_validate(raised)

    return await work.idempotent(
        owner_id=applicant.subject,
        key=idempotency_key,
        # The key is bound to the application too: the same body for another case is another request.
        body=DisputeRequest(application_id=application_id, **draft.model_dump()),
        status_code=status.HTTP_201_CREATED,
        action=dispute,
    )


@router.get(
    "/{application_id}/disputes",
    response_model=DisputeList,
    responses=problem_responses(*AUTH_ERRORS, ApplicationNotFound, Unprocessable),
)
async def list_disputes(session: DbSession, application: ReadableApplication) -> DisputeList:
    """The disputes of an application, oldest first: for its applicant, and its grid company's staff and managers."""
    disputes = await dispute_service.list_for(session, application_id=application.id)
    return DisputeList(items=[DisputeRead.model_validate(d) for d in disputes])
