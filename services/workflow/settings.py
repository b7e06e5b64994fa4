"""Settings of the workflow service (env prefix WORKFLOW_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import DEV_EVENTS_SECRET, ServiceSettings, Subscriber


def _default_subscribers() -> list[Subscriber]:
    return [
        Subscriber(
            name="intake",
            url="http://127.0.0.1:8001/internal/events",
            topics=["job.*"],
        ),
        Subscriber(
            name="metrics",
            url="http://127.0.0.1:8003/internal/events",
            topics=["job.*"],
        ),
    ]


class WorkflowSettings(ServiceSettings):
    """Jobs, steps, deadlines, pauses, fees, visits, the audit chain and the working-day calendar."""

    model_config = SettingsConfigDict(env_prefix="WORKFLOW_", extra="ignore", env_nested_delimiter="__")

    service_name: str = "workflow"
    port: int = 8002
    jwks_url: str | None = "http://127.0.0.1:8001/.well-known/jwks.json"
    subscribers: list[Subscriber] = Field(default_factory=_default_subscribers)
    events_sources: dict[str, str] = Field(default_factory=lambda: {"intake": DEV_EVENTS_SECRET})
    events_topics: dict[str, list[str]] = Field(default_factory=lambda: {"intake": ["application.*"]})
    # How stale a running app's calendar may be after `zerovisit calendar load`: the database is asked
    # whether a year was loaded at most this often (0: on every request that needs the calendar).
    calendar_reload_seconds: float = Field(default=60, ge=0)
