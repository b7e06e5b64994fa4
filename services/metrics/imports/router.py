"""POST /imports/cases: managers import their own company's history, admins anyone's."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.common.auth import Principal, require_roles
from services.common.clock import CurrentClock
from services.common.db import DbSession
from services.common.errors import Forbidden, PayloadTooLarge, Unauthorized, problem_responses
from services.metrics.imports import service as import_service
from services.metrics.imports.exceptions import BadRows, ImportRace, TooManyRows
from services.metrics.imports.schemas import ImportBatch, ImportResult

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])
Importer = Annotated[Principal, Depends(require_roles("manager", "admin"))]


@router.post(
    "/cases",
    response_model=ImportResult,
    responses=problem_responses(Unauthorized, Forbidden, BadRows, TooManyRows, PayloadTooLarge, ImportRace),
)
async def import_cases(
    request: Request, batch: ImportBatch, session: DbSession, importer: Importer, clock: CurrentClock
) -> ImportResult:
    """Import historical cases: all rows or none; a case already imported (same company and external_id) is skipped."""
    if importer.role == "manager" and importer.grid_company is None:
        raise Forbidden("Your account has no grid company.")
    state = request.app.state
    return await import_service.import_cases(
        session,
        batch=batch,
        principal=importer,
        rules=state.rules,
        calendar=state.calendar,
        now=clock.now(),
        max_rows=state.settings.import_max_rows,
    )
