"""The metrics service: case facts, rollups, complaints and the regulator's reports."""

from __future__ import annotations

from typing import Unpack

from fastapi import FastAPI

from services.common.app import Overrides, ServiceParts, create_service_app, prune_task
from services.common.events import make_events_router
from services.metrics.complaints.router import router as complaints_router
from services.metrics.dashboard.router import install_dashboard
from services.metrics.db import calendar_tables, idempotency_table, inbox
from services.metrics.facts.handlers import build_handlers
from services.metrics.facts.open_cases import keep_open_due
from services.metrics.figures.reports import router as reports_router
from services.metrics.figures.router import router as figures_router
from services.metrics.glossary import GLOSSARY
from services.metrics.imports.router import router as imports_router
from services.metrics.publication.router import router as publication_router
from services.metrics.settings import MetricsSettings

IMPORT_PATH = "/api/v1/imports/cases"


async def _keep_open_due(app: FastAPI) -> None:
    keep_open_due(app.state.database.sessionmaker)


def create_app(settings: MetricsSettings | None = None, **overrides: Unpack[Overrides]) -> FastAPI:
    """Build the metrics app; nothing is connected until its lifespan starts."""
    settings = settings or MetricsSettings()
    parts = ServiceParts(
        glossary=GLOSSARY,
        title="zerovisit metrics",
        description="Pseudonymous case facts, rollups and the regulator's figures, reports and complaints.",
        routers=[
            figures_router,
            reports_router,
            publication_router,
            imports_router,
            complaints_router,
            make_events_router(inbox, build_handlers()),
        ],
        openapi_tags=[
            {"name": "metrics", "description": "Figures per report category and grid company, with evidence."},
            {
                "name": "reports",
                "description": "The half-year report, as JSON or CSV; published versions as open data.",
            },
            {"name": "imports", "description": "Historical cases in bulk."},
            {"name": "complaints", "description": "12398 hotline complaints."},
        ],
        body_limits={("POST", IMPORT_PATH): settings.import_max_bytes},
        inbox=inbox,
        calendar_tables=calendar_tables,
        idempotency_table=idempotency_table,
        housekeeping=[prune_task(outbox=None, inbox=inbox)],
        startup=[_keep_open_due],
    )
    # Metrics publish nothing: no relay runs, whatever the subscriber settings say.
    app = create_service_app(settings, parts, **overrides)
    install_dashboard(app)
    return app
