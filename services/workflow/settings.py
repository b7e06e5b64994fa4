"""Settings of the workflow service (env prefix WORKFLOW_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import DEFAULT_PORTS, ServiceSettings


class WorkflowSettings(ServiceSettings):
    """Jobs, steps, deadlines, pauses, fees, visits, the audit chain and the working-day calendar."""

    model_config = SettingsConfigDict(env_prefix="WORKFLOW_", extra="ignore", env_nested_delimiter="__")

    service_name: str = "workflow"
    port: int = DEFAULT_PORTS["workflow"]
    verifies_with_intake_keys = True

    # Evidence from the site (photos, signed forms, reports): the largest file accepted, where files are kept
    # (by SHA-256; by default var/workflow/evidence), and how far ahead of the server's clock a device's
    # `taken_at` may run before it is refused as a time not yet come.
    evidence_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    evidence_dir: Path | None = None
    evidence_clock_tolerance_seconds: int = Field(default=300, ge=0, le=3600)

    @property
    def evidence_store(self) -> Path:
        """The directory evidence files are stored in, named by their SHA-256."""
        return self.evidence_dir or self.var_dir / "workflow" / "evidence"
