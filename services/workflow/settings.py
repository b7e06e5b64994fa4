"""Settings of the workflow service (env prefix WORKFLOW_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import ServiceSettings, Subscriber

# The other services' default events_secret, so that a development setup works as it comes.
_DEV_SECRET: str = ServiceSettings.model_fields["events_secret"].default


def _default_subscribers() -> list[Subscriber]:
    return [
        Subscriber(
            name="intake",
            url="http://127.0.0.1:8001/internal/events",
            secret=_DEV_SECRET,
            topics=("job.*", "calendar.*"),
        ),
        Subscriber(
            name="metrics",
            url="http://127.0.0.1:8003/internal/events",
            secret=_DEV_SECRET,
            topics=("job.*", "calendar.*"),
        ),
    ]


class WorkflowSettings(ServiceSettings):
    """Jobs, steps, deadlines, pauses, fees, visits, the audit chain and the working-day calendar."""

    model_config = SettingsConfigDict(env_prefix="WORKFLOW_", extra="ignore", env_nested_delimiter="__")

    service_name: str = "workflow"
    port: int = 8002
    jwks_url: str | None = "http://127.0.0.1:8001/.well-known/jwks.json"
    subscribers: list[Subscriber] = Field(default_factory=_default_subscribers)
