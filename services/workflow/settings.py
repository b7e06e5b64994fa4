"""Settings of the workflow service (env prefix WORKFLOW_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings


class WorkflowSettings(ServiceSettings):
    """The workflow service's settings."""

    model_config = SettingsConfigDict(env_prefix="WORKFLOW_", extra="ignore", env_nested_delimiter="__")

    service_name: str = "workflow"
    port: int = 8002
    jwks_url: str | None = "http://127.0.0.1:8001/.well-known/jwks.json"
