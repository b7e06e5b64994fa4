"""The intake service: accounts, documents and applications."""

from __future__ import annotations

from typing import Unpack, cast

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from services.common.app import Overrides, ServiceParts, create_service_app, prune_task, relay_task
from services.common.auth import KeySource, TokenVerifier
from services.common.events import make_events_router
from services.common.limits import MULTIPART_OVERHEAD
from services.common.state import ServiceState
from services.intake import events
from services.intake.applications.router import router as applications_router
from services.intake.contracts.router import router as contracts_router
from services.intake.db import calendar_tables, event_tables, idempotency_table
from services.intake.disputes.router import router as disputes_router
from services.intake.documents.router import router as documents_router
from services.intake.glossary import GLOSSARY
from services.intake.guide.router import router as guide_router
from services.intake.identity.keys import SigningKey
from services.intake.identity.router import jwks_router
from services.intake.identity.router import router as identity_router
from services.intake.lookup.router import router as lookup_router
from services.intake.notifications import tasks as notification_tasks
from services.intake.notifications.router import router as notifications_router
from services.intake.progress import handlers as progress_handlers
from services.intake.settings import IntakeSettings
from services.intake.state import IntakeState


async def _startup(app: FastAPI) -> None:
    state: ServiceState = app.state.service
    settings = cast(IntakeSettings, state.settings)
    signing_key = SigningKey.load_or_create(settings.key_file)
    own: IntakeState = app.state.intake
    own.signing_key = signing_key
    if state.verifier is None:
        # Intake is the issuer: it verifies its own tokens with its own key, no HTTP round trip.
        state.verifier = TokenVerifier(
            issuer=settings.jwt_issuer, audience=settings.jwt_audience, keys=KeySource.from_jwks(signing_key.jwks())
        )


def create_app(settings: IntakeSettings | None = None, **overrides: Unpack[Overrides]) -> FastAPI:
    """Build the intake app; nothing is connected until its lifespan starts."""
    settings = settings or IntakeSettings()
    parts = ServiceParts(
        title="zerovisit intake",
        description="Accounts, documents and applications: apply online and hand over every document once.",
        routers=[
            identity_router,
            jwks_router,
            guide_router,
            documents_router,
            applications_router,
            disputes_router,
            contracts_router,
            lookup_router,
            notifications_router,
            make_events_router(event_tables.inbox, progress_handlers),
        ],
        startup=[_startup],
        published=events.PUBLISHED,
        glossary=GLOSSARY,
        event_tables=event_tables,
        calendar_tables=calendar_tables,
        idempotency_table=idempotency_table,
        body_limits={("POST", "/api/v1/documents"): settings.upload_max_bytes + MULTIPART_OVERHEAD},
        background=[relay_task(event_tables)] if settings.relay_enabled else [],
        housekeeping=[
            prune_task(outbox=event_tables.outbox, inbox=event_tables.inbox),
            *([notification_tasks.send_messages] if settings.messages_enabled else []),
            *([notification_tasks.check_daily] if settings.reminders_enabled else []),
        ],
    )
    app = create_service_app(settings, parts, **overrides)
    app.state.intake = IntakeState.for_settings(settings)
    if settings.cors_origins:
        # Bearer tokens, not cookies: a page of an allowed origin may ask for a token and use it.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    return app
