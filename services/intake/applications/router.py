"""Applications for applicants: apply once, follow progress, withdraw, rate."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from fastapi.responses import JSONResponse

from services.common.db import DbSession
from services.common.errors import Unprocessable, problem_responses
from services.common.idempotency import IdempotencyKeyReused, IdempotentRequestInFlight
from services.common.work import IdempotencyKey, Work
from services.intake.access import AUTH_ERRORS, Applicant
from services.intake.applications import service as application_service
from services.intake.applications.dependencies import OwnedApplication, ReadableApplication
from services.intake.applications.exceptions import (
    ApplicationNotFound,
    IncompleteApplication,
    InvalidTransition,
    UnknownDocuments,
    UnknownRegion,
)
from services.intake.applications.models import Application, ApplicationDocument
from services.intake.applications.schemas import (
    ApplicationCreate,
    ApplicationPage,
    ApplicationRead,
    DocumentsRead,
    EvaluationCreate,
    Status,
)

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])


# The columns of an application its read is made of: each field but the documents, and the documents it requires.
_COLUMNS = (*(name for name in ApplicationRead.model_fields if name != "documents"), "required_documents")


def application_read(application: Application, links: list[ApplicationDocument]) -> ApplicationRead:
    """The owner's view of an application."""
    columns = {name: getattr(application, name) for name in _COLUMNS}
    columns["progress"] = {**application.progress, "connected_at": application.connected_at}
    return _from_columns(
        columns,
        supplied=[link.document_id for link in links if not link.reused],
        reused=[link.document_id for link in links if link.reused],
    )


def submitted_read(submitted: application_service.Submitted) -> ApplicationRead:
    """The owner's view of an application just written, from what was written (no read back)."""
    return _from_columns(submitted.row, supplied=submitted.supplied, reused=submitted.reused)


def _from_columns(columns: Mapping[str, Any], *, supplied: list[str], reused: list[str]) -> ApplicationRead:
    documents = DocumentsRead(required=columns["required_documents"], supplied=supplied, reused=reused)
    return ApplicationRead.model_validate({**columns, "documents": documents})


async def _read(session: DbSession, application: Application) -> ApplicationRead:
    links = await application_service.document_links(session, [application.id])
    return application_read(application, links[application.id])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationRead,
    responses=problem_responses(
        *AUTH_ERRORS,
        IncompleteApplication,
        UnknownRegion,
        UnknownDocuments,
        IdempotencyKeyReused,
        IdempotentRequestInFlight,
    ),
)
async def submit_application(
    draft: ApplicationCreate, applicant: Applicant, work: Work, idempotency_key: IdempotencyKey = None
) -> ApplicationRead | JSONResponse:
    """Submit an application; documents on file and still valid are reused, missing ones are listed at once.

    A requirement is met by any one of its document types (a property certificate or a lease contract;
    for a resident also a commitment letter). A property certificate, lease contract or commitment letter
    counts only for the premises (region and address) of the first application that relied on it.

    An incomplete application is a 422 `incomplete-application` problem with, each unmet requirement once:
    `missing_documents` (the requirements' names, each its usual document type), `expired_documents` (those
    unmet because their documents expired), `required_documents`, and the extension `unmet_requirements`:
    `[{"requirement", "any_of": [document types, any one enough], "reason": "missing" | "expired" |
    "other_premises"}]`.
    """

    async def submit() -> ApplicationRead:
        return submitted_read(await application_service.submit(work, owner_id=applicant.subject, draft=draft))

    return await work.idempotent(
        owner_id=applicant.subject,
        key=idempotency_key,
        body=draft,
        status_code=status.HTTP_201_CREATED,
        action=submit,
    )


@router.get("", response_model=ApplicationPage, responses=problem_responses(*AUTH_ERRORS, Unprocessable))
async def list_applications(
    session: DbSession,
    applicant: Applicant,
    status_filter: Annotated[Status | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> ApplicationPage:
    """The caller's applications, newest first."""
    applications, total = await application_service.list_for_owner(
        session, owner_id=applicant.subject, status=status_filter, limit=limit, offset=offset
    )
    links = await application_service.document_links(session, [a.id for a in applications])
    return ApplicationPage(
        items=[application_read(a, links[a.id]) for a in applications], total=total, limit=limit, offset=offset
    )


@router.get(
    "/{application_id}", response_model=ApplicationRead, responses=problem_responses(*AUTH_ERRORS, ApplicationNotFound)
)
async def read_application(session: DbSession, application: ReadableApplication) -> ApplicationRead:
    """One of the caller's applications, with its progress; staff and managers read their company's cases."""
    return await _read(session, application)


@router.post(
    "/{application_id}/withdraw",
    response_model=ApplicationRead,
    responses=problem_responses(*AUTH_ERRORS, ApplicationNotFound, InvalidTransition),
)
async def withdraw_application(work: Work, application: OwnedApplication) -> ApplicationRead:
    """Withdraw an application that is not yet connected."""
    await application_service.withdraw(work, application)
    return await _read(work.session, application)


@router.post(
    "/{application_id}/evaluation",
    response_model=ApplicationRead,
    responses=problem_responses(*AUTH_ERRORS, ApplicationNotFound, InvalidTransition, Unprocessable),
)
async def evaluate_application(body: EvaluationCreate, work: Work, application: OwnedApplication) -> ApplicationRead:
    """Rate the service once the application is connected (one rating per case)."""
    await application_service.evaluate(work, application, score=body.score, comment=body.comment)
    return await _read(work.session, application)
