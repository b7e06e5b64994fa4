"""Settings of the workflow service (env prefix WORKFLOW_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import DEFAULT_PORTS, ServiceSettings


class WorkflowSettings(ServiceSettings):
    """Jobs, steps, deadlines, pauses, fees, visits, the audit chain and the working-day calendar."""

    model_config = SettingsConfigDict(env_prefix="WORKFLOW_", extra="ignore", env_nested_delimiter="__")

    service_name: str = "workflow"
    port: int = DEFAULT_PORTS["workflow"]
    routes = (("intake", "job.*"), ("metrics", "job.*"))
    verifies_with_intake_keys = True
    # How stale a running app's calendar may be after `zerovisit calendar load`: the database is asked
    # whether a year was loaded at most this often (0: on every request that needs the calendar).
    calendar_reload_seconds: float = Field(default=60, ge=0)
