"""Settings of the workflow service (env prefix WORKFLOW_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.settings import DEFAULT_PORTS, ServiceSettings


class WorkflowSettings(ServiceSettings):
    """Jobs, steps, deadlines, pauses, fees, visits, the audit chain and the working-day calendar."""

    model_config = SettingsConfigDict(env_prefix="WORKFLOW_", extra="ignore", env_nested_delimiter="__")

    service_name: str = "workflow"
    port: int = DEFAULT_PORTS["workflow"]
    routes = (("intake", ("job.*", "calendar.*")), ("metrics", ("job.*", "calendar.*")))
    verifies_with_intake_keys = True
