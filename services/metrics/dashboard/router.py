"""GET /dashboard: the page, its scripts (ECharts vendored) and where to sign in; the figures come from the API."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel

from services.metrics.settings import MetricsSettings
from services.metrics.state import Settings

STATIC_DIR = Path(__file__).parent / "static"
TOKEN_PATH = "/api/v1/auth/token"  # noqa: S105 - a path, not a secret

router = APIRouter(include_in_schema=False)


class DashboardConfig(BaseModel):
    """What the page needs to know besides the API it is served with."""

    token_url: str | None


def token_url(settings: MetricsSettings) -> str | None:
    """Intake's token endpoint: from the intake URL setting, else from the origin of the JWKS URL."""
    if settings.intake_url:
        return settings.intake_url.rstrip("/") + TOKEN_PATH
    if settings.jwks_url:
        parts = urlsplit(settings.jwks_url)
        return f"{parts.scheme}://{parts.netloc}{TOKEN_PATH}"
    return None


@router.get("/dashboard")
async def dashboard() -> FileResponse:
    """The dashboard page (it signs in with intake and reads the metrics API)."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")


@router.get("/dashboard/config.json", response_model=DashboardConfig)
async def dashboard_config(settings: Settings) -> DashboardConfig:
    """Where the page signs in."""
    return DashboardConfig(token_url=token_url(settings))


def install_dashboard(app: FastAPI) -> None:
    """Serve the page, its configuration and its static files (no CDN)."""
    app.include_router(router)
    app.mount("/dashboard/static", StaticFiles(directory=STATIC_DIR), name="dashboard-static")
