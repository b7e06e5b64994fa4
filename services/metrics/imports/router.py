"""POST /imports/cases: managers import their own company's history, admins anyone's."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends

from services.common.auth import Principal, require_roles
from services.common.calendar import CurrentCalendar
from services.common.db import DbSession
from services.common.errors import Forbidden, PayloadTooLarge, Unauthorized, problem_responses
from services.common.state import State
from services.metrics.imports import service as import_service
from services.metrics.imports.exceptions import BadRows, ImportRace, TooManyRows
from services.metrics.imports.schemas import ImportBatch, ImportResult
from services.metrics.settings import MetricsSettings

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])
Importer = Annotated[Principal, Depends(require_roles("manager", "admin"))]


@router.post(
    "/cases",
    response_model=ImportResult,
    responses=problem_responses(Unauthorized, Forbidden, BadRows, TooManyRows, PayloadTooLarge, ImportRace),
)
async def import_cases(
    state: State, batch: ImportBatch, session: DbSession, importer: Importer, calendar: CurrentCalendar
) -> ImportResult:
    """Import historical cases: all rows or none; a case already imported (same company and external_id) is skipped."""
    settings = cast(MetricsSettings, state.settings)
    if importer.role == "manager" and importer.grid_company is None:
        raise Forbidden("Your account has no grid company.")
    return await import_service.import_cases(
        session,
        batch=batch,
        principal=importer,
        rules=state.rules,
        calendar=calendar,
        now=state.clock.now(),
        max_rows=settings.import_max_rows,
    )
