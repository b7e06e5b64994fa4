"""The supply contract of an application: read it as a PDF, sign it online."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Response, status

from services.common.db import DbSession
from services.common.errors import Unprocessable, problem_responses
from services.common.work import Work
from services.intake.access import AUTH_ERRORS, Applicant
from services.intake.applications.dependencies import OwnedApplication, ReadableApplication
from services.intake.applications.exceptions import ApplicationNotFound, InvalidTransition
from services.intake.contracts import render
from services.intake.contracts import service as contract_service
from services.intake.contracts.dependencies import ClientAddress, UserAgent
from services.intake.contracts.exceptions import ContractAlreadySigned, ContractNotReady
from services.intake.contracts.schemas import SignatureCreate, SignatureRead

router = APIRouter(prefix="/api/v1/applications/{application_id}/contract", tags=["contracts"])


@router.get(
    "",
    response_class=Response,
    responses={
        **problem_responses(*AUTH_ERRORS, ApplicationNotFound, ContractNotReady),
        200: {
            "content": {render.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            "description": "The contract (PDF). Its ETag is the SHA-256 of the file, the one a signature records.",
        },
    },
)
async def read_contract(session: DbSession, application: ReadableApplication) -> Response:
    """The supply contract as a PDF, once the grid company has accepted the case (409 before).

    The same case always gives the same file, before and after signing. The applicant and the staff and
    managers of the application's grid company (read only) may fetch it; anyone else gets 404.
    """
    contract = await contract_service.ready_contract(session, application)
    content = contract_service.pdf(application, contract)
    digest = hashlib.sha256(content).hexdigest()
    headers = {
        "ETag": f'"{digest}"',
        "Content-Disposition": f'inline; filename="contract-{application.number}.pdf"',
        "Cache-Control": "private, no-store",
    }
    return Response(content, media_type=render.MEDIA_TYPE, headers=headers)


@router.post(
    "/sign",
    status_code=status.HTTP_201_CREATED,
    response_model=SignatureRead,
    responses=problem_responses(
        *AUTH_ERRORS, ApplicationNotFound, ContractNotReady, ContractAlreadySigned, InvalidTransition, Unprocessable
    ),
)
async def sign_contract(
    body: SignatureCreate,
    work: Work,
    application: OwnedApplication,
    applicant: Applicant,
    client: ClientAddress,
    user_agent: UserAgent = None,
) -> SignatureRead:
    """Sign the supply contract online, once (`{"agree": true}`): no trip to a service hall.

    409 `contract-not-ready` before the case is accepted, `contract-already-signed` after a signature,
    `invalid-transition` once the application is withdrawn. The signature keeps the SHA-256 of the PDF
    that `GET .../contract` serves, the signer, the time and the client's address and user agent.
    """
    contract = await contract_service.sign(
        work, application, signer_id=applicant.subject, client=client, user_agent=user_agent
    )
    return SignatureRead.model_validate(contract)
