"""Evidence from the site, uploaded and read by the staff and managers of the job's company."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from fastapi.responses import FileResponse
from pydantic import AwareDatetime

from services.common import downloads, files
from services.common.db import DbSession
from services.common.errors import Forbidden, Unauthorized, Unprocessable, problem_responses
from services.common.rules.models import EvidenceKind
from services.workflow.evidence import service as evidence_service
from services.workflow.evidence.dependencies import CurrentEvidence, FieldJob, FieldJobChange, Store
from services.workflow.evidence.exceptions import EvidenceNotFound, PositionIncomplete, TakenAtOutOfRange, UnknownStep
from services.workflow.evidence.schemas import EvidenceRead
from services.workflow.jobs.exceptions import JobClosed, JobNotFound, MalformedVersion, StaleVersion

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])

_READ_ERRORS = (Unauthorized, Forbidden, JobNotFound)
_UPLOAD_ERRORS = (
    *_READ_ERRORS,
    MalformedVersion,
    StaleVersion,
    JobClosed,
    files.FileTooLarge,
    files.UnsupportedFile,
    UnknownStep,
    PositionIncomplete,
    TakenAtOutOfRange,
    Unprocessable,
)


@router.post(
    "/{job_id}/evidence",
    status_code=status.HTTP_201_CREATED,
    response_model=EvidenceRead,
    responses=problem_responses(*_UPLOAD_ERRORS),
    description="Upload a photo, signed form or report from the site for a step of the job's process (PDF, JPEG "
    "or PNG, judged by content; at most `WORKFLOW_EVIDENCE_MAX_BYTES`, 413 past it). The upload is an entry of "
    "the job's audit chain carrying the file's SHA-256, and changes the job's version (sent back as the ETag). "
    "Staff and managers of the job's company only.",
)
async def upload_evidence(
    change: FieldJobChange,
    store: Store,
    response: Response,
    file: Annotated[UploadFile, File(description="PDF, JPEG or PNG; judged by content")],
    step: Annotated[str, Form(min_length=1, max_length=32, description="A step code of the job's process.")],
    kind: Annotated[EvidenceKind, Form()],
    latitude: Annotated[float | None, Form(ge=-90, le=90, allow_inf_nan=False, description="WGS 84")] = None,
    longitude: Annotated[float | None, Form(ge=-180, le=180, allow_inf_nan=False, description="WGS 84")] = None,
    taken_at: Annotated[
        AwareDatetime | None,
        Form(
            description="When it was taken, with its offset; not after the server's time (a few minutes "
            "allowed for the device's clock), not before the application."
        ),
    ] = None,
) -> EvidenceRead:
    """Upload evidence from the site for a step of the job."""
    draft = evidence_service.EvidenceDraft(
        step=step, kind=kind, latitude=latitude, longitude=longitude, taken_at=taken_at
    )
    row = await evidence_service.upload(
        change.session, change.job, draft=draft, source=file.file, store=store, expected=change.expected, ctx=change.ctx
    )
    change.tag(response)
    return evidence_service.evidence_read(row)


@router.get(
    "/{job_id}/evidence", response_model=list[EvidenceRead], responses=problem_responses(*_READ_ERRORS, Unprocessable)
)
async def list_evidence(
    session: DbSession,
    job: FieldJob,
    step: Annotated[str | None, Query(max_length=32, description="Only this step's evidence.")] = None,
) -> list[EvidenceRead]:
    """The job's evidence, in the order it was uploaded."""
    rows = await evidence_service.for_job(session, job.id, step=step)
    return [evidence_service.evidence_read(row) for row in rows]


@router.get(
    "/{job_id}/evidence/{evidence_id}/content",
    response_class=FileResponse,
    responses=downloads.responses(*_READ_ERRORS, EvidenceNotFound, Unprocessable),
)
async def download_evidence(evidence: CurrentEvidence, store: Store) -> FileResponse:
    """The file of a piece of the job's evidence, with its media type."""
    return downloads.stored_file(
        store.directory,
        evidence.sha256,
        media_type=evidence.media_type,
        name=f"{evidence.kind}-{evidence.id}",
        missing=EvidenceNotFound("The file of this evidence is missing from the store."),
    )
