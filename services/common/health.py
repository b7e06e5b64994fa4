"""Liveness and readiness: alive, and the database reachable with migrations at head."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from services.common import migrations
from services.common.errors import PROBLEM_MEDIA_TYPE, Problem, ServiceUnavailable
from services.common.state import service_state

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """A health answer."""

    status: str
    service: str


@router.get("/healthz", response_model=Health, summary="The process is alive")
async def check_alive(request: Request) -> Health:
    """Answers as long as the process runs."""
    return Health(status="ok", service=service_state(request).settings.service_name)


@router.get(
    "/readyz",
    response_model=Health,
    summary="The database is reachable and migrated",
    responses={503: {"model": Problem, "content": {PROBLEM_MEDIA_TYPE: {}}}},
)
async def check_ready(request: Request) -> Health | JSONResponse:
    """503 while the database is unreachable or its schema is not at the newest migration."""
    state = service_state(request)
    service, database = state.settings.service_name, state.database
    try:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        at_head = await migrations.is_at_head(database.engine, service)
    except (SQLAlchemyError, OSError):
        error = ServiceUnavailable("The database is not reachable.")
    else:
        if at_head:
            return Health(status="ready", service=service)
        error = ServiceUnavailable("The database schema is not at the newest migration.")
    return JSONResponse(
        error.to_problem(instance=request.url.path), status_code=error.status, media_type=PROBLEM_MEDIA_TYPE
    )
